/**
 * `ssh://user@host`: a remote host's kernel. The agent is copied over and driven through ssh;
 * the crafted packets go from this machine, every peer sharing its address (ports tell them
 * apart). An nftables table here keeps this machine's own kernel from answering for those
 * peers toward the target (it would RST every SYN-ACK), sparing the ssh connection itself.
 * Refused unless --allow-remote (checked by the caller). Extra ssh options (a key, host-key
 * policy) come from ~/.ssh/config or TCPCONFORM_SSH_OPTIONS.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { AgentClient, agentBinaryPath } from '../agent/client.ts';
import { EnvironmentError } from '../cli/errors.ts';
import { RAW_MARK } from '../lab/addresses.ts';
import { run, runSync } from '../lab/command.ts';
import { checkPrivileges } from '../lab/privileges.ts';
import { onTeardown } from '../lab/teardown.ts';
import { RawLink } from '../link/raw-link.ts';
import { abandon, targetOf, type FamilyAddresses, type Target } from './target.ts';
import type { IpFamily } from '../packet/address.ts';

const SSH_PORT = 22;

function sshOptions(): string[] {
  return ['-o', 'BatchMode=yes', ...(process.env.TCPCONFORM_SSH_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

/** The address this machine sends from toward the target (what `ip route get` says), or null without a route. */
async function localAddressToward(target: string): Promise<string | null> {
  const route = await run(['ip', '-o', 'route', 'get', target]).catch(() => '');
  return /\bsrc ([0-9a-f.:]+)/.exec(route)?.[1] ?? null;
}

/** The host's address in one IP version and ours toward it, or null when it has none or we have no route. */
async function addressesOf(host: string, version: IpFamily): Promise<FamilyAddresses | null> {
  // An address literal comes back as itself whatever family was asked for: only one of that family counts.
  const found = await lookup(host, { family: version }).catch(() => null);
  const target = found?.family === version ? found.address : undefined;
  const local = target === undefined ? null : await localAddressToward(target);
  return target === undefined || local === null ? null : { target, tester: local, peers: { kind: 'shared', addr: local } };
}

/** Copies a file through ssh's own stdin (no scp/sftp subsystem needed on the host) and makes it executable. */
function copyOver(destination: string, file: string, remotePath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ssh = spawn('ssh', [...sshOptions(), destination, `cat > ${remotePath} && chmod 755 ${remotePath}`], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    ssh.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createReadStream(file).pipe(ssh.stdin);
    ssh.once('exit', (code) => (code === 0 ? resolve() : reject(new EnvironmentError(`cannot copy the agent to ${destination}: ${stderr.trim() || `ssh exited ${code}`}`))));
  });
}

export async function openSshTarget(user: string, host: string, spec: string): Promise<Target> {
  checkPrivileges();
  const addresses: Partial<Record<IpFamily, FamilyAddresses>> = {};
  for (const version of [4, 6] as const) {
    const found = await addressesOf(host, version);
    if (found) addresses[version] = found;
  }
  const reached = Object.values(addresses);
  if (reached.length === 0) throw new EnvironmentError(`cannot reach ${host}: no IPv4 or IPv6 address of it with a route from this machine`);
  const destination = `${user}@${host}`;
  const remotePath = `/tmp/tcpconform-agent-${randomBytes(3).toString('hex')}`;
  const table = `tcpconform_ssh_${randomBytes(3).toString('hex')}`;
  // Only crafted segments reach the target; this machine's kernel stays silent for our peers.
  const rules = Object.entries(addresses).map(([version, a]) => {
    const ip = version === '6' ? 'ip6' : 'ip';
    const icmp = version === '6' ? 'icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem }' : 'meta l4proto icmp';
    return `    ${ip} daddr ${a.target} ${icmp} meta mark != ${RAW_MARK} drop\n    ${ip} daddr ${a.target} tcp dport != ${SSH_PORT} meta mark != ${RAW_MARK} drop`;
  });
  await run(['nft', '-f', '-'], `table inet ${table} {
  chain output {
    type filter hook output priority 0; policy accept;
${rules.join('\n')}
  }
}
`);
  const [removeTable] = onTeardown(() => void runSync(['nft', 'delete', 'table', 'inet', table]));
  let agent: AgentClient | null = null;
  let link: RawLink | null = null;
  try {
    await copyOver(destination, agentBinaryPath(), remotePath);
    agent = AgentClient.spawn(['ssh', '-T', ...sshOptions(), destination, remotePath]);
    const { kernel, lacks } = await agent.ready(30_000);
    link = await RawLink.start(null);
    const mtu = Number((await run(['ssh', ...sshOptions(), destination, `cat /sys/class/net/$(ip -o route get ${reached[0]!.tester} | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')/mtu`]).catch(() => '1500')).trim()) || 1500;
    return targetOf({ spec, kernel, stack: 'linux', lacks, agent, link, addresses, mtu, ownsLink: false, sideBySide: 1, barrierSettleMs: 0 }, async () => {
      await run(['ssh', ...sshOptions(), destination, 'rm', '-f', remotePath]).catch(() => undefined);
      removeTable();
    });
  } catch (error) {
    return abandon({ agent, link }, removeTable, error);
  }
}
