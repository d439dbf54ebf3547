/**
 * A counterexample as packetdrill scripts, from the target's side: `<` a segment the harness
 * sent, `>` one the kernel must send, syscalls as the agent made them, at the scenario's nominal
 * times (waits add up; every other action takes no time).
 *
 * Two scripts: `counterexample.pkt` asserts what the profile expects (the model's prediction
 * at nominal times), so packetdrill fails on the deviating stack with the deviation in its own
 * message; `observed.pkt` asserts what the target did, and passes on it.
 *
 * packetdrill has one remote peer per socket: the script's peer is the deviating one; the other
 * peers' segments are comments (their handshakes cannot be driven: packetdrill never learns
 * their ISNs). The expected script ends with a barrier, a segment whose answer the model
 * predicts, because packetdrill only notices an unexpected segment when it reads the next one.
 */
import { predict } from '../model/predict.ts';
import { schedule } from '../model/schedule.ts';
import { RESPONSE_MS } from '../model/time.ts';
import { SCENARIO_SYSCTLS, type KernelProfile, type TargetSettings } from '../model/profiles.ts';
import { badAckOffset, clientIsn, peerTsval, remoteIsn } from '../model/harness-numbers.ts';
import type { Action, AddressFamily, IcmpUnreachableCode, Peer, SynOptions, TimedAction } from '../model/actions.ts';
import type { CallResult, CounterName, Expectation } from '../model/expectations.ts';
import { counterCheck, counterValues, holdsWholeScenario, type CounterCheck } from './packetdrill-counters.ts';
import type { Observation, SegmentFields } from '../diff/observation.ts';
import { describeAction, describePeer } from '../diff/describe.ts';
import { failsWith, ICMP_UNREACHABLE_NAME, ICMPV6_UNREACHABLE_NAME, intervalText, segmentText, timeText, type ScriptSegment } from './packetdrill-syntax.ts';
import type { Counterexample } from './schema.ts';

export interface PacketdrillScripts {
  readonly expected: string;
  readonly observed: string;
}

type Side = 'expected' | 'observed';

/** One line of a script before its TSecr values are settled: lines are rendered in time order. */
type Line =
  | { readonly at: number; readonly step: number; readonly kind: 'text'; readonly text: string }
  | { readonly at: number; readonly step: number; readonly kind: 'in' | 'out'; readonly segment: ScriptSegment; readonly until?: number };

const peerKey = (p: Peer): string => JSON.stringify(p);
const samePeer = (a: Peer, b: Peer | null): boolean => b !== null && peerKey(a) === peerKey(b);
const peerIsn = (p: Peer): number => (p.kind === 'client' ? clientIsn(p.client) : p.kind === 'remote' ? remoteIsn(p.conn) : 0);
const rel = (n: number, base: number): number => (n - base) >>> 0;

/** The deviating peer, else the first the harness spoke for; probes are never a script's peer. */
function scriptPeer(c: Counterexample): Peer | null {
  const candidates = [...c.deviations.map((d) => d.peer), ...c.sent.map((s) => s.from), ...c.observed.flatMap((o) => (o.kind === 'segment' ? [o.to] : []))];
  return candidates.find((p): p is Peer => p !== null && p.kind !== 'probe') ?? null;
}

/** Every action but a wait takes this long in a script: its answers come before the next one. */
const ACTION_MS = 10;

/** The nominal time of something that happened at real time `at`: the same delay after the latest action before it (its step). */
function nominalOf(at: number, actions: readonly TimedAction[], nominal: readonly number[]): { at: number; step: number } {
  let step = 0;
  actions.forEach((a, k) => {
    if (a.at <= at) step = k;
  });
  return { at: nominal[step]! + Math.max(0, at - (actions[step]?.at ?? 0)), step };
}

export function packetdrillScripts(c: Counterexample, profile: KernelProfile): PacketdrillScripts {
  return { expected: script(c, profile, 'expected'), observed: script(c, profile, 'observed') };
}

/** What every part of one script shares. */
interface ScriptFrame {
  readonly c: Counterexample;
  readonly side: Side;
  /** The peer packetdrill plays; null when the case has none. */
  readonly peer: Peer | null;
  /** Nominal time of each action, and of the end of the last. */
  readonly nominal: readonly number[];
  readonly last: number;
  /** The kernel's ISN toward a peer (its first SYN or SYN-ACK as observed): script numbers are relative to it. */
  readonly kernelIsn: (p: Peer) => number;
}

