/**
 * Observed versus expected: pairs the target's segments with the model's expectations, binds
 * the values the kernel chose on first sight, and explains every difference in one line.
 */
import type { Action, Millis, Peer } from '../model/actions.ts';
import type { CallResult, CounterName, Expectation, Expected32, ExpectedSegment, RuleRef } from '../model/expectations.ts';
import type { Deviation, DeviationKind } from './deviation.ts';
import { describeAction, describeExpected32, describeExpectedSegment, describePeer, describeSegment } from './describe.ts';
import { flagString } from '../packet/packet.ts';
import type { Observation, SegmentFields } from './observation.ts';

type SegmentExpectation = Extract<Expectation, { kind: 'segment' }>;
type ObservedSegment = Extract<Observation, { kind: 'segment' }>;

export interface DiffInput {
  readonly actions: readonly Action[];
  /** When each action was performed: an unexpected segment is blamed on the latest action before it. */
  readonly actionTimes: readonly Millis[];
  readonly expected: readonly Expectation[];
  readonly observed: readonly Observation[];
  /** Segments after this time are not judged: the executor stopped watching. */
  readonly horizon: Millis;
}

const samePeer = (a: Peer, b: Peer): boolean =>
  a.kind === b.kind &&
  (a.kind === 'client' ? a.client === (b as typeof a).client : a.kind === 'remote' ? a.conn === (b as typeof a).conn : a.probe === (b as typeof a).probe);

const sameFlags = (e: ExpectedSegment, o: SegmentFields): boolean =>
  e.flags.length === o.flags.length && e.flags.every((f) => o.flags.includes(f));

const within = (at: Millis, e: SegmentExpectation): boolean => at >= e.at.earliest && at <= e.at.latest;

/** Symbolic values bound on first observation (ISNs, TSvals): a binding is the value itself. */
class Bindings {
  private readonly values = new Map<string, number>();
  private readonly cookies = new Map<string, string>();

  /** A cookie (hex) the kernel chooses: bound on first sight; returns the value it must have. */
  cookie(name: string, observed: string): string {
    const bound = this.cookies.get(name);
    if (bound === undefined) this.cookies.set(name, observed);
    return bound ?? observed;
  }

  /** Checks an observed 32-bit value; returns the expected value in words when it does not fit. */
  check(expected: Expected32, observed: number): string | null {
    if ('exact' in expected) return expected.exact === observed ? null : String(expected.exact);
    if ('any' in expected) return null;
    if ('atLeast' in expected) {
      const bound = this.values.get(expected.atLeast);
      if (bound === undefined) {
        this.values.set(expected.atLeast, observed);
        return null;
      }
      // Serial-number arithmetic (RFC 1982): TSval clocks wrap.
      return ((observed - bound) | 0) >= 0 ? null : `≥ ${bound} (${describeExpected32(expected)})`;
    }
    const bound = this.values.get(expected.bind);
    if (bound === undefined) {
      this.values.set(expected.bind, (observed - expected.plus) >>> 0);
      return null;
    }
    const want = (bound + expected.plus) >>> 0;
    return want === observed ? null : `${want} (${describeExpected32(expected)})`;
  }
}

