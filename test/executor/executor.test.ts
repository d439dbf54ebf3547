/**
 * The wire executor against a fake target (no root, no kernel): what it crafts, how it follows
 * the target's numbers, how it proves silence, and where each case's peers live.
 */
import { describe, expect, it } from 'vitest';
import { wireExecutor } from '../../harness/executor/wire-executor.ts';
import { ACK_WINDOW, badAckOffset, clientIsn } from '../../harness/model/harness-numbers.ts';
import type { Scenario, SynOptions } from '../../harness/model/actions.ts';
import { FakeWire, fakeAgent, TARGET_ADDR, type Received } from '../support/fake-target.ts';
import { LAB_ADDRESSES } from '../../harness/target/target.ts';

const full: SynOptions = { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 };
const KERNEL_ISN = 0x0abc_0000;
const KERNEL_TSVAL = 555_000;

/** A kernel that answers each SYN to the listener with a SYN-ACK (timestamps echoed) and stays quiet otherwise. */
const synAcks = (r: Received) =>
  r.segment.flags.includes('SYN') && r.segment.dstPort !== 9
    ? [{ flags: ['SYN', 'ACK'] as const, seq: KERNEL_ISN, ack: (r.segment.seq + 1) >>> 0, window: 65160, options: [{ kind: 'mss', value: 1460 } as const, { kind: 'timestamps', tsval: KERNEL_TSVAL, tsecr: 7000 } as const] }].map((a) => ({ ...a, flags: [...a.flags] }))
    : [];

async function executorOn(wire: FakeWire, script = {}) {
  const { agent, calls } = fakeAgent(script);
  const executor = await wireExecutor({ description: 'fake', agent, wire, addresses: LAB_ADDRESSES, mtu: 1500, ownsLink: true, barrierSettleMs: 0, lacks: new Set() });
  return { executor, calls };
}

const handshake: Scenario = { config: {}, actions: [{ kind: 'listen', backlog: 1 }, { kind: 'syn', client: 0, options: full, window: 64240 }, { kind: 'finalAck', client: 0 }] };

describe('wire executor (a listener with one client)', () => {
  it('crafts the SYN with the options in the order Linux sends them, from the client\'s own address', async () => {
    const wire = new FakeWire(synAcks);
    const { executor } = await executorOn(wire);
    await executor.execute(handshake);
    const syn = wire.received.find((r) => r.segment.flags.includes('SYN'))!;
    expect(syn.src).toMatch(/^10\.77\.0\.(1[3-9]\d)$/);
    expect(syn.segment.seq).toBe(clientIsn(0));
    expect(syn.segment.options.map((o) => o.kind)).toEqual(['mss', 'sackPermitted', 'timestamps', 'nop', 'windowScale']);
  });

  it('the final ACK acknowledges the ISN the target chose and echoes its TSval', async () => {
    const wire = new FakeWire(synAcks);
    const { executor } = await executorOn(wire);
    const execution = await executor.execute(handshake);
    const finalAck = execution.sent.find((s) => s.cause === 2)!.segment;
    expect(finalAck.flags).toEqual(['ACK']);
    expect(finalAck.ack).toBe(KERNEL_ISN + 1);
    expect(finalAck.window).toBe(ACK_WINDOW);
    expect(finalAck.options.timestamps?.tsecr).toBe(KERNEL_TSVAL);
    expect(execution.observed.filter((o) => o.kind === 'segment').map((o) => o.kind === 'segment' && o.segment.flags)).toEqual([['SYN', 'ACK']]);
  });

  it('a bad ACK is offset from the target\'s ISN, never its ISN + 1', async () => {
    const wire = new FakeWire(synAcks);
    const { executor } = await executorOn(wire);
    const execution = await executor.execute({ config: {}, actions: [handshake.actions[0]!, handshake.actions[1]!, { kind: 'badAck', client: 0 }] });
    expect(execution.sent.find((s) => s.cause === 2)!.segment.ack).toBe((KERNEL_ISN + 1 + badAckOffset) >>> 0);
  });

  it('silence after each step and at the end is proven by a barrier when the probe is answered, by a timeout when not', async () => {
    const answered = await (await executorOn(new FakeWire(synAcks))).executor.execute(handshake);
    expect(answered.silence).toEqual({ barrier: 4, timeout: 0 });
    const deaf = new FakeWire(synAcks);
    deaf.answerProbes = false;
    const unanswered = await (await executorOn(deaf)).executor.execute(handshake);
    expect(unanswered.silence).toEqual({ barrier: 0, timeout: 4 });
  });

  it('each case starts from fresh state: the agent is reset, the config set, and the peers get new ports', async () => {
    const wire = new FakeWire(synAcks);
    const { executor, calls } = await executorOn(wire);
    await executor.execute({ ...handshake, config: { 'net.ipv4.tcp_syncookies': 0 } });
    await executor.execute(handshake);
    const ports = wire.received.filter((r) => r.segment.flags.includes('SYN')).map((r) => [r.segment.srcPort, r.segment.dstPort]);
    expect(ports[0]).not.toEqual(ports[1]);
    expect(calls.filter((c) => c.op === 'reset').length).toBeGreaterThanOrEqual(3);
    expect(calls).toContainEqual(expect.objectContaining({ op: 'sysctl_set', name: 'net.ipv4.tcp_syncookies', value: '0' }));
  });

  it('accept() reports clients by the address the agent returns, in the order it returns them', async () => {
    const wire = new FakeWire(synAcks);
    const accept = () => {
      const syn = wire.received.find((r) => r.segment.flags.includes('SYN'))!;
      return { accepted: [{ fd: 4, peer: `${syn.src}:${syn.segment.srcPort}`, local: `${TARGET_ADDR}:${syn.segment.dstPort}` }] };
    };
    const { executor } = await executorOn(wire, { accept });
    const scenario: Scenario = { config: {}, actions: [...handshake.actions, { kind: 'accept', max: 1 }] };
    const execution = await executor.execute(scenario);
    expect(execution.observed).toContainEqual(expect.objectContaining({ kind: 'result', cause: 3, result: { call: 'accept', accepted: [0] } }));
  });
});