/**
 * The counterexample up to where the script's peer gets a second connection from the kernel (a
 * SYN-ACK or SYN with another ISN): packetdrill knows only the kernel's first ISN toward a peer,
 * so a script cannot assert what follows. `left` says what was cut.
 */
function firstConnectionOnly(c: Counterexample): { c: Counterexample; left: string[] } {
  const peer = scriptPeer(c);
  const syns = c.observed.flatMap((o) => (o.kind === 'segment' && o.segment.flags.includes('SYN') && peer !== null && samePeer(o.to, peer) ? [o] : []));
  const second = syns.find((o) => o.segment.seq !== syns[0]!.segment.seq);
  if (second === undefined) return { c, left: [] };
  const cut = Math.max(1, c.actions.filter((a) => a.at <= second.at).length - 1);
  const before = c.actions[cut]!.at;
  return {
    c: {
      ...c,
      actions: c.actions.slice(0, cut),
      sent: c.sent.filter((s) => s.cause < cut),
      observed: c.observed.filter((o) => (o.kind === 'result' ? o.cause < cut : o.kind === 'counter' ? false : o.at < before)),
      // A counter's deviation is the case's: the expected script asserts the model's counts for what it holds.
      deviations: c.deviations.filter((d) => d.step < cut || d.kind === 'wrong-counter'),
    },
    left: [`steps ${cut} on: ${describePeer(peer!)} gets another connection there, whose ISN packetdrill cannot learn (it knows the kernel's first one only)`],
  };
}

function script(whole: Counterexample, profile: KernelProfile, side: Side): string {
  const { c, left } = firstConnectionOnly(whole);
  const { timed, end } = schedule(c.actions.map((a) => a.action), ACTION_MS);
  const nominal = timed.map((t) => t.at);
  const isns = new Map<string, number>();
  for (const o of c.observed) if (o.kind === 'segment' && o.segment.flags.includes('SYN') && !isns.has(peerKey(o.to))) isns.set(peerKey(o.to), o.segment.seq);
  const peer = scriptPeer(c);
  const frame: ScriptFrame = {
    c,
    side,
    peer,
    nominal,
    last: pastTimers(c, profile, peer, timed, end),
    kernelIsn: (p) => isns.get(peerKey(p)) ?? 0,
  };
  const { barrier, expectations, timerBarrier } = side === 'expected' ? withBarrier(frame, profile) : { barrier: null, expectations: [], timerBarrier: false };
  const comments: string[] = [...left];
  const fds = new Map<string, number>();
  const lines = [...sentLines(frame, barrier), ...kernelLines(frame, expectations), ...callLines(frame, expectations, barrier, fds, comments)];
  if (peer === null) comments.push('no peer of the harness takes part: the script holds only socket calls');
  else if (!c.sent.some((s) => samePeer(s.from, peer))) comments.push(`no segment the harness sent to ${describePeer(peer)} was recorded (a model target sends none): its inbound lines are missing`);
  if (side === 'expected' && peer !== null && barrier === null && !timerBarrier) {
    const closing = closeBarrier(frame, expectations, fds);
    if (closing.length) lines.push(...closing);
    else comments.push('no barrier: the model predicts no answer to any probe here, so a segment the kernel sends after the last line goes unnoticed');
  }
  // The counter check is the last event: a shell command takes long enough to make any later one late.
  const after = Math.max(...lines.map((l) => (l.kind === 'out' ? (l.until ?? l.at) : l.at))) + ACTION_MS;
  const counters = counterLines(frame, profile, barrier, after, comments, left.length);
  if (counters) lines.push({ at: after, step: c.actions.length + 1, kind: 'text', text: `\`${counters.check}\`` });
  return render(c, profile, side, peer, lines, comments, counters?.reset ?? null);
}