export function diff(input: DiffInput): Deviation[] {
  const deviations: Deviation[] = [];
  const stepOf = (at: Millis): number => {
    let step = 0;
    input.actionTimes.forEach((t, i) => {
      if (t <= at) step = i;
    });
    return step;
  };
  const add = (kind: DeviationKind, step: number, peer: Peer | null, field: string | null, expected: string, observed: string, rule: RuleRef | null): void => {
    const action = input.actions[step];
    const where = `step ${step}${action ? ` (${describeAction(action)})` : ''}${peer ? `, ${describePeer(peer)}` : ''}`;
    const why = rule ? ` [rule ${rule.id}, ${rule.source}${rule.flags.length ? `; profile flags: ${rule.flags.join(', ')}` : ''}]` : '';
    const what = field ? `${kind} ${field}` : kind;
    deviations.push({ kind, step, peer, field, expected, observed, rule, message: `${what} at ${where}: expected ${expected}, observed ${observed}${why}` });
  };

  const expectedSegments = input.expected.filter((e): e is SegmentExpectation => e.kind === 'segment');
  const observedSegments = input.observed.filter((o): o is ObservedSegment => o.kind === 'segment' && o.at <= input.horizon);
  const pairs = pairSegments(expectedSegments, observedSegments);

  const bindings = new Bindings();
  const matchedObserved = new Set<ObservedSegment>();
  const ordered = [...pairs.entries()].sort((a, b) => a[1].at - b[1].at);
  for (const [e, o] of ordered) {
    matchedObserved.add(o);
    const peer = e.to;
    if (!sameFlags(e.segment, o.segment)) {
      add('field-mismatch', e.cause, peer, 'flags', `[${flagString(e.segment.flags)}] (${describeExpectedSegment(e.segment)})`, `[${flagString(o.segment.flags)}] (${describeSegment(o.segment)})`, e.rule);
      continue;
    }
    if (!within(o.at, e)) {
      add('time-outside-interval', e.cause, peer, null, `${describeExpectedSegment(e.segment)} within [${fmtMs(e.at.earliest)}, ${fmtMs(e.at.latest)}]`, `at ${fmtMs(o.at)}`, e.rule);
    }
    for (const f of segmentFields(e.segment, o.segment, bindings)) {
      if ('text' in f) {
        if (f.text[0] !== f.text[1]) add('field-mismatch', e.cause, peer, f.field, f.text[0], f.text[1], e.rule);
        continue;
      }
      const problem = bindings.check(f.expected, f.observed);
      if (problem !== null) add('field-mismatch', e.cause, peer, f.field, problem, String(f.observed), e.rule);
    }
  }
  for (const e of expectedSegments) {
    if (!pairs.has(e) && !e.optional) add('missing-segment', e.cause, e.to, null, `${describeExpectedSegment(e.segment)} within [${fmtMs(e.at.earliest)}, ${fmtMs(e.at.latest)}]`, 'nothing', e.rule);
  }
  // An unexpected segment answers something the model dropped: the drop's rule says why nothing was due.
  const drops = input.expected.filter((e): e is Extract<Expectation, { kind: 'drop' }> => e.kind === 'drop');
  for (const o of observedSegments) {
    if (matchedObserved.has(o)) continue;
    const step = stepOf(o.at);
    const drop = drops.filter((d) => samePeer(d.to, o.to) && d.cause <= step).sort((a, b) => b.cause - a.cause)[0];
    add('unexpected-segment', step, o.to, null, drop ? 'nothing (dropped)' : 'nothing', `${describeSegment(o.segment)} at ${fmtMs(o.at)}`, drop?.rule ?? null);
  }
  for (const o of input.observed) {
    if (o.kind === 'icmp') add('unexpected-segment', stepOf(o.at), o.to, null, 'nothing', `ICMP ${o.summary} at ${fmtMs(o.at)}`, null);
  }

  diffResults(input, add);
  diffCounters(input, add);
  return deviations.sort((a, b) => a.step - b.step);
}

/**
 * Pairs each expected segment with at most one observed segment to the same peer: first those
 * that agree in flags and time (required expectations before optional ones, which take only what
 * is left), then by flags alone (a timing deviation), then by time alone (a flags deviation).
 * Earlier expectations choose first, so retransmissions pair in order.
 */
function pairSegments(expected: readonly SegmentExpectation[], observed: readonly ObservedSegment[]): Map<SegmentExpectation, ObservedSegment> {
  const pairs = new Map<SegmentExpectation, ObservedSegment>();
  const taken = new Set<ObservedSegment>();
  const passes: Array<(e: SegmentExpectation, o: ObservedSegment) => boolean> = [
    (e, o) => sameFlags(e.segment, o.segment) && within(o.at, e) && !e.optional,
    (e, o) => sameFlags(e.segment, o.segment) && within(o.at, e),
    (e, o) => sameFlags(e.segment, o.segment) && !e.optional,
    (e, o) => within(o.at, e) && !e.optional,
  ];
  for (const fits of passes) {
    for (const e of expected) {
      if (pairs.has(e)) continue;
      const candidates = observed.filter((o) => !taken.has(o) && samePeer(e.to, o.to) && fits(e, o));
      const nearest = candidates.sort((a, b) => Math.abs(a.at - e.at.earliest) - Math.abs(b.at - e.at.earliest))[0];
      if (nearest) {
        pairs.set(e, nearest);
        taken.add(nearest);
      }
    }
  }
  return pairs;
}

/** A field compared once flags agree: a 32-bit value against its expectation, or two texts. */
type FieldCheck = { field: string; expected: Expected32; observed: number } | { field: string; text: [expected: string, observed: string] };

