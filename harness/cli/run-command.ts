import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import { runConformance, type RunOptions } from '../run/run.ts';
import { parseFamilyChoice } from '../run/families.ts';
import { SUITES } from '../../suites/index.ts';

const HELP = `usage: tcpconform run [options]
Checks how a target sets up TCP connections: fast-check generates scenarios, the target runs them
on fresh state, the reference model judges each, and a deviation is shrunk, replayed and reported.
  --target <spec>     local (default: a fresh lab on this kernel), gvisor, lwip, netns:<name>, qemu:<kernel>,
                      ssh://user@host; several, comma-separated, run side by side with one report each
  --suite <name>      only this suite (repeatable): ${SUITES.map((s) => s.name).join(', ')}
  --family 4|6|both   IP versions, each property a row per version (default both; IPv4 rows
                      include IPv4-mapped IPv6 sockets)
  --runs <n>          cases per property (default: each property's own)
  --seed <n>          fast-check seed (default: random, printed)
  --budget <seconds>  wall-clock budget per target (default 300; a VM's run takes about a minute);
                      a row the budget stops before any case ran is an error, not a pass
  --profile <name>    profile to judge against (default: a kernel's own, detected; another stack
                      by this machine's kernel's); own: every target by its own (gvisor-20221219, lwip-2.1)
  --out <dir>         report directory (default reports/<run-id>)
  --replays <n>       replays of a shrunk counterexample before it is reported (default 3)
  --allow-remote      allow ssh:// targets
example:
  sudo npx tcpconform run --target local,qemu:6.1 --suite listen-queues --out reports/queues`;

function positiveInt(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, not '${value}'`);
  return n;
}

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      target: { type: 'string', default: 'local' },
      suite: { type: 'string', multiple: true },
      family: { type: 'string', default: 'both' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      budget: { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
      replays: { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n${HELP}`);
  const family = parseFamilyChoice(values.family);
  if (family === null) throw new UsageError(`--family takes 4, 6 or both, not '${values.family}'`);
  const options: RunOptions = {
    targets: values.target.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    suites: values.suite ?? null,
    runs: positiveInt('runs', values.runs),
    seed: positiveInt('seed', values.seed) ?? Math.floor(Math.random() * 2 ** 31),
    budgetSeconds: positiveInt('budget', values.budget) ?? 300,
    profile: values.profile ?? null,
    out: values.out ?? null,
    replays: positiveInt('replays', values.replays) ?? 3,
    allowRemote: values['allow-remote'],
    family,
    command: ['tcpconform', 'run', ...args],
  };
  return runConformance(options);
}
