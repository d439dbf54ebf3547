/**
 * The harness's end of the raw link: crafted IP packets (either family) out, every packet the tester receives in, each
 * with its monotonic timestamp, all of it also appended to the run's pcap.
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

export class RawLink {
  private readonly listeners = new Set<Listener>();
  private readonly sends: Array<{ resolve: (at: number) => void; reject: (e: Error) => void }> = [];
  private readonly reader = new FrameReader();
  private pcap: PcapWriter | null;
  private exited: Error | null = null;

  private constructor(
    private readonly relay: ChildProcess,
    pcapPath: string | null,
  ) {
    this.pcap = pcapPath === null ? null : new PcapWriter(pcapPath);
  }

  get pid(): number | undefined {
    return this.relay.pid;
  }

  /** Starts the relay inside the tester namespace (null: this process's own) and waits until its sockets are open. */
  static async start(testerNamespace: string | null, options: { pcapPath?: string } = {}): Promise<RawLink> {
    const relayCommand = [process.execPath, '--import', 'tsx', join(ROOT, 'harness/link/relay.ts')];
    const [file, ...args] = testerNamespace === null ? relayCommand : ['ip', 'netns', 'exec', testerNamespace, ...relayCommand];
    const relay = spawn(file!, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const link = new RawLink(relay, options.pcapPath ?? null);
    let stderr = '';
    relay.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      relay.stdout!.on('data', (chunk: Buffer) => {
        for (const frame of link.reader.push(new Uint8Array(chunk))) {
          if (frame.kind === FrameKind.Ready) resolve();
          else link.onFrame(frame);
        }
      });
      // A send to a relay that died (EPIPE) is rejected by the exit below; it must not crash the run.
      relay.stdin!.on('error', () => undefined);
      relay.once('exit', (code) => {
        link.exited ??= new EnvironmentError(`the raw link relay in ${testerNamespace ?? 'this namespace'} exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
        reject(link.exited);
        for (const s of link.sends.splice(0)) s.reject(link.exited);
      });
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new EnvironmentError(`the raw link relay did not start within 15 s: ${stderr.trim()}`)), 15_000).unref());
    try {
      await Promise.race([ready, timeout]);
    } catch (error) {
      relay.kill('SIGKILL');
      throw error;
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
      this.relay.stdin!.write(encodeFrame({ kind: FrameKind.Send, at: 0, payload: bytes }));
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
    this.relay.stdin!.end();
    if (this.relay.exitCode === null) {
      const timer = setTimeout(() => this.relay.kill('SIGKILL'), 2_000);
      await new Promise((resolve) => this.relay.once('exit', resolve));
      clearTimeout(timer);
    }
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
