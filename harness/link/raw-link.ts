/**
 * The harness's end of the raw link: crafted IP packets (either family) out through the relay,
 * every packet the tester receives in from the capture, each with its monotonic timestamp, all
 * of it also appended to the run's pcap. Both run inside the tester namespace and speak frames.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../cli/errors.ts';
import { PcapWriter } from '../packet/pcap.ts';
import { encodeFrame, FrameKind, FrameReader, monotonicMs, type Frame } from './framing.ts';

export interface Captured {
  /** Monotonic milliseconds (process.hrtime), comparable across this machine's processes. */
  readonly at: number;
  readonly bytes: Uint8Array;
}

type Listener = (packet: Captured) => void;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Monotonic to wall clock, for pcap timestamps. */
const EPOCH_OFFSET = Date.now() - monotonicMs();

/** A child of the link speaking frames on its stdout: ready once it says so. */
async function startFramed(command: readonly string[], what: string, onFrame: (frame: Frame) => void, onExit: (error: EnvironmentError) => void): Promise<ChildProcess> {
  const [file, ...args] = command;
  const child = spawn(file!, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const reader = new FrameReader();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // A write to a child that died (EPIPE) is answered by the exit below; it must not crash the run.
  child.stdin!.on('error', () => undefined);
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(new Uint8Array(chunk))) {
        if (frame.kind === FrameKind.Ready) resolve();
        else onFrame(frame);
      }
    });
    child.once('exit', (code) => {
      const error = new EnvironmentError(`the raw link's ${what} exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
      reject(error);
      onExit(error);
    });
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new EnvironmentError(`the raw link's ${what} did not start within 15 s: ${stderr.trim()}`)), 15_000).unref());
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

export class RawLink {
  private readonly listeners = new Set<Listener>();
  private readonly sends: Array<{ resolve: (at: number) => void; reject: (e: Error) => void }> = [];
  private pcap: PcapWriter | null;
  private exited: Error | null = null;
  private relay: ChildProcess | null = null;
  private capture: ChildProcess | null = null;

  private constructor(pcapPath: string | null) {
    this.pcap = pcapPath === null ? null : new PcapWriter(pcapPath);
  }

  /** The relay's and the capture's, for a lab to end after a crash. */
  get pids(): number[] {
    return [this.relay?.pid, this.capture?.pid].filter((pid): pid is number => pid !== undefined);
  }

  /**
   * Starts the relay (raw sockets that send) and the capture (an AF_PACKET socket: a raw IPv6
   * socket never shows the IPv6 header) inside the tester namespace (null: this process's own).
   */
  static async start(testerNamespace: string | null, options: { pcapPath?: string } = {}): Promise<RawLink> {
    const inNamespace = (command: string[]): string[] => (testerNamespace === null ? command : ['ip', 'netns', 'exec', testerNamespace, ...command]);
    const link = new RawLink(options.pcapPath ?? null);
    const onExit = (error: EnvironmentError): void => {
      link.exited ??= error;
      for (const s of link.sends.splice(0)) s.reject(link.exited);
    };
    const onFrame = (frame: Frame): void => link.onFrame(frame);
    const [relay, capture] = await Promise.allSettled([
      startFramed(inNamespace([process.execPath, '--import', 'tsx', join(ROOT, 'harness/link/relay.ts')]), 'relay', onFrame, onExit),
      startFramed(inNamespace([join(ROOT, 'build/tcpconform-capture')]), 'capture', onFrame, onExit),
    ]);
    link.relay = relay.status === 'fulfilled' ? relay.value : null;
    link.capture = capture.status === 'fulfilled' ? capture.value : null;
    const failed = [relay, capture].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await link.close();
      throw failed.reason;
    }
    return link;
  }

  /** Sends one IP packet; resolves with the monotonic time it left. */
  send(bytes: Uint8Array): Promise<number> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.sends.push({
        resolve: (at) => {
          this.pcap?.append({ timestampMs: at + EPOCH_OFFSET, bytes });
          resolve(at);
        },
        reject,
      });
      this.relay!.stdin!.write(encodeFrame({ kind: FrameKind.Send, at: 0, payload: bytes }));
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first captured packet (from now on) that satisfies the predicate, or null after the timeout. */
  waitFor(predicate: (p: Captured) => boolean, timeoutMs: number): Promise<Captured | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(null);
      }, timeoutMs);
      const unsubscribe = this.subscribe((p) => {
        if (!predicate(p)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(p);
      });
    });
  }

  async close(): Promise<void> {
    // Sends from now on fail at once, not with a write after the end of the relay's stdin.
    this.exited ??= new EnvironmentError('the raw link is closed');
    for (const s of this.sends.splice(0)) s.reject(this.exited);
    this.relay?.stdin!.end();
    this.capture?.kill('SIGTERM');
    await Promise.all(
      [this.relay, this.capture].map(async (child) => {
        if (child === null || child.exitCode !== null || child.signalCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await new Promise((resolve) => child.once('exit', resolve));
        clearTimeout(timer);
      }),
    );
    this.pcap?.close();
    this.pcap = null;
  }

  private onFrame(frame: Frame): void {
    if (frame.kind === FrameKind.Sent) this.sends.shift()?.resolve(frame.at);
    else if (frame.kind === FrameKind.Error) this.sends.shift()?.reject(new EnvironmentError(`raw send failed: ${new TextDecoder().decode(frame.payload)}`));
    else if (frame.kind === FrameKind.Received) {
      const packet = { at: frame.at, bytes: frame.payload };
      this.pcap?.append({ timestampMs: frame.at + EPOCH_OFFSET, bytes: frame.payload });
      for (const listener of this.listeners) listener(packet);
    }
  }
}
