/**
 * Drives the agent over any pair of streams that carry its stdio: `ip netns exec`, ssh, a VM's
 * console. Lines that are not a reply it waits for (echo, kernel chatter, \r) are ignored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../cli/errors.ts';
import { SOCKET_FEATURES, type Op, type Replies, type Requests, type SocketFeature } from './protocol.ts';

/** A request the agent refused or a system call that failed on the target. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly op: string,
    message: string,
    readonly errno: string | null,
  ) {
    super(`agent ${op}: ${message}${errno ? ` (${errno})` : ''}`);
  }
}

/** The agent's ready line: its stack, and the socket features that stack lacks. */
export interface AgentReady {
  readonly kernel: string;
  readonly lacks: ReadonlySet<SocketFeature>;
}

const socketFeatures = (value: unknown): ReadonlySet<SocketFeature> => new Set(Array.isArray(value) ? value.filter((f): f is SocketFeature => (SOCKET_FEATURES as readonly unknown[]).includes(f)) : []);

export function agentBinaryPath(): string {
  const path = join(dirname(fileURLToPath(import.meta.url)), '../../build/tcpconform-agent');
  if (!existsSync(path)) throw new EnvironmentError('the target agent is not built: run `npm run build:agent` (needs gcc and libc6-dev)');
  return path;
}

/** The agent built against lwIP (dynamically linked to Debian's liblwip). */
export function lwipAgentBinaryPath(): string {
  const path = join(dirname(fileURLToPath(import.meta.url)), '../../build/tcpconform-agent-lwip');
  if (!existsSync(path)) throw new EnvironmentError('the lwIP agent is not built: run scripts/setup.sh (it installs liblwip-dev and builds it)');
  return path;
}

interface Waiting {
  op: string;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Margin on top of a request's own timeout before the client gives up on its reply. */
const REPLY_MARGIN_MS = 5_000;

export class AgentClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly readyLine: Promise<AgentReady>;
  private closed: Error | null = null;

  constructor(
    private readonly input: Writable,
    output: Readable,
    private readonly child: ChildProcess | null = null,
  ) {
    let markReady: (info: AgentReady) => void = () => undefined;
    this.readyLine = new Promise((resolve) => (markReady = resolve));
    const lines = createInterface({ input: output, crlfDelay: Infinity });
    lines.on('line', (raw) => {
      const line = raw.replace(/\r/g, '').trim();
      if (!line.startsWith('{')) return;
      let reply: Record<string, unknown>;
      try {
        reply = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (reply.id === 0 && reply.ready === true) return markReady({ kernel: String(reply.kernel), lacks: socketFeatures(reply.lacks) });
      const waiter = typeof reply.id === 'number' ? this.waiting.get(reply.id) : undefined;
      if (!waiter) return;
      this.waiting.delete(reply.id as number);
      clearTimeout(waiter.timer);
      if (reply.ok === true) waiter.resolve(reply);
      else waiter.reject(new AgentError(waiter.op, String(reply.error), typeof reply.errno === 'string' ? reply.errno : null));
    });
    output.on('close', () => this.fail(new AgentError('agent', 'the agent went away', null)));
    // A write to an agent that died (EPIPE) fails the calls; it must not crash the run.
    input.on('error', (error) => this.fail(new AgentError('agent', `cannot write to the agent: ${error.message}`, null)));
  }

  /** Starts the agent as a child process, e.g. ['ip', 'netns', 'exec', ns, agentBinaryPath()]. */
  static spawn(command: readonly string[]): AgentClient {
    const [file, ...args] = command;
    if (file === undefined) throw new RangeError('empty agent command');
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    return new AgentClient(child.stdin, child.stdout, child);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  ready(timeoutMs = 10_000): Promise<AgentReady> {
    return withTimeout(this.readyLine, timeoutMs, 'the agent did not start');
  }

  request<O extends Op>(op: O, fields: Requests[O], timeoutMs = 0): Promise<Replies[O]> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new AgentError(op, `no reply within ${timeoutMs + REPLY_MARGIN_MS} ms`, null));
      }, timeoutMs + REPLY_MARGIN_MS);
      this.waiting.set(id, { op, resolve: resolve as (r: Record<string, unknown>) => void, reject, timer });
      this.input.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    });
  }

  listen(r: Requests['listen']) {
    return this.request('listen', r);
  }
  accept(r: Requests['accept']) {
    return this.request('accept', r, r.timeout_ms);
  }
  connect(r: Requests['connect']) {
    return this.request('connect', r, r.nonblocking ? 0 : (r.timeout_ms ?? 600_000));
  }
  connectWait(r: Requests['connect_wait']) {
    return this.request('connect_wait', r, r.timeout_ms);
  }
  close(r: Requests['close']) {
    return this.request('close', r);
  }
  async sysctlGet(names: readonly string[]): Promise<Record<string, string>> {
    return (await this.request('sysctl_get', { names: [...names] })).values;
  }
  async sysctlSet(name: string, value: string): Promise<string> {
    return (await this.request('sysctl_set', { name, value })).previous;
  }
  async setMtu(addr: string, mtu: number): Promise<number> {
    return (await this.request('set_mtu', { addr, mtu })).previous;
  }
  async sockets(port?: number) {
    return (await this.request('sockets', port === undefined ? {} : { port })).sockets;
  }
  async counters(): Promise<Record<string, number>> {
    return (await this.request('counters', {})).counters;
  }
  async reset(): Promise<void> {
    await this.request('reset', {});
  }
  info() {
    return this.request('info', {});
  }

  /** Ends the agent: EOF on its stdin; a child that does not exit in time is killed by PID. */
  async shutdown(graceMs = 2_000): Promise<void> {
    // Calls made from now on fail at once, not with a write after the end of stdin.
    this.fail(new AgentError('agent', 'closed', null));
    this.input.end();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  }

  private fail(error: Error): void {
    this.closed ??= error;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(error);
      this.waiting.delete(id);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new EnvironmentError(`${message} within ${ms} ms`)), ms);
    promise.then((v) => (clearTimeout(timer), resolve(v)), (e: unknown) => (clearTimeout(timer), reject(e)));
  });
}