/** The deviating counters, checked with nstat once everything else happened (a barrier's effects included). */
function counterLines(f: ScriptFrame, profile: KernelProfile, barrier: Barrier | null, end: number, comments: string[], cut: number): CounterCheck | null {
  const names = f.c.deviations.flatMap((d) => (d.kind === 'wrong-counter' && d.field ? [d.field as CounterName] : []));
  if (names.length === 0) return null;
  // `cut`: the first comments say the script was cut short (firstConnectionOnly); it then holds the
  // scenario's first part, whose counts the model predicts, while the observed ones are the whole case's.
  if (comments.length > cut || (cut > 0 && f.side === 'observed') || !holdsWholeScenario(f.c.actions.map((a) => a.action), f.peer)) {
    comments.push(`counters (${names.join(', ')}): not asserted, the script does not hold the whole scenario`);
    return null;
  }
  const timed: TimedAction[] = [...f.c.actions.map((a, i) => ({ at: f.nominal[i]!, action: a.action })), ...(barrier ? [{ at: f.last, action: barrier.action }] : [])];
  const expected = f.side === 'expected' ? predict({ profile, settings: f.c.settings, actions: timed, horizon: end }) : [];
  const values = counterValues(names, f.side, expected, f.c.observed);
  if (typeof values === 'string') {
    comments.push(`counters: not asserted, ${values}`);
    return null;
  }
  return counterCheck(`/tmp/tcpconform-${f.c.id}-${f.side}.nstat`, values);
}

/**
 * The end of the script's actions, moved past any timer segment to the peer that may or may not
 * have gone out by then (a retransmission due right at the end): the barrier then comes after it,
 * and the script asserts it, instead of meeting it in the barrier's place.
 */
function pastTimers(c: Counterexample, profile: KernelProfile, peer: Peer | null, timed: readonly TimedAction[], end: number): number {
  let last = end;
  for (let i = 0; i < 5 && peer !== null; i++) {
    const due = predict({ profile, settings: c.settings, actions: timed, horizon: last }).flatMap((e) => (e.kind === 'segment' && e.optional && samePeer(e.to, peer) ? [e.at.latest] : []));
    if (due.length === 0) break;
    last = Math.max(...due) + ACTION_MS;
  }
  return last;
}

/**
 * The model's prediction at nominal times, with the barrier: the first candidate the model
 * predicts an answer to, appended at the end. Where none is answered, the next segment a timer
 * of the model sends the peer after the end (within TIMER_BARRIER_MS) is the barrier: packetdrill
 * waits for it and meets anything the kernel sends before it.
 */
function withBarrier(f: ScriptFrame, profile: KernelProfile): { barrier: Barrier | null; expectations: Expectation[]; timerBarrier: boolean } {
  const timed: TimedAction[] = f.c.actions.map((a, i) => ({ at: f.nominal[i]!, action: a.action }));
  for (const candidate of f.peer === null ? [] : barrierCandidates(f.c, f.peer)) {
    const predicted = predict({ profile, settings: f.c.settings, actions: [...timed, { at: f.last, action: candidate.action }], horizon: f.last });
    if (predicted.some((e) => e.kind === 'segment' && e.cause === timed.length && samePeer(e.to, f.peer))) return { barrier: candidate, expectations: predicted, timerBarrier: false };
  }
  const expectations = predict({ profile, settings: f.c.settings, actions: timed, horizon: f.last });
  const later = predict({ profile, settings: f.c.settings, actions: timed, horizon: f.last + TIMER_BARRIER_MS });
  const next = later.find((e): e is Extract<Expectation, { kind: 'segment' }> => e.kind === 'segment' && e.at.earliest > f.last && samePeer(e.to, f.peer));
  return next ? { barrier: null, expectations: [...expectations, { ...next, optional: false }], timerBarrier: true } : { barrier: null, expectations, timerBarrier: false };
}

/** How far past the end a timer's segment may be to serve as the barrier (packetdrill waits for it). */
const TIMER_BARRIER_MS = 30_000;

/** What the harness sent: the script's peer as packets, the others as comments; then the barrier's segment. */
function sentLines(f: ScriptFrame, barrier: Barrier | null): Line[] {
  const lines: Line[] = f.c.sent.flatMap((s): Line[] => {
    if (s.from.kind === 'probe') return [];
    const at = f.nominal[s.cause]!;
    const segment = inbound(s.segment, s.from, f.kernelIsn(s.from));
    return [samePeer(s.from, f.peer) ? { at, step: s.cause, kind: 'in', segment } : { at, step: s.cause, kind: 'text', text: `// ${describePeer(s.from)}: < ${segmentText(segment)}` }];
  });
  if (barrier?.segment) lines.push({ at: f.last, step: f.c.actions.length, kind: 'in', segment: barrier.segment });
  return lines;
}

