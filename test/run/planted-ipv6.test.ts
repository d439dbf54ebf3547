/**
 * IPv6 deviations planted with `ip6` nftables rules in a netns: target: each is caught with a
 * shrunk counterexample. The same rules as `ip` rules touch IPv4 only: the IPv6 run conforms.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plant, removePlant, runAgainstPlant } from '../support/plant.ts';
import { requireRoot } from '../support/root.ts';

const RULES = {
  /** ICMP errors reaching the target dropped. */
  icmpIn: { ip6: 'icmpv6 type destination-unreachable drop', ip: 'icmp type destination-unreachable drop' },
  /** RSTs leaving the target dropped. */
  rstOut: 'tcp flags & rst == rst drop',
  /** The SYN-ACK's MSS rewritten. */
  mssOut: 'tcp flags & (syn | ack) == syn | ack tcp option maxseg size set 1000',
};

const chains = (family: 'ip' | 'ip6'): string =>
  [
    `  chain in { type filter hook input priority 0; ${RULES.icmpIn[family]}; }`,
    `  chain out { type filter hook output priority 0; ${RULES.rstOut}; }`,
    `  chain mangle { type filter hook output priority mangle; ${RULES.mssOut}; }`,
  ].join('\n');

describe('planted IPv6 deviations', () => {
  beforeEach(() => requireRoot());
  afterEach(removePlant);

  it('ICMPv6 to the target dropped: connect() waits where the model has it fail at once, shrunk to a few steps', async () => {
    plant(`  chain in { type filter hook input priority 0; ${RULES.icmpIn.ip6}; }`, 'ip6');
    const { code, result } = await runAgainstPlant(['connect-errors'], { family: 6, runs: null, seed: 4 });
    expect(code).toBe(1);
    const answered = result('connect-answered');
    expect(answered).toMatchObject({ family: 6, status: 'fail' });
    const cx = answered.counterexample!;
    expect(cx.deviations.some((d) => d.rule?.id === 'connect.icmpUnreachable')).toBe(true);
    expect(cx.actions.filter((a) => a.action.kind !== 'wait').length).toBeLessThanOrEqual(3);
    expect(cx.replays.reproduced).toBe(cx.replays.attempts);
    expect(cx.settings.family).toBe('ipv6');
  });

  it('RSTs leaving the target dropped: the closed port stays silent over IPv6', async () => {
    plant(`  chain out { type filter hook output priority 0; ${RULES.rstOut}; }`, 'ip6');
    const { code, result } = await runAgainstPlant(['closed-ports'], { family: 6 });
    expect(code).toBe(1);
    const rst = result('rst-from-closed-port');
    expect(rst.status).toBe('fail');
    expect(rst.counterexample!.deviations.some((d) => d.kind === 'missing-segment' && d.expected.includes('[R'))).toBe(true);
    expect(rst.counterexample!.actions.length).toBeLessThanOrEqual(2);
  });

  it("the SYN-ACK's MSS rewritten: options.mss expected 1440 (MTU 1500 less IPv6's 60 bytes of headers), observed 1000", async () => {
    plant(`  chain mangle { type filter hook output priority mangle; ${RULES.mssOut}; }`, 'ip6');
    const { code, result } = await runAgainstPlant(['handshake'], { family: 6 });
    expect(code).toBe(1);
    const cx = result('options-negotiated').counterexample!;
    expect(cx.deviations.some((d) => d.field === 'options.mss' && d.expected === '1440' && d.observed === '1000')).toBe(true);
    expect(cx.actions.length).toBeLessThanOrEqual(4);
    expect(cx.packetdrill).toBeTruthy();
  });

  it('the same three rules as ip rules leave the IPv6 run conformant', async () => {
    plant(chains('ip'), 'ip');
    const { code, report } = await runAgainstPlant(['handshake', 'closed-ports', 'connect-errors'], { family: 6, runs: null });
    expect(report.properties.every((p) => p.family === 6)).toBe(true);
    expect(report.properties.filter((p) => p.status === 'fail' || p.status === 'error')).toEqual([]);
    expect(code).toBe(0);
  });
});
