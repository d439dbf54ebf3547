/**
 * A lab: a tester namespace where crafted packets come from and a target namespace holding
 * the kernel under test, joined by a veth pair. Or, for `netns:<name>`, a tester namespace
 * attached to a namespace someone else made, of which we touch only what we add.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import { LAB_NETS, LAB_PREFIX, RAW_MARK } from './addresses.ts';
import { run, runSync } from './command.ts';
import { checkPrivileges } from './privileges.ts';
import { onTeardown } from './teardown.ts';

export const STATE_DIR = '/run/tcpconform';

export interface LabState {
  readonly id: string;
  /** namespaces: tester + target pair we made; attached: tester joined to someone's namespace; vm: tester with a tap for a VM or a user-space stack. */
  readonly kind: 'namespaces' | 'attached' | 'vm';
  readonly tester: string;
  /** The target namespace; for an attached lab, the user's own (never deleted); for a VM, a description. */
  readonly target: string;
  /** The target's link: our veth end (in the target namespace) or the VM's tap (in the tester). */
  readonly targetLink: string;
  readonly pids: number[];
  /** runsc containers (gVisor sandboxes) started in the target namespace, by id. */
  readonly sandboxes: string[];
  /** The process using the lab (a run); null once `lab up` leaves it for others. */
  owner: number | null;
}

/** Where runsc keeps its containers' state: ours only, so `lab down` finds a crashed run's. */
export const RUNSC_ROOT = join(STATE_DIR, 'runsc');
/** Each sandbox's OCI bundle, by its id: teardown removes it with the sandbox, also on a signal. */
export const runscBundle = (id: string): string => join(STATE_DIR, 'gvisor-bundles', id);

export class Lab {
  private readonly release: () => void;
  private readonly forget: () => void;

  private constructor(readonly state: LabState) {
    [this.release, this.forget] = onTeardown(() => destroySync(this.state));
  }

  get tester(): string {
    return this.state.tester;
  }
  get target(): string {
    return this.state.target;
  }

  /** Records a process we started in the lab, so `lab down` can end it after a crash. */
  addPid(pid: number): void {
    this.state.pids.push(pid);
    saveState(this.state);
  }

  async close(): Promise<void> {
    this.release();
  }

  /** Records a runsc container running in the lab, so teardown (and `lab down` after a crash) deletes it. */
  addSandbox(id: string): void {
    this.state.sandboxes.push(id);
    saveState(this.state);
  }

  /** Leaves the lab in place when this process ends (for `lab up`); its state file still finds it. */
  detach(): void {
    this.forget();
    this.state.owner = null;
    saveState(this.state);
  }

  /** A fresh tester + target pair on the host kernel. */
  static create(): Promise<Lab> {
    return Lab.build('namespaces', (id) => `${LAB_PREFIX}${id}-tgt`, async (state, id) => {
      await run(['ip', 'netns', 'add', state.target]);
      await run(['ip', '-n', state.tester, 'link', 'add', `tc${id}t`, 'type', 'veth', 'peer', 'name', state.targetLink, 'netns', state.target]);
      await setUpTester(state.tester, `tc${id}t`);
      await setUpTargetLink(state.target, state.targetLink);
      await carrierUp(state.target, state.targetLink);
    });
  }

  /** A tester namespace attached to an existing namespace (`netns:<name>`). */
  static async attach(name: string): Promise<Lab> {
    checkPrivileges();
    const existing = (await run(['ip', 'netns', 'list'])).split('\n').map((l) => l.split(' ')[0]);
    if (!existing.includes(name)) throw new UsageError(`network namespace '${name}' does not exist (ip netns list shows the ones there are)`);
    return Lab.build('attached', () => name, async (state, id) => {
      await run(['ip', '-n', state.tester, 'link', 'add', `tc${id}t`, 'type', 'veth', 'peer', 'name', state.targetLink, 'netns', name]);
      await setUpTester(state.tester, `tc${id}t`);
      await setUpTargetLink(name, state.targetLink);
      await carrierUp(name, state.targetLink);
    });
  }