/** What the kernel must send (expected script) or sent (observed script): to the script's peer as packets, to the others as comments. */
function kernelLines(f: ScriptFrame, expectations: readonly Expectation[]): Line[] {
  const outbound: Array<{ at: number; until: number; step: number; to: Peer; segment: ScriptSegment }> =
    f.side === 'expected'
      ? expectations.flatMap((e) => (e.kind === 'segment' && !e.optional ? [{ at: e.at.earliest, until: e.at.latest, step: e.cause, to: e.to, segment: fromExpected(e, f.c.observed, f.kernelIsn(e.to)) }] : []))
      : f.c.observed.flatMap((o) => {
          if (o.kind !== 'segment') return [];
          const { at, step } = nominalOf(o.at, f.c.actions, f.nominal);
          // Jitter both ways, but never before the action that caused it.
          return [{ at: Math.max(f.nominal[step]!, at - 30), until: at + 30 + at * 0.04, step, to: o.to, segment: fromObserved(o.segment, o.to, f.kernelIsn(o.to)) }];
        });
  return outbound.flatMap(({ at, until, step, to, segment }): Line[] => {
    if (samePeer(to, f.peer)) return [{ at, step, kind: 'out', segment, until }];
    return to.kind === 'probe' ? [] : [{ at, step, kind: 'text', text: `// ${describePeer(to)}: > ${segmentText(segment)}` }];
  });
}

/** Socket calls at their actions' times, with the results the script asserts, and a barrier that is a call. */
function callLines(f: ScriptFrame, expectations: readonly Expectation[], barrier: Barrier | null, fds: Map<string, number>, comments: string[]): Line[] {
  const { c, nominal } = f;
  const results =
    f.side === 'expected'
      ? expectations.flatMap((e) => (e.kind === 'result' && !e.optional ? [{ cause: e.cause, result: e.result, at: e.at.latest }] : []))
      : c.observed.flatMap((o) => {
          if (o.kind !== 'result') return [];
          // A result comes after its call by the kernel's delay; read it with the slack of a kernel timer (model/time.ts).
          const delay = Math.max(0, o.at - c.actions[o.cause]!.at);
          return [{ cause: o.cause, result: o.result, at: nominal[o.cause]! + delay * 1.04 + 25 }];
        });
  let nextFd = 3;
  const newFd = (): number => nextFd++;
  const lines: Line[] = [];
  const text = (at: number, step: number, t: string): number => lines.push({ at, step, kind: 'text', text: t });
  c.actions.forEach(({ action }, i) => {
    // A Fast Open connect() has two results: sendto's, then the connection's.
    const result = results.find((r) => r.cause === i && r.result.call !== 'sendto') ?? null;
    const sendto = results.find((r) => r.cause === i && r.result.call === 'sendto')?.result ?? null;
    for (const t of syscall(action, sendto ?? result?.result ?? null, f.peer, c.settings, fds, newFd, comments)) text(nominal[i]!, i, t);
    if (action.kind !== 'connect' || !samePeer({ kind: 'remote', conn: action.conn }, f.peer)) return;
    // sendto(MSG_FASTOPEN) refused at once: no connection whose error to read.
    if (action.fastOpen !== undefined && sendto === null && result !== null) return;
    // SO_ERROR is read once the result is due, a little after the latest time it may come; a
    // connect still pending at the end must have no error yet.
    const errno = result?.result.call === 'connect' ? (result.result.errno ?? 0) : 0;
    text((result?.at ?? f.last) + 1, i, `getsockopt(${fds.get(`conn:${action.conn}`)}, SOL_SOCKET, SO_ERROR, [${errno}], [4]) = 0`);
  });
  if (barrier && !barrier.segment) for (const t of syscall(barrier.action, null, f.peer, c.settings, fds, newFd, comments)) text(f.last, c.actions.length, t);
  return lines;
}

/**
 * Where the model predicts no answer to any probe, an accepted connection it leaves established
 * still answers one call: closing it sends a FIN (RFC 9293 §3.10.4, CLOSE in ESTABLISHED).
 */
