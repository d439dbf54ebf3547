import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, type DiffInput } from '../../harness/diff/diff.ts';
import type { Observation, SegmentFields } from '../../harness/diff/observation.ts';
import type { Expectation, ExpectedSegment, RuleRef } from '../../harness/model/expectations.ts';

const rule: RuleRef = { id: 'listen.synAck', source: 'RFC 9293 §3.10.7.2', flags: ['synQueueFullInclusive'] };
const client0 = { kind: 'client', client: 0 } as const;

const synAck: ExpectedSegment = {
  flags: ['SYN', 'ACK'],
  seq: { bind: 'isn:client:0', plus: 0 },
  ack: { exact: 1001 },
  window: { exact: 65160 },
  options: { mss: 1460, sackPermitted: true, timestamps: { tsval: { bind: 'tsval:client:0', plus: 0 }, tsecr: { exact: 7000 } }, windowScale: { exact: 7 }, fastOpen: null },
  payloadLength: 0, ipEcn: 'notEct',
};
const expectSynAck = (earliest: number, seg = synAck): Expectation => ({ kind: 'segment', to: client0, segment: seg, at: { earliest, latest: earliest + 50 }, cause: 1, optional: false, rule });

const observedSynAck = (at: number, over: Partial<SegmentFields> = {}): Observation => ({
  kind: 'segment',
  to: client0,
  at,
  segment: { flags: ['SYN', 'ACK'], seq: 123456, ack: 1001, window: 65160, payloadLength: 0, ipEcn: 'notEct', options: { mss: 1460, sackPermitted: true, timestamps: { tsval: 55, tsecr: 7000 }, windowScale: 7, fastOpen: null }, ...over },
});

const input = (expected: Expectation[], observed: Observation[]): DiffInput => ({
  actions: [{ kind: 'listen', backlog: 1 }, { kind: 'syn', client: 0, options: { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 }, window: 64240 }],
  actionTimes: [0, 1],
  expected,
  observed,
  horizon: 5000,
});

describe('diff', () => {
  it('finds nothing when the target did exactly what was expected, binding the ISN it chose', () => {
    expect(diff(input([expectSynAck(1)], [observedSynAck(1.2)]))).toEqual([]);
  });

  it('reports a rewritten MSS option as a field mismatch naming the rule and its flags', () => {
    const [d, ...rest] = diff(input([expectSynAck(1)], [observedSynAck(1.2, { options: { mss: 1000, sackPermitted: true, timestamps: { tsval: 55, tsecr: 7000 }, windowScale: 7, fastOpen: null } })]));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ kind: 'field-mismatch', field: 'options.mss', expected: '1460', observed: '1000', step: 1 });
    expect(d!.message).toContain('listen.synAck');
    expect(d!.message).toContain('synQueueFullInclusive');
  });

  it('checks a retransmission against the ISN bound by the first SYN-ACK', () => {
    const retransmit = { ...synAck, options: { ...synAck.options, timestamps: { tsval: { atLeast: 'tsval:client:0' }, tsecr: { exact: 7000 } } } };
    const expected = [expectSynAck(1), expectSynAck(1000, retransmit)];
    expect(diff(input(expected, [observedSynAck(1), observedSynAck(1020, { options: { mss: 1460, sackPermitted: true, timestamps: { tsval: 1055, tsecr: 7000 }, windowScale: 7, fastOpen: null } })]))).toEqual([]);
    const wrongSeq = diff(input(expected, [observedSynAck(1), observedSynAck(1020, { seq: 99 })]));
    expect(wrongSeq).toHaveLength(1);
    expect(wrongSeq[0]).toMatchObject({ field: 'seq', expected: '123456 (ISN(client 0))', observed: '99' });
  });

  it('an optional expectation takes only what the required ones leave (a delayed ACK that may come after the horizon, and a challenge ACK alike)', () => {
    const optional: Expectation = { kind: 'segment', to: client0, segment: synAck, at: { earliest: 0, latest: 50 }, cause: 1, optional: true, rule };
    expect(diff(input([optional, expectSynAck(1)], [observedSynAck(1)]))).toEqual([]);
    expect(diff(input([optional, expectSynAck(1)], [observedSynAck(1), observedSynAck(2)]))).toEqual([]);
  });

  it('reports a missing segment, an unexpected one, and a late one', () => {
    expect(diff(input([expectSynAck(1)], []))).toMatchObject([{ kind: 'missing-segment', step: 1 }]);
    expect(diff(input([], [observedSynAck(3)]))).toMatchObject([{ kind: 'unexpected-segment', step: 1 }]);
    expect(diff(input([expectSynAck(1)], [observedSynAck(400)]))).toMatchObject([{ kind: 'time-outside-interval' }]);
  });

  it('an unexpected segment answering what the model dropped names the drop\'s rule and flags', () => {
    const sharedBacklog: RuleRef = { id: 'listener.sharedBacklog', source: 'BSD (the article)', flags: ['queuesShareBacklog'] };
    const dropped: Expectation = { kind: 'drop', to: client0, at: { earliest: 1, latest: 1 }, cause: 1, rule: sharedBacklog };
    const [d] = diff(input([dropped], [observedSynAck(3)]));
    expect(d).toMatchObject({ kind: 'unexpected-segment', step: 1, expected: 'nothing (dropped)', rule: sharedBacklog });
    expect(d!.message).toContain('[rule listener.sharedBacklog, BSD (the article); profile flags: queuesShareBacklog]');
  });

  it('ignores an optional segment that did not come and segments after the horizon', () => {
    const optional: Expectation = { ...(expectSynAck(4990) as Extract<Expectation, { kind: 'segment' }>), optional: true };
    expect(diff(input([optional], [observedSynAck(6000)]))).toEqual([]);
  });

  it('compares call results and counters', () => {
    const expected: Expectation[] = [
      { kind: 'result', cause: 1, result: { call: 'connect', errno: 'EHOSTUNREACH' }, at: { earliest: 0, latest: 50 }, optional: false, rule },
      { kind: 'counter', name: 'TcpExt.ListenOverflows', delta: 1, rule, optional: false },
    ];
    const observed: Observation[] = [
      { kind: 'result', cause: 1, at: 2, result: { call: 'connect', errno: 'ETIMEDOUT' } },
      { kind: 'counter', name: 'TcpExt.ListenOverflows', delta: 1 },
      { kind: 'counter', name: 'TcpExt.ListenDrops', delta: 2 },
    ];
    expect(diff(input(expected, observed)).map((d) => [d.kind, d.expected, d.observed])).toEqual([
      ['wrong-result', 'connect -> EHOSTUNREACH', 'connect -> ETIMEDOUT'],
      ['wrong-counter', 'TcpExt.ListenDrops +0', '+2'],
    ]);
  });

  it('property: an observation built from the expectation itself never deviates, whatever the kernel chose', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.double({ min: 0, max: 50, noNaN: true }), (isn, tsval, delay) => {
        const obs = observedSynAck(1 + delay, { seq: isn, options: { mss: 1460, sackPermitted: true, timestamps: { tsval, tsecr: 7000 }, windowScale: 7, fastOpen: null } });
        expect(diff(input([expectSynAck(1)], [obs]))).toEqual([]);
      }),
    );
  });
});