  /**
   * A tester namespace whose link is a tap: a VM's NIC (qemu then runs in the namespace) or a
   * user-space stack's interface (lwIP's tapif, its agent in the namespace). `proxyPeers`: the
   * tester also answers neighbour solicitations for the peers' IPv6 addresses (lwIP reaches
   * them on-link, having no router).
   */
  static withTap(description: string, options: { proxyPeers?: readonly number[] } = {}): Promise<Lab> {
    return Lab.build('vm', () => description, async (state) => {
      await run(['ip', '-n', state.tester, 'tuntap', 'add', 'dev', state.targetLink, 'mode', 'tap']);
      await setUpTester(state.tester, state.targetLink);
      if (options.proxyPeers) await proxyNeighbours(state.tester, state.targetLink, options.proxyPeers);
    });
  }

  /** Records the lab before making anything, so a failure half-way (or a crash) is cleaned up. */
  private static async build(kind: LabState['kind'], target: (id: string) => string, setUp: (state: LabState, id: string) => Promise<void>): Promise<Lab> {
    checkPrivileges();
    const id = randomBytes(3).toString('hex');
    const state: LabState = { id, kind, tester: `${LAB_PREFIX}${id}-tst`, target: target(id), targetLink: `tc${id}${kind === 'vm' ? 'v' : 'g'}`, pids: [], sandboxes: [], owner: process.pid };
    saveState(state);
    const lab = new Lab(state);
    try {
      await run(['ip', 'netns', 'add', state.tester]);
      await setUp(state, id);
    } catch (error) {
      await lab.close();
      throw error;
    }
    return lab;
  }
}


/**
 * One end of the lab's link, both IP versions: addresses without duplicate address detection
 * (usable at once), no router solicitations, routes; then the link comes up. One `ip -batch`
 * per namespace: every `ip` process costs tens of milliseconds, and labs are made per property.
 */
async function setUpLinkEnd(ns: string, link: string, own: 'tester' | 'target', routes: readonly string[]): Promise<void> {
  await run(['ip', 'netns', 'exec', ns, 'sh', '-c', `echo 0 > /proc/sys/net/ipv6/conf/${link}/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/${link}/router_solicitations`]);
  const nets = Object.values(LAB_NETS);
  const commands = ['link set lo up', ...nets.map((net) => `addr add ${net[own]}/${net.prefixLength} dev ${link}${net.family === 6 ? ' nodad' : ''}`), `link set ${link} up`, ...routes];
  await run(['ip', '-n', ns, '-batch', '-'], `${commands.join('\n')}\n`);
  // Offloaded checksums stay unfinished in captures; we want to see and check the real ones.
  await run(['ip', 'netns', 'exec', ns, 'ethtool', '-K', link, 'tx', 'off']);
}

async function setUpTester(ns: string, link: string): Promise<void> {
  // Every client address is the tester's own, so the target's answers are delivered here
  // (and the tester answers neighbour solicitations for its link address).
  await setUpLinkEnd(ns, link, 'tester', Object.values(LAB_NETS).map((net) => `route add local ${net.clientRange} dev lo`));
  // Only crafted segments leave: the tester kernel's own RSTs and ICMP errors for segments
  // meant for the harness must never reach the target. Neighbour discovery still may.
  await run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], `table inet tcpconform {
  chain output {
    type filter hook output priority 0; policy accept;
    meta l4proto { tcp, icmp } meta mark != ${RAW_MARK} drop
    icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request, echo-reply } meta mark != ${RAW_MARK} drop
  }
}
`);
}

/**
 * Proxy NDP for these hosts of the IPv6 peer range, answered at once (proxy_delay 0, not up to
 * 0.8 s). Linux answers a proxied solicitation only on a forwarding interface (ndisc_recv_ns);
 * the tester namespace has no other link to forward to.
 */
async function proxyNeighbours(ns: string, link: string, hosts: readonly number[]): Promise<void> {
  await run(['ip', 'netns', 'exec', ns, 'sh', '-c', `echo 1 > /proc/sys/net/ipv6/conf/${link}/forwarding; echo 1 > /proc/sys/net/ipv6/conf/${link}/proxy_ndp; echo 0 > /proc/sys/net/ipv6/neigh/${link}/proxy_delay`]);
  await run(['ip', '-n', ns, '-batch', '-'], `${hosts.map((n) => `neigh add proxy ${LAB_NETS[6].host(n)} dev ${link}`).join('\n')}\n`);
}