function closeBarrier(f: ScriptFrame, expectations: readonly Expectation[], fds: ReadonlyMap<string, number>): Line[] {
  const child = f.peer?.kind === 'client' ? fds.get(`client:${f.peer.client}`) : undefined;
  if (child === undefined || expectations.some((e) => e.kind === 'segment' && samePeer(e.to, f.peer) && e.segment.flags.includes('RST'))) return [];
  const step = f.c.actions.length;
  return [
    { at: f.last, step, kind: 'text', text: `close(${child}) = 0` },
    { at: f.last, step, kind: 'out', segment: { flags: ['FIN', 'ACK'], seq: 1, ack: 1, window: null, options: 'unchecked', ts: null, payload: 0 }, until: f.last + RESPONSE_MS },
  ];
}

function render(c: Counterexample, profile: KernelProfile, side: Side, peer: Peer | null, lines: Line[], comments: string[], setup: string | null): string {
  const order = { text: 0, in: 1, out: 2 } as const;
  lines.sort((a, b) => a.at - b.at || a.step - b.step || order[a.kind] - order[b.kind]);
  const tsvals: number[] = [];
  let lastAck: number | null = null;
  const body = lines.map((l) => {
    if (l.kind === 'text') return l.text.startsWith('//') ? l.text : `${timeText(l.at)} ${l.text}`;
    if (l.kind === 'out') {
      if (l.segment.ts) tsvals.push(l.segment.ts.val);
      // A RST answering an ACK carries that ACK's number (RFC 9293 §3.10.7): in script numbers, whatever ISN packetdrill knows.
      const seq = l.segment.flags.includes('RST') && !l.segment.flags.includes('ACK') && lastAck !== null ? lastAck : l.segment.seq;
      return `${intervalText(l.at, l.until ?? l.at)} > ${segmentText({ ...l.segment, seq })}`;
    }
    lastAck = l.segment.ack;
    return `${timeText(l.at)} < ${segmentText({ ...l.segment, ts: echoed(l.segment, tsvals) })}`;
  });
  const s = c.settings;
  const sysctls = [...SCENARIO_SYSCTLS.map((n) => `${n}=${s.sysctls[n]}`), `net.ipv4.tcp_rmem='${s.rmem.join(' ')}'`];
  // packetdrill's tun device starts at 1500 bytes.
  const link = s.mtu === 1500 ? [] : [`ip link set dev tun0 mtu ${s.mtu}`];
  const setupCommands = [...link, ...(setup ? [setup] : [])];
  const header = [
    `// tcpconform counterexample ${c.id} (seed ${c.seed}, path ${c.path})`,
    `// replay: ${c.replayCommand}`,
    side === 'expected'
      ? `// Asserts what profile ${profile.name} expects: packetdrill fails on a stack with the deviation below, and passes on one that behaves as the profile says. observed.pkt holds what the target did.`
      : '// Asserts what the target did (observed.pkt): it passes on the target the counterexample came from. counterexample.pkt asserts what the profile expects.',
    // packetdrill takes the address family from its command line, not the script.
    `// Run with: packetdrill --ip_version=${PACKETDRILL_IP_VERSION[s.family]} (${s.family} counterexample)`,
    '// Deviations found:',
    ...c.deviations.map((d) => `//   ${d.message}`),
    `// Script peer: ${peer ? describePeer(peer) : 'none'}. Times are nominal: waits take their time, other actions ${ACTION_MS} ms each; outbound lines allow the model's interval.`,
    ...comments.map((m) => `// Left out: ${m}`),
    // The settings the model judged by; -e: a kernel without one of them (tcp_syn_linear_timeouts) still runs the script.
    `\`sysctl -q -e -w ${sysctls.join(' ')}${setupCommands.map((c) => ` && ${c}`).join('')}\``,
    '',
  ];
  if (!body.some((l) => /^\d/.test(l))) body.push(`${timeText(0)} \`true\``); // packetdrill needs one event
  return `${[...header, ...body].join('\n')}\n`;
}

/**
 * packetdrill maps an inbound TSecr from a TSval the script wrote earlier: echo that one, else the
 * latest; a segment after a SYN (whose TSecr is 0) with nothing to echo goes without timestamps.
 */
