/**
 * A kernel under test in qemu: its NIC is a tap in the lab's tester namespace (qemu runs
 * inside that namespace), its agent speaks over the second serial port, reached through a
 * unix socket. Software emulation (TCG) unless TCPCONFORM_ACCEL=kvm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SocketFeature } from '../agent/protocol.ts';
import { AgentClient } from '../agent/client.ts';
import { EnvironmentError } from '../cli/errors.ts';
import type { Lab } from '../lab/lab.ts';
import { onTeardown } from '../lab/teardown.ts';
import { buildInitramfs } from './initramfs.ts';

export interface BootedVm {
  readonly agent: AgentClient;
  readonly kernel: string;
  readonly lacks: ReadonlySet<SocketFeature>;
  /** Milliseconds from starting qemu to the agent's ready line. */
  readonly bootMs: number;
  close(): Promise<void>;
}

export interface VmKernel {
  readonly vmlinuz: string;
  /** Directory the module paths are relative to. */
  readonly directory: string;
  readonly modules: readonly string[];
}

const BOOT_TIMEOUT_MS = 120_000;

export async function bootVm(lab: Lab, kernel: VmKernel): Promise<BootedVm> {
  const work = mkdtempSync(join(tmpdir(), 'tcpc-vm-'));
  // The VM's files (initramfs, logs, the agent's socket) go with it, however the run ends.
  const [removeWork] = onTeardown(() => rmSync(work, { recursive: true, force: true }));
  const initrd = await buildInitramfs(kernel.directory, kernel.modules, join(work, 'initrd.cpio'));
  const socketPath = join(work, 'agent.sock');
  const consoleLog = join(work, 'console.log');
  // KVM is opt-in: where /dev/kvm exists but does not work (these machines), qemu aborts
  // instead of falling back, and TCG boots a Debian kernel in seconds anyway.
  const accel = ['-accel', process.env.TCPCONFORM_ACCEL === 'kvm' ? 'kvm' : 'tcg'];
  const args = [
    ...accel, '-cpu', 'max', '-m', '256M', '-smp', '1', '-display', 'none', '-monitor', 'none', '-no-reboot',
    '-kernel', kernel.vmlinuz, '-initrd', initrd, '-append', 'console=ttyS0 panic=-1 quiet',
    '-netdev', `tap,id=n0,ifname=${lab.state.targetLink},script=no,downscript=no`, '-device', 'e1000,netdev=n0',
    '-serial', `file:${consoleLog}`,
    '-chardev', `socket,id=agent,path=${socketPath},server=on,wait=off`, '-serial', 'chardev:agent',
  ];
  const started = Date.now();
  const qemu: ChildProcess = spawn('ip', ['netns', 'exec', lab.tester, 'qemu-system-x86_64', ...args], { stdio: ['ignore', 'ignore', openSync(join(work, 'qemu.err'), 'w')] });
  if (qemu.pid) lab.addPid(qemu.pid);
  let exited = false;
  qemu.once('exit', () => (exited = true));
  const fail = (why: string): EnvironmentError => {
    const log = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ') : '');
    return new EnvironmentError(`${why}; qemu: ${log(join(work, 'qemu.err'))}; console: ${log(consoleLog)}`);
  };
  try {
    const socket = await connectWhenListening(socketPath, () => exited, started + BOOT_TIMEOUT_MS);
    if (!socket) throw fail('qemu did not start');
    const agent = new AgentClient(socket, socket);
    const { kernel: release, lacks } = await Promise.race([agent.ready(BOOT_TIMEOUT_MS), new Promise<never>((_, reject) => qemu.once('exit', () => reject(fail('the VM stopped before its agent was ready'))))]);
    return {
      agent,
      kernel: release,
      lacks,
      bootMs: Date.now() - started,
      async close() {
        socket.destroy();
        if (!exited) {
          qemu.kill('SIGKILL');
          await new Promise((resolve) => qemu.once('exit', resolve));
        }
        removeWork();
      },
    };
  } catch (error) {
    if (!exited) qemu.kill('SIGKILL');
    const reported = error instanceof EnvironmentError ? error : fail(error instanceof Error ? error.message : String(error));
    removeWork();
    throw reported;
  }
}

/** qemu creates the socket when it starts listening: retry until then, the process dies, or the deadline. */
async function connectWhenListening(path: string, dead: () => boolean, deadline: number): Promise<Socket | null> {
  while (Date.now() < deadline && !dead()) {
    if (existsSync(path)) {
      const socket = await new Promise<Socket | null>((resolve) => {
        const s = connect(path);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (socket) return socket;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}
