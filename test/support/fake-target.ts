/**
 * A target without a kernel, for root-free tests of the executor: a fake Wire that answers the
 * barrier's probes (an RST whose seq is the probe's ack) and replays scripted kernel answers to
 * the segments the harness crafts, and a fake agent that answers socket calls from a script.
 * Everything the executor sent is kept, decoded, for the test to read.
 */
import { PassThrough } from 'node:stream';
import { AgentClient } from '../../harness/agent/client.ts';
import type { Captured } from '../../harness/link/raw-link.ts';
import { DEFAULT_SYSCTLS } from '../../harness/model/profiles.ts';
import { decodeIpPacket, tcpPacket, type TcpOption, type TcpSegment } from '../../harness/packet/index.ts';
import type { Wire } from '../../harness/executor/wire.ts';

export const TARGET_ADDR = '10.77.0.2';

/** CLOCK_MONOTONIC in ms, the clock of every Captured packet (DESIGN.md, wire contracts). */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** A crafted segment as the fake kernel received it. */
export interface Received {
  readonly src: string;
  readonly dst: string;
  readonly segment: TcpSegment;
}

/** The fake kernel's answer to a received segment: what it sends back, and when (ms later). */
export interface ScriptedAnswer {
  readonly flags: TcpSegment['flags'];
  readonly seq: number;
  readonly ack: number;
  readonly window: number;
  readonly options?: TcpOption[];
  readonly afterMs?: number;
}

export class FakeWire implements Wire {
  readonly received: Received[] = [];
  private readonly listeners = new Set<(p: Captured) => void>();
  /** false: probes go unanswered, so the executor must fall back to its timeout. */
  answerProbes = true;

  constructor(private readonly script: (r: Received) => ScriptedAnswer[] = () => []) {}

  async send(bytes: Uint8Array): Promise<number> {
    const at = monotonicMs();
    const decoded = decodeIpPacket(bytes);
    if (!decoded.ok || decoded.value.transport.protocol !== 'tcp') return at;
    const r: Received = { src: decoded.value.ip.src, dst: decoded.value.ip.dst, segment: decoded.value.transport.segment };
    this.received.push(r);
    const isProbe = r.segment.dstPort === 9 && r.segment.flags.includes('ACK') && !r.segment.flags.includes('SYN');
    const answers: ScriptedAnswer[] = isProbe ? (this.answerProbes ? [{ flags: ['RST'], seq: r.segment.ack, ack: 0, window: 0 }] : []) : this.script(r);
    for (const a of answers) {
      const reply = tcpPacket({ src: r.dst, dst: r.src, srcPort: r.segment.dstPort, dstPort: r.segment.srcPort, seq: a.seq, ack: a.ack, flags: a.flags, window: a.window, options: a.options ?? [] });
      setTimeout(() => this.listeners.forEach((l) => l({ at: monotonicMs(), bytes: reply })), a.afterMs ?? 0);
    }
    return at;
  }

  subscribe(listener: (packet: Captured) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Replies of the fake agent by op; the default answers what any case needs (reset, sysctls, counters, listen). */
export type AgentScript = Partial<Record<string, (request: Record<string, unknown>) => Record<string, unknown>>>;

/** An AgentClient whose agent is this process: one JSON line in, one JSON line out. */
export function fakeAgent(script: AgentScript = {}): { agent: AgentClient; calls: Array<Record<string, unknown>> } {
  const toAgent = new PassThrough();
  const fromAgent = new PassThrough();
  const calls: Array<Record<string, unknown>> = [];
  const defaults: AgentScript = {
    reset: () => ({}),
    sysctl_get: () => ({ values: DEFAULT_SYSCTLS }),
    sysctl_set: () => ({ previous: '0' }),
    counters: () => ({ counters: {} }),
    listen: () => ({ fd: 3 }),
    accept: () => ({ accepted: [] }),
    close: () => ({}),
  };
  let buffered = '';
  toAgent.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const request = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      calls.push(request);
      const answer = script[String(request.op)] ?? defaults[String(request.op)];
      const reply = answer ? { id: request.id, ok: true, ...answer(request) } : { id: request.id, ok: false, error: `the fake agent has no ${String(request.op)}` };
      fromAgent.write(`${JSON.stringify(reply)}\n`);
    }
  });
  fromAgent.write(`${JSON.stringify({ id: 0, ok: true, ready: true, kernel: 'fake' })}\n`);
  return { agent: new AgentClient(toAgent, fromAgent), calls };
}