function echoed(s: ScriptSegment, tsvals: readonly number[]): ScriptSegment['ts'] {
  if (s.ts === null || s.flags.includes('SYN') && !s.flags.includes('ACK')) return s.ts;
  if (tsvals.includes(s.ts.ecr)) return s.ts;
  const latest = tsvals[tsvals.length - 1];
  return latest === undefined ? null : { val: s.ts.val, ecr: latest };
}

/** A segment the harness sent, relative to the ISNs the way packetdrill writes it. */
function inbound(s: SegmentFields, from: Peer, kernelIsn: number): ScriptSegment {
  const syn = s.flags.includes('SYN');
  // An RST with SEQ 0 (the remote's answer to a SYN, judged by its ACK alone) stays 0; a client's RST carries its next sequence number.
  const seqZeroRst = s.flags.includes('RST') && !syn && s.seq === 0;
  return {
    flags: s.flags,
    seq: syn || seqZeroRst ? 0 : rel(s.seq, peerIsn(from)),
    ack: s.flags.includes('ACK') ? rel(s.ack, kernelIsn) : null,
    window: s.window,
    options: synOptionsOf(s),
    ts: s.options.timestamps && { val: s.options.timestamps.tsval, ecr: s.options.timestamps.tsecr },
    payload: s.payloadLength,
    ipEcn: s.ipEcn,
    fastOpen: s.options.fastOpen,
  };
}

const synOptionsOf = (s: SegmentFields): SynOptions | null =>
  s.options.mss === null && !s.options.sackPermitted && s.options.windowScale === null && s.options.timestamps === null ? null : { ...s.options, timestamps: s.options.timestamps !== null };

function fromObserved(s: SegmentFields, to: Peer, kernelIsn: number): ScriptSegment {
  const syn = s.flags.includes('SYN');
  return {
    flags: s.flags,
    seq: syn ? 0 : rel(s.seq, kernelIsn),
    ack: s.flags.includes('ACK') ? rel(s.ack, peerIsn(to)) : null,
    // Windows of established connections follow buffer sizes the model leaves free: checked only on SYNs and RSTs.
    window: syn || s.flags.includes('RST') ? s.window : null,
    options: synOptionsOf(s),
    ts: s.options.timestamps && { val: s.options.timestamps.tsval, ecr: s.options.timestamps.tsecr },
    payload: s.payloadLength,
    fastOpen: s.options.fastOpen,
  };
}

/** An expected segment in script numbers; values the kernel chooses come from the observation that pairs with it. */
function fromExpected(e: Extract<Expectation, { kind: 'segment' }>, observed: readonly Observation[], kernelIsn: number): ScriptSegment {
  const s = e.segment;
  const twin = observed.find((o): o is Extract<Observation, { kind: 'segment' }> => o.kind === 'segment' && peerKey(o.to) === peerKey(e.to) && o.segment.flags.join() === s.flags.join());
  const syn = s.flags.includes('SYN');
  const value = (v: (typeof s)['seq'], base: number, observedValue: number | undefined): number | null =>
    'exact' in v ? rel(v.exact, base) : 'bind' in v ? v.plus : observedValue === undefined ? null : rel(observedValue, base);
  const o = s.options;
  return {
    flags: s.flags,
    seq: syn ? 0 : (value(s.seq, kernelIsn, twin?.segment.seq) ?? 0),
    ack: s.flags.includes('ACK') ? (value(s.ack, peerIsn(e.to), twin?.segment.ack) ?? 0) : null,
    window: 'exact' in s.window ? s.window.exact : null,
    options: o.mss === null && !o.sackPermitted && o.timestamps === null && o.windowScale === null ? null : { mss: o.mss, sackPermitted: o.sackPermitted, timestamps: o.timestamps !== null, windowScale: o.windowScale === null ? null : 'exact' in o.windowScale ? o.windowScale.exact : (twin?.segment.options.windowScale ?? 0) },
    // packetdrill does not check an outbound TSval; the observed one keeps later TSecr echoes consistent.
    ts: o.timestamps && { val: twin?.segment.options.timestamps?.tsval ?? 1, ecr: 'exact' in o.timestamps.tsecr ? o.timestamps.tsecr.exact : (twin?.segment.options.timestamps?.tsecr ?? 0) },
    payload: s.payloadLength,
    // The cookie the kernel chose, as observed; a script can only assert it as a value.
    fastOpen: o.fastOpen && ('hex' in o.fastOpen ? o.fastOpen.hex : (twin?.segment.options.fastOpen ?? '')),
  };
}

