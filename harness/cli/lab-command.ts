import { parseArgs } from 'node:util';
import { LAB_NETS } from '../lab/addresses.ts';
import { runSync } from '../lab/command.ts';
import { destroyAllLabs, Lab, listLabStates } from '../lab/lab.ts';
import { checkPrivileges } from '../lab/privileges.ts';
import { UsageError } from './errors.ts';

const HELP = `usage: tcpconform lab up | status | down
Makes, shows or removes the network namespaces (tcpc-*) tcpconform tests in.
  up       create a lab (tester and target namespaces joined by veth) that stays until 'lab down'
  status   list labs: namespaces, addresses, live processes, the tester's nftables table
  down     remove every lab, and whatever a crashed run left (namespaces tcpc-*, its processes)
example:
  sudo npx tcpconform lab down`;

export async function labCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (extra.length > 0 || !['up', 'status', 'down'].includes(sub ?? '')) throw new UsageError(`${sub === undefined ? 'lab needs a subcommand' : `unknown lab subcommand '${[sub, ...extra].join(' ')}'`}\n${HELP}`);
  checkPrivileges();
  if (sub === 'up') {
    const lab = await Lab.create();
    // A lab made by `lab up` outlives this process: forget it here, 'lab down' removes it.
    lab.detach();
    console.log(`lab ${lab.state.id}: tester ${lab.tester} (${LAB_NETS[4].tester} ${LAB_NETS[6].tester}, clients ${LAB_NETS[4].clientRange} ${LAB_NETS[6].clientRange}), target ${lab.target} (${LAB_NETS[4].target} ${LAB_NETS[6].target})`);
    return 0;
  }
  if (sub === 'status') {
    const labs = listLabStates();
    const namespaces = (runSync(['ip', 'netns', 'list']) ?? '').split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('tcpc-'));
    if (labs.length === 0 && namespaces.length === 0) console.log('no labs');
    for (const lab of labs) {
      const alive = lab.pids.filter((pid) => runSync(['kill', '-0', String(pid)]) !== null);
      const nft = runSync(['ip', 'netns', 'exec', lab.tester, 'nft', 'list', 'table', 'inet', 'tcpconform']) !== null;
      console.log(`lab ${lab.id}: tester ${lab.tester} ${LAB_NETS[4].tester} ${LAB_NETS[6].tester}, target ${lab.target} ${LAB_NETS[4].target} ${LAB_NETS[6].target}${lab.kind === 'namespaces' ? '' : ` (${lab.kind})`}; processes alive ${alive.length}/${lab.pids.length}; nftables isolation ${nft ? 'on' : 'MISSING'}`);
    }
    const known = new Set(labs.flatMap((l) => [l.tester, l.target]));
    for (const ns of namespaces.filter((n) => !known.has(n))) console.log(`leftover namespace ${ns} (no state file: 'lab down' removes it)`);
    return 0;
  }
  const { removed, inUse } = destroyAllLabs();
  console.log(removed.length === 0 ? 'nothing to remove' : `removed ${removed.join('; ')}`);
  if (inUse.length > 0) console.log(`left in use by a run still going: ${inUse.join('; ')}`);
  return 0;
}