async function setUpTargetLink(ns: string, link: string): Promise<void> {
  await setUpLinkEnd(ns, link, 'target', Object.values(LAB_NETS).map((net) => `route add ${net.clientRange} via ${net.tester}`));
}

/**
 * A veth end reports carrier a moment after both ends are up; what the target sends before then
 * is lost, its first neighbour solicitation included (resent only after a second).
 */
async function carrierUp(ns: string, link: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
    if ((await run(['ip', 'netns', 'exec', ns, 'cat', `/sys/class/net/${link}/operstate`])).trim() === 'up') return;
  }
  throw new EnvironmentError(`the lab's link ${link} in ${ns} did not come up within 5 s`);
}

function stateFile(id: string): string {
  return join(STATE_DIR, `${id}.json`);
}

function saveState(state: LabState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(stateFile(state.id), JSON.stringify(state));
}

/** Ends our processes (by recorded PID, if still ours), removes what we added. Synchronous: signal-safe. */
function destroySync(state: LabState): void {
  // State files of earlier versions lack the newer fields.
  for (const id of state.sandboxes ?? []) {
    runSync(['runsc', '--root', RUNSC_ROOT, 'delete', '--force', id]);
    rmSync(runscBundle(id), { recursive: true, force: true });
  }
  for (const pid of state.pids) endProcess(pid);
  for (const pid of (runSync(['ip', 'netns', 'pids', state.tester]) ?? '').split('\n').filter(Boolean)) endProcess(Number(pid));
  if (state.kind === 'namespaces') {
    for (const pid of (runSync(['ip', 'netns', 'pids', state.target]) ?? '').split('\n').filter(Boolean)) endProcess(Number(pid));
    runSync(['ip', 'netns', 'del', state.target]);
  } else if (state.kind === 'attached') {
    runSync(['ip', '-n', state.target, 'link', 'del', state.targetLink]);
  }
  runSync(['ip', 'netns', 'del', state.tester]);
  rmSync(stateFile(state.id), { force: true });
}

/** Kills a process only if it still is one of ours (its command line names tcpconform or its tools). */
function endProcess(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!/tcpconform|harness\/link\/relay|qemu-system|runsc/.test(cmdline)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function listLabStates(): LabState[] {
  let files: string[] = [];
  try {
    files = readdirSync(STATE_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(STATE_DIR, f), 'utf8')) as LabState];
    } catch {
      return [];
    }
  });
}

/** Whether the run that made a lab still runs: its lab is in use, not left over. */
function inUse(state: LabState): boolean {
  if (!state.owner || state.owner === process.pid) return false;
  try {
    process.kill(state.owner, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what crashed runs left and what `lab up` made: recorded labs first, then any namespace
 * with our prefix. A lab whose run is still going is left alone (and said so).
 */
export function destroyAllLabs(): { removed: string[]; inUse: string[] } {
  const removed: string[] = [];
  const busy = listLabStates().filter(inUse);
  for (const state of listLabStates().filter((s) => !inUse(s))) {
    destroySync(state);
    removed.push(state.kind === 'namespaces' ? `${state.tester}, ${state.target}` : state.kind === 'vm' ? `${state.tester} (and its VM)` : `${state.tester} (detached from ${state.target})`);
  }
  // An ssh target's table in this namespace, left by a crash.
  for (const table of (runSync(['nft', 'list', 'tables']) ?? '').match(/tcpconform_ssh_[0-9a-f]+/g) ?? []) {
    runSync(['nft', 'delete', 'table', 'inet', table]);
    removed.push(`nftables table ${table}`);
  }
  const kept = new Set(busy.flatMap((s) => [s.tester, s.target]));
  for (const ns of (runSync(['ip', 'netns', 'list']) ?? '').split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(LAB_PREFIX) || kept.has(ns)) continue;
    for (const pid of (runSync(['ip', 'netns', 'pids', ns]) ?? '').split('\n').filter(Boolean)) endProcess(Number(pid));
    runSync(['ip', 'netns', 'del', ns]);
    removed.push(ns);
  }
  return { removed, inUse: busy.map((s) => `${s.tester} (run ${s.owner})`) };
}