/**
 * The last line of an expected script: a segment from the script's peer whose answer the model
 * predicts. Reading that answer, packetdrill meets any segment the kernel sent before it.
 * Candidates in order; the first the model answers is taken.
 */
function barrierCandidates(c: Counterexample, peer: Peer): Barrier[] {
  const syn = c.sent.find((s) => samePeer(s.from, peer) && s.segment.flags.includes('SYN'))?.segment;
  const closeListener = { action: { kind: 'closeListener' } as const, segment: null };
  const window = syn?.window ?? 29200;
  const ts = syn?.options.timestamps ? { val: peerTsval(peer), ecr: 1 } : null;
  const noOptions: SynOptions = { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null };
  switch (peer.kind) {
    case 'client': {
      const options: SynOptions = syn ? { ...syn.options, timestamps: syn.options.timestamps !== null } : noOptions;
      return [
        { action: { kind: 'badAck', client: peer.client }, segment: { flags: ['ACK'], seq: 1, ack: (1 + badAckOffset) >>> 0, window, options: null, ts, payload: 0 } },
        { action: { kind: 'syn', client: peer.client, options, window }, segment: { flags: ['SYN'], seq: 0, ack: null, window, options, ts: ts && { val: ts.val, ecr: 0 }, payload: 0 } },
        closeListener,
      ];
    }
    case 'remote':
      return [{ action: { kind: 'answerSyn', conn: peer.conn, answer: { kind: 'synAck', options: noOptions, window, ackValid: false } }, segment: { flags: ['SYN', 'ACK'], seq: 0, ack: (1 + badAckOffset) >>> 0, window, options: noOptions, ts: null, payload: 0 } }];
    case 'probe':
      return [];
  }
}

/** packetdrill's ICMP quotes the kernel's latest segment, the script peer's; about another peer it is a comment. */
/** packetdrill's --ip_version for each family (IPv4-mapped: an AF_INET6 socket, IPv4 on the wire). */
const PACKETDRILL_IP_VERSION: Readonly<Record<AddressFamily, string>> = { ipv4: 'ipv4', ipv6: 'ipv6', 'ipv4-mapped': 'ipv4-mapped-ipv6' };

/** packetdrill names ICMPv6 codes of its own (icmp_packet.c); one it has no name for stays a comment. */
function icmpLine(about: Peer, code: IcmpUnreachableCode, peer: Peer | null, family: AddressFamily): string[] {
  const name = family === 'ipv6' ? ICMPV6_UNREACHABLE_NAME[code] : ICMP_UNREACHABLE_NAME[code];
  return samePeer(about, peer) && name !== undefined ? [`< icmp unreachable ${name}`] : [`// ${describePeer(about)}: ICMP${family === 'ipv6' ? 'v6' : ''} unreachable code ${code}`];
}

const maxsegLine = (fd: number, maxseg: number | undefined): string[] => (maxseg === undefined ? [] : [`setsockopt(${fd}, IPPROTO_TCP, TCP_MAXSEG, [${maxseg}], 4) = 0`]);

/** What sendto(MSG_FASTOPEN) returns: the bytes the SYN took, EINPROGRESS when it took none, or its immediate failure. */
function fastOpenReturn(result: CallResult | null): string {
  if (result?.call === 'connect' && result.errno !== null) return failsWith(result.errno);
  return result?.call === 'sendto' && result.sent > 0 ? String(result.sent) : failsWith('EINPROGRESS');
}

/** A barrier: an action whose answer the model predicts, and the segment it sends (none: a socket call). */
type Barrier = { readonly action: Action; readonly segment: ScriptSegment | null };

