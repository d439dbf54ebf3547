/**
 * Deviations planted in a namespace the run is pointed at (netns:<name>): the run must exit 1
 * with a shrunk counterexample, its pcap and its packetdrill script.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePcap } from '../../harness/packet/index.ts';
import { plant, removePlant, runAgainstPlant as runPlanted } from '../support/plant.ts';
import { requireRoot } from '../support/root.ts';

/** Runs a suite against the plant; `negotiated`: the result of its option-negotiation property (the handshake's shortest). */
async function runAgainstPlant(suite: string) {
  const { code, out, result } = await runPlanted([suite]);
  return { code, out, negotiated: result('options-negotiated') };
}

describe('planted deviations', () => {
  beforeEach(() => requireRoot());
  afterEach(removePlant);

  it('an nftables rule that rewrites the SYN-ACK MSS to 1000: exit 1, options.mss named, a few steps, pcap and packetdrill script', async () => {
    plant('  chain out { type filter hook output priority mangle; tcp flags & (syn | ack) == syn | ack tcp option maxseg size set 1000; }');
    const { code, out, negotiated } = await runAgainstPlant('handshake');
    expect(code).toBe(1);
    const cx = negotiated.counterexample!;
    expect(negotiated.status).toBe('fail');
    expect(cx.deviations.some((d) => d.field === 'options.mss' && d.expected === '1460' && d.observed === '1000')).toBe(true);
    expect(cx.actions.length).toBeLessThanOrEqual(4);
    expect(cx.replays.reproduced).toBe(cx.replays.attempts);
    const pcap = decodePcap(readFileSync(join(out, cx.pcap)));
    expect(pcap.ok && pcap.value.records.length).toBeGreaterThan(2);
    // The script asserts what the profile expects; observed.pkt what the kernel did.
    expect(readFileSync(join(out, cx.packetdrill), 'utf8')).toMatch(/> S\. 0:0\(0\) ack 1 win \d+ <mss 1460/);
    expect(readFileSync(join(out, cx.packetdrillObserved), 'utf8')).toMatch(/> S\. 0:0\(0\) ack 1 win \d+ <mss 1000/);
    expect(existsSync(join(out, 'report.html')) && existsSync(join(out, 'junit.xml'))).toBe(true);
  });

  it('an nftables rule that drops every final ACK of a handshake: accept() stays empty, exit 1', async () => {
    plant('  chain in { type filter hook input priority 0; tcp dport 10000-19999 tcp flags & (syn | ack | fin | rst) == ack drop; }');
    const { code, negotiated } = await runAgainstPlant('handshake');
    expect(code).toBe(1);
    const cx = negotiated.counterexample!;
    expect(cx.deviations.some((d) => d.kind === 'wrong-result' && d.observed.startsWith('accept -> nothing'))).toBe(true);
    expect(cx.actions.length).toBeLessThanOrEqual(4);
  });
});
