/**
 * `gvisor`: gVisor's netstack (Debian's runsc) behind the Linux syscall API. The static agent
 * runs unmodified in a runsc sandbox whose network namespace is a fresh lab's target namespace;
 * the sandbox takes the namespace's interface and addresses over (runsc --network=sandbox), so
 * the crafted packets meet netstack, not the host kernel. Each sandbox gets its own lab: runsc
 * does not give the addresses back when it ends.
 */
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient, agentBinaryPath } from '../agent/client.ts';
import { EnvironmentError } from '../cli/errors.ts';
import { run } from '../lab/command.ts';
import { Lab, RUNSC_ROOT, runscBundle } from '../lab/lab.ts';
import { RawLink } from '../link/raw-link.ts';
import { abandon, LAB_ADDRESSES, targetOf, type Target } from './target.ts';

/** Target.barrierSettleMs: netstack's answers can come after a later segment's RST (seen: a SYN-ACK captured 2.3 ms after the next step had begun); 20 ms leaves room under load. */
const GVISOR_SETTLE_MS = 20;

/** An OCI bundle: the agent alone in a read-only root, in the lab's target network namespace. */
function writeBundle(directory: string, netns: string): void {
  mkdirSync(join(directory, 'rootfs'));
  copyFileSync(agentBinaryPath(), join(directory, 'rootfs/agent'));
  const capabilities = ['CAP_NET_ADMIN', 'CAP_NET_RAW'];
  const config = {
    ociVersion: '1.0.0',
    // The agent's reset then closes half-made connections without an RST, which this netstack panics on (agent.c).
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/agent'], env: ['PATH=/', 'TCPCONFORM_PLAIN_CLOSE_HANDSHAKES=1'], cwd: '/', capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities } },
    root: { path: 'rootfs', readonly: true },
    hostname: 'tcpconform-gvisor',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: `/run/netns/${netns}` }] },
  };
  writeFileSync(join(directory, 'config.json'), JSON.stringify(config, null, 2));
}

/**
 * runsc (release 20221219) takes a namespace where /proc/sys/net/core/rmem_default exists for the
 * root namespace and refuses to start there; on kernels that show it in every namespace, an empty
 * tmpfs over that directory, in a mount namespace of its own, lets it start. ptrace: no KVM here;
 * --ignore-cgroups: no blkio controller.
 */
function runscCommand(netns: string, bundle: string, id: string): string[] {
  // TCPCONFORM_RUNSC_DEBUG=<dir>: runsc's own logs there, one set per sandbox.
  const debug = process.env.TCPCONFORM_RUNSC_DEBUG ? ` --debug --debug-log=${process.env.TCPCONFORM_RUNSC_DEBUG}/` : '';
  const runsc = `exec runsc --root ${RUNSC_ROOT}${debug} --ignore-cgroups --platform=ptrace --network=sandbox run --bundle ${bundle} ${id}`;
  return ['ip', 'netns', 'exec', netns, 'unshare', '--mount', 'sh', '-c', `mount -t tmpfs none /proc/sys/net/core && ${runsc}`];
}

export async function openGvisorTarget(spec: string): Promise<Target> {
  await run(['runsc', '--version']).catch(() => {
    throw new EnvironmentError('runsc (gVisor) is not installed: run scripts/setup.sh, or apt-get install runsc');
  });
  const lab = await Lab.create();
  const id = `tcpc-${lab.state.id}`;
  const bundle = runscBundle(id);
  let agent: AgentClient | null = null;
  let link: RawLink | null = null;
  const release = async (): Promise<void> => {
    await run(['runsc', '--root', RUNSC_ROOT, 'delete', '--force', id]).catch(() => undefined);
    rmSync(bundle, { recursive: true, force: true });
    await lab.close();
  };
  try {
    lab.addSandbox(id);
    mkdirSync(bundle, { recursive: true });
    writeBundle(bundle, lab.target);
    agent = AgentClient.spawn(runscCommand(lab.target, bundle, id));
    if (agent.pid) lab.addPid(agent.pid);
    link = await RawLink.start(lab.tester);
    for (const pid of link.pids) lab.addPid(pid);
    const { kernel, lacks } = await agent.ready(30_000);
    return targetOf({ spec, kernel: `gVisor netstack (runsc, uname ${kernel})`, stack: 'gvisor', lacks, agent, link, addresses: LAB_ADDRESSES, mtu: 1500, ownsLink: false, sideBySide: 4, barrierSettleMs: GVISOR_SETTLE_MS }, release);
  } catch (error) {
    return abandon({ agent, link }, release, error);
  }
}