/** Socket calls of one action; results come from the side the script asserts. */
function syscall(action: Action, result: CallResult | null, peer: Peer | null, settings: TargetSettings, fds: Map<string, number>, newFd: () => number, left: string[]): string[] {
  const { family } = settings;
  switch (action.kind) {
    case 'listen': {
      const fd = newFd();
      fds.set('listener', fd);
      // Non-blocking: an accept that finds the queue empty returns EAGAIN instead of hanging the script.
      return [
        `socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = ${fd}`,
        `setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0`,
        ...maxsegLine(fd, action.maxseg),
        `bind(${fd}, ..., ...) = 0`,
        `listen(${fd}, ${action.backlog}) = 0`,
        ...(action.fastOpen === undefined ? [] : [`setsockopt(${fd}, SOL_TCP, TCP_FASTOPEN, [${action.fastOpen}], 4) = 0`]),
      ];
    }
    case 'accept': {
      const listener = fds.get('listener');
      if (listener === undefined) return [];
      const accepted = result?.call === 'accept' ? result.accepted : [];
      const mine = peer?.kind === 'client' && accepted.includes(peer.client);
      const others = accepted.filter((c) => !(peer?.kind === 'client' && c === peer.client));
      const lines = others.length ? [`// accept returns ${others.map((c) => `client ${c}`).join(', ')} here, peers this script does not hold`] : [];
      if (mine) {
        const fd = newFd();
        fds.set(`client:${(peer as { client: number }).client}`, fd);
        lines.push(`accept(${listener}, ..., ...) = ${fd}`);
      }
      if (accepted.length < action.max) lines.push(`accept(${listener}, ..., ...) = ${failsWith('EAGAIN')}`);
      return lines;
    }
    case 'blockingAccept':
      // The script's listener is non-blocking (so an empty queue cannot hang it): the wait is not scripted.
      left.push(`${describeAction(action)}: the script's listener is non-blocking`);
      return [`// ${describeAction(action)}`];
    case 'closeListener': {
      const listener = fds.get('listener');
      return listener === undefined ? [] : [`close(${listener}) = 0`];
    }
    case 'closeAccepted': {
      const fd = fds.get(`client:${action.client}`);
      return fd === undefined ? [`// ${describeAction(action)}`] : [`close(${fd}) = 0`];
    }
    case 'connect': {
      if (!samePeer({ kind: 'remote', conn: action.conn }, peer)) return [`// connect() of remote ${action.conn}, a peer this script does not hold`];
      const fd = newFd();
      fds.set(`conn:${action.conn}`, fd);
      return [
        `socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = ${fd}`,
        ...(action.syncnt === null ? [] : [`setsockopt(${fd}, IPPROTO_TCP, TCP_SYNCNT, [${action.syncnt}], 4) = 0`]),
        ...maxsegLine(fd, action.maxseg),
        action.fastOpen === undefined ? `connect(${fd}, ..., ...) = ${failsWith('EINPROGRESS')}` : `sendto(${fd}, ..., ${action.fastOpen}, MSG_FASTOPEN, ..., ...) = ${fastOpenReturn(result)}`,
      ];
    }
    case 'closeConnection': {
      const fd = fds.get(`conn:${action.conn}`);
      return fd === undefined ? [`// ${describeAction(action)}`] : [`close(${fd}) = 0`];
    }
    case 'answerSyn':
      // SYN-ACK and RST answers are among the sent segments; an ICMP error is written here.
      if (action.answer.kind === 'packetTooBig') {
        if (!samePeer({ kind: 'remote', conn: action.conn }, peer)) return [`// remote ${action.conn}: packet too big`];
        // The MTU it names is the link's own, as the setup line sets the tun device's.
        return [family === 'ipv6' ? `< icmp packet_too_big mtu ${settings.mtu}` : `< icmp unreachable frag_needed mtu ${settings.mtu}`];
      }
      if (action.answer.kind !== 'icmpUnreachable') return [];
      return icmpLine({ kind: 'remote', conn: action.conn }, action.answer.code, peer, family);
    case 'clientUnreachable':
      return icmpLine({ kind: 'client', client: action.client }, action.code, peer, family);
    case 'synToClosedPort':
    case 'ackToClosedPort':
      left.push(`${describeAction(action)}: packetdrill addresses only the ports of its own sockets`);
      return [`// ${describeAction(action)}`];
    case 'sysctl':
      return [`\`sysctl -q ${action.name}=${action.value}\``];
    case 'wait':
    case 'syn':
    case 'finalAck':
    case 'badAck':
    case 'rst':
    case 'clientFin':
      return [];
  }
}