function segmentFields(e: ExpectedSegment, o: SegmentFields, bindings: Bindings): FieldCheck[] {
  const eo = e.options;
  const oo = o.options;
  const text = (field: string, expected: unknown, observed: unknown): FieldCheck => ({ field, text: [String(expected), String(observed)] });
  const checks: FieldCheck[] = [
    { field: 'seq', expected: e.seq, observed: o.seq },
    { field: 'window', expected: e.window, observed: o.window },
    text('payload length', e.payloadLength, o.payloadLength),
    text('ip.ecn', e.ipEcn, o.ipEcn),
    text('options.mss', eo.mss, oo.mss),
    text('options.sackPermitted', eo.sackPermitted, oo.sackPermitted),
    text('options.timestamps', eo.timestamps !== null, oo.timestamps !== null),
  ];
  if (e.flags.includes('ACK')) checks.push({ field: 'ack', expected: e.ack, observed: o.ack });
  if (eo.windowScale !== null && oo.windowScale !== null) checks.push({ field: 'options.windowScale', expected: eo.windowScale, observed: oo.windowScale });
  else checks.push(text('options.windowScale', eo.windowScale === null ? null : describeExpected32(eo.windowScale), oo.windowScale));
  const fo = eo.fastOpen;
  const cookie = fo && 'cookie' in fo && oo.fastOpen !== null ? bindings.cookie(fo.cookie, oo.fastOpen) : null;
  checks.push(text('options.fastOpen', fo === null ? null : 'hex' in fo ? fo.hex : (cookie ?? `a cookie (${fo.cookie})`), oo.fastOpen));
  if (eo.timestamps && oo.timestamps) {
    checks.push({ field: 'options.timestamps.tsval', expected: eo.timestamps.tsval, observed: oo.timestamps.tsval });
    checks.push({ field: 'options.timestamps.tsecr', expected: eo.timestamps.tsecr, observed: oo.timestamps.tsecr });
  }
  return checks;
}

type Add = (kind: DeviationKind, step: number, peer: Peer | null, field: string | null, expected: string, observed: string, rule: RuleRef | null) => void;

function describeResult(r: CallResult): string {
  switch (r.call) {
    case 'listen':
      return 'listen ok';
    case 'accept':
      return r.accepted.length ? `accept -> ${r.accepted.map((c) => `client ${c}`).join(', ')}` : 'accept -> nothing (queue empty)';
    case 'connect':
      return `connect -> ${r.errno ?? 'success'}`;
    case 'sendto':
      return r.sent > 0 ? `sendto(MSG_FASTOPEN) -> ${r.sent} bytes in the SYN` : 'sendto(MSG_FASTOPEN) -> EINPROGRESS (no data in the SYN)';
  }
}

function diffResults(input: DiffInput, add: Add): void {
  // One result per call an action makes (a Fast Open connect makes two: sendto, then the connect's outcome).
  const key = (r: { cause: number; result: CallResult }): string => `${r.cause}:${r.result.call}`;
  const observed = new Map<string, Extract<Observation, { kind: 'result' }>>();
  for (const o of input.observed) if (o.kind === 'result') observed.set(key(o), o);
  const expectedCalls = new Set<string>();
  for (const e of input.expected) {
    if (e.kind !== 'result') continue;
    expectedCalls.add(key(e));
    const o = observed.get(key(e));
    if (o === undefined) {
      // A call that may still be pending at the horizon (e.g. a connect retrying) has nothing to judge yet.
      if (!e.optional) add('wrong-result', e.cause, null, null, `${describeResult(e.result)} within [${fmtMs(e.at.earliest)}, ${fmtMs(e.at.latest)}]`, 'no result', e.rule);
      continue;
    }
    if (describeResult(e.result) !== describeResult(o.result)) add('wrong-result', e.cause, null, null, describeResult(e.result), describeResult(o.result), e.rule);
    else if (o.at < e.at.earliest || o.at > e.at.latest) add('time-outside-interval', e.cause, null, null, `${describeResult(e.result)} within [${fmtMs(e.at.earliest)}, ${fmtMs(e.at.latest)}]`, `at ${fmtMs(o.at)}`, e.rule);
  }
  for (const [call, o] of observed) {
    if (!expectedCalls.has(call)) add('wrong-result', o.cause, null, null, 'no result yet', `${describeResult(o.result)} at ${fmtMs(o.at)}`, null);
  }
}

/** Counters the model does not mention are expected not to move; those the target does not keep are not judged. */
function diffCounters(input: DiffInput, add: Add): void {
  // What a counter must have gained at least, and at most (counts a timer may not have made yet).
  const expected = new Map<CounterName, { least: number; most: number; rule: RuleRef }>();
  for (const e of input.expected) {
    if (e.kind !== 'counter') continue;
    const sum = expected.get(e.name) ?? { least: 0, most: 0, rule: e.rule };
    expected.set(e.name, { least: sum.least + (e.optional ? 0 : e.delta), most: sum.most + e.delta, rule: e.rule });
  }
  const observed = new Map<CounterName, number>();
  for (const o of input.observed) if (o.kind === 'counter') observed.set(o.name, (observed.get(o.name) ?? 0) + o.delta);
  const last = Math.max(0, input.actions.length - 1);
  // Only counters the target reports: another stack keeps fewer (or none), and what it does not count cannot be judged.
  for (const name of observed.keys()) {
    const { least, most, rule } = expected.get(name) ?? { least: 0, most: 0, rule: null };
    const got = observed.get(name) ?? 0;
    if (got < least || got > most) add('wrong-counter', last, null, name, `${name} +${least}${most > least ? `..${most}` : ''}`, `+${got}`, rule);
  }
}

function fmtMs(ms: Millis): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`;
}
