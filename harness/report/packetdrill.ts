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
import { SCENARIO_SYSCTLS } from '../model/profiles.ts';
import { badAckOffset, clientIsn, peerTsval, remoteIsn, type Action, type CallResult, type Expectation, type KernelProfile, type Peer, type SynOptions, type TimedAction } from '../model/scenario.ts';
import type { Observation, SegmentFields } from '../diff/observation.ts';
import { describeAction, describePeer } from '../diff/describe.ts';
import { failsWith, ICMP_UNREACHABLE_NAME, intervalText, segmentText, timeText, type ScriptSegment } from './packetdrill-syntax.ts';
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

const samePeer = (a: Peer, b: Peer | null): boolean => b !== null && a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);
const peerIsn = (p: Peer): number => (p.kind === 'client' ? clientIsn(p.client) : p.kind === 'remote' ? remoteIsn(p.conn) : 0);
const rel = (n: number, base: number): number => (n - base) >>> 0;

/** The deviating peer, else the first the harness spoke for; probes are never a script's peer. */
function scriptPeer(c: Counterexample): Peer | null {
  const candidates = [...c.deviations.map((d) => d.peer), ...c.sent.map((s) => s.from), ...c.observed.flatMap((o) => (o.kind === 'segment' ? [o.to] : []))];
  return candidates.find((p): p is Peer => p !== null && p.kind !== 'probe') ?? null;
}

/** Every action but a wait takes this long in a script: its answers come before the next one. */
const ACTION_MS = 10;

/** Nominal scenario time of each action: waits take their time, every other action ACTION_MS. */
function nominalTimes(actions: readonly TimedAction[]): number[] {
  let t = 0;
  return actions.map(({ action }) => {
    const at = t;
    t += action.kind === 'wait' ? action.ms : ACTION_MS;
    return at;
  });
}

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

function script(c: Counterexample, profile: KernelProfile, side: Side): string {
  const peer = scriptPeer(c);
  const nominal = nominalTimes(c.actions);
  const lastAction = c.actions[c.actions.length - 1]?.action;
  const last = (nominal[nominal.length - 1] ?? 0) + (lastAction?.kind === 'wait' ? lastAction.ms : ACTION_MS);
  const kernelIsn = new Map<string, number>();
  for (const o of c.observed) if (o.kind === 'segment' && o.segment.flags.includes('SYN') && !kernelIsn.has(JSON.stringify(o.to))) kernelIsn.set(JSON.stringify(o.to), o.segment.seq);
  const isnOfKernel = (p: Peer): number => kernelIsn.get(JSON.stringify(p)) ?? 0;

  const timed: TimedAction[] = c.actions.map((a, i) => ({ at: nominal[i]!, action: a.action }));
  // The barrier: the first candidate the model predicts an answer to.
  let barrier: Barrier | null = null;
  let expectations = predict({ profile, settings: c.settings, actions: timed, horizon: last });
  for (const candidate of side === 'expected' && peer !== null ? barrierCandidates(c, peer) : []) {
    const predicted = predict({ profile, settings: c.settings, actions: [...timed, { at: last, action: candidate.action }], horizon: last });
    if (!predicted.some((e) => e.kind === 'segment' && e.cause === timed.length && samePeer(e.to, peer))) continue;
    [barrier, expectations] = [candidate, predicted];
    break;
  }
  const lines: Line[] = [];
  const comments: string[] = [];
  const text = (at: number, step: number, t: string): void => void lines.push({ at, step, kind: 'text', text: t });

  // What the harness sent: the script's peer as packets, the others as comments.
  for (const s of c.sent) {
    if (s.from.kind === 'probe') continue;
    const at = nominal[s.cause]!;
    const segment = inbound(s.segment, s.from, isnOfKernel(s.from));
    if (samePeer(s.from, peer)) lines.push({ at, step: s.cause, kind: 'in', segment });
    else text(at, s.cause, `// ${describePeer(s.from)}: < ${segmentText(segment)}`);
  }
  if (barrier?.segment) lines.push({ at: last, step: timed.length, kind: 'in', segment: barrier.segment });

  // What the kernel must send (expected) or sent (observed), to the script's peer.
  const outbound: Array<{ at: number; until: number; step: number; to: Peer; fields: ScriptSegment }> =
    side === 'expected'
      ? expectations.flatMap((e) => (e.kind === 'segment' && !e.optional ? [{ at: e.at.earliest, until: e.at.latest, step: e.cause, to: e.to, fields: fromExpected(e, c.observed, isnOfKernel(e.to)) }] : []))
      : c.observed.flatMap((o) => {
          if (o.kind !== 'segment') return [];
          const { at, step } = nominalOf(o.at, c.actions, nominal);
          // Jitter both ways, but never before the action that caused it.
          return [{ at: Math.max(nominal[step]!, at - 30), until: at + 30 + at * 0.04, step, to: o.to, fields: fromObserved(o.segment, o.to, isnOfKernel(o.to)) }];
        });
  for (const o of outbound) {
    if (samePeer(o.to, peer)) lines.push({ at: o.at, step: o.step, kind: 'out', segment: o.fields, until: o.until });
    else if (o.to.kind !== 'probe') text(o.at, o.step, `// ${describePeer(o.to)}: > ${segmentText(o.fields)}`);
  }

  // Socket calls, and the results the script asserts.
  const results = side === 'expected' ? expectations.flatMap((e) => (e.kind === 'result' && !e.optional ? [{ cause: e.cause, result: e.result, at: e.at.latest }] : [])) : c.observed.flatMap((o) => {
          if (o.kind !== 'result') return [];
          // A result comes after its call by the kernel's delay; read it with the slack of a kernel timer (model/time.ts).
          const delay = Math.max(0, o.at - c.actions[o.cause]!.at);
          return [{ cause: o.cause, result: o.result, at: nominal[o.cause]! + delay * 1.04 + 25 }];
        });
  const fds = new Map<string, number>();
  let nextFd = 3;
  c.actions.forEach(({ action }, i) => {
    const at = nominal[i]!;
    const result = results.find((r) => r.cause === i)?.result ?? null;
    for (const t of syscall(action, result, peer, fds, () => nextFd++, comments)) text(at, i, t);
    if (barrier && !barrier.segment && i === c.actions.length - 1) for (const t of syscall(barrier.action, null, peer, fds, () => nextFd++, comments)) text(last, timed.length, t);
    if (action.kind !== 'connect' || !samePeer({ kind: 'remote', conn: action.conn }, peer)) return;
    // SO_ERROR is read once the result is due, a little after the latest time it may come; a
    // connect still pending at the end must have no error yet.
    const errno = result?.call === 'connect' ? (result.errno ?? 0) : 0;
    const due = results.find((r) => r.cause === i)?.at ?? last;
    text(due + 1, i, `getsockopt(${fds.get(`conn:${action.conn}`)}, SOL_SOCKET, SO_ERROR, [${errno}], [4]) = 0`);
  });
  if (peer === null) comments.push('no peer of the harness takes part: the script holds only socket calls');
  else if (!c.sent.some((s) => samePeer(s.from, peer))) comments.push(`no segment the harness sent to ${describePeer(peer)} was recorded (a model target sends none): its inbound lines are missing`);
  const child = peer?.kind === 'client' ? fds.get(`client:${peer.client}`) : undefined;
  if (side === 'expected' && barrier === null && child !== undefined && !expectations.some((e) => e.kind === 'segment' && samePeer(e.to, peer) && e.segment.flags.includes('RST'))) {
    // An accepted connection the model leaves established: closing it sends a FIN (RFC 9293 §3.10.4, CLOSE in ESTABLISHED).
    text(last, timed.length, `close(${child}) = 0`);
    lines.push({ at: last, step: timed.length, kind: 'out', segment: { flags: ['FIN', 'ACK'], seq: 1, ack: 1, window: null, options: 'unchecked', ts: null }, until: last + 50 });
  } else if (side === 'expected' && peer !== null && barrier === null) comments.push('no barrier: the model predicts no answer to any probe here, so a segment the kernel sends after the last line goes unnoticed');
  return render(c, profile, side, peer, lines, comments);
}

function render(c: Counterexample, profile: KernelProfile, side: Side, peer: Peer | null, lines: Line[], comments: string[]): string {
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
  const sysctls = [...SCENARIO_SYSCTLS.map((n) => `${n}=${s.sysctls[n]}`), `net.ipv4.tcp_timestamps=${Number(s.timestamps)}`, `net.ipv4.tcp_sack=${Number(s.sack)}`, `net.ipv4.tcp_window_scaling=${Number(s.windowScaling)}`];
  const header = [
    `// tcpconform counterexample ${c.id} (seed ${c.seed}, path ${c.path})`,
    `// replay: ${c.replayCommand}`,
    side === 'expected'
      ? `// Asserts what profile ${profile.name} expects: packetdrill fails on a stack with the deviation below, and passes on one that behaves as the profile says. observed.pkt holds what the target did.`
      : '// Asserts what the target did (observed.pkt): it passes on the target the counterexample came from. counterexample.pkt asserts what the profile expects.',
    '// Deviations found:',
    ...c.deviations.map((d) => `//   ${d.message}`),
    `// Script peer: ${peer ? describePeer(peer) : 'none'}. Times are nominal: waits take their time, other actions ${ACTION_MS} ms each; outbound lines allow the model's interval.`,
    ...comments.map((m) => `// Left out: ${m}`),
    // The settings the model judged by; -e: a kernel without one of them (tcp_syn_linear_timeouts) still runs the script.
    `\`sysctl -q -e -w ${sysctls.join(' ')}\``,
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
  const rst = s.flags.includes('RST') && !syn;
  return {
    flags: s.flags,
    seq: syn || rst ? 0 : rel(s.seq, peerIsn(from)),
    ack: s.flags.includes('ACK') ? rel(s.ack, kernelIsn) : null,
    window: s.window,
    options: synOptionsOf(s),
    ts: s.options.timestamps && { val: s.options.timestamps.tsval, ecr: s.options.timestamps.tsecr },
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
  };
}

/** An expected segment in script numbers; values the kernel chooses come from the observation that pairs with it. */
function fromExpected(e: Extract<Expectation, { kind: 'segment' }>, observed: readonly Observation[], kernelIsn: number): ScriptSegment {
  const s = e.segment;
  const twin = observed.find((o): o is Extract<Observation, { kind: 'segment' }> => o.kind === 'segment' && JSON.stringify(o.to) === JSON.stringify(e.to) && o.segment.flags.join() === s.flags.join());
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
        { action: { kind: 'badAck', client: peer.client }, segment: { flags: ['ACK'], seq: 1, ack: (1 + badAckOffset) >>> 0, window, options: null, ts } },
        { action: { kind: 'syn', client: peer.client, options, window }, segment: { flags: ['SYN'], seq: 0, ack: null, window, options, ts: ts && { val: ts.val, ecr: 0 } } },
        closeListener,
      ];
    }
    case 'remote':
      return [{ action: { kind: 'answerSyn', conn: peer.conn, answer: { kind: 'synAck', options: noOptions, window, ackValid: false } }, segment: { flags: ['SYN', 'ACK'], seq: 0, ack: (1 + badAckOffset) >>> 0, window, options: noOptions, ts: null } }];
    case 'probe':
      return [];
  }
}

/** A barrier: an action whose answer the model predicts, and the segment it sends (none: a socket call). */
type Barrier = { readonly action: Action; readonly segment: ScriptSegment | null };

/** Socket calls of one action; results come from the side the script asserts. */
function syscall(action: Action, result: CallResult | null, peer: Peer | null, fds: Map<string, number>, newFd: () => number, left: string[]): string[] {
  switch (action.kind) {
    case 'listen': {
      const fd = newFd();
      fds.set('listener', fd);
      // Non-blocking: an accept that finds the queue empty returns EAGAIN instead of hanging the script.
      return [`socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = ${fd}`, `setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0`, `bind(${fd}, ..., ...) = 0`, `listen(${fd}, ${action.backlog}) = 0`];
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
    case 'closeListener': {
      const listener = fds.get('listener');
      return listener === undefined ? [] : [`close(${listener}) = 0`];
    }
    case 'connect': {
      if (!samePeer({ kind: 'remote', conn: action.conn }, peer)) return [`// connect() of remote ${action.conn}, a peer this script does not hold`];
      const fd = newFd();
      fds.set(`conn:${action.conn}`, fd);
      return [
        `socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = ${fd}`,
        ...(action.syncnt === null ? [] : [`setsockopt(${fd}, IPPROTO_TCP, TCP_SYNCNT, [${action.syncnt}], 4) = 0`]),
        `connect(${fd}, ..., ...) = ${failsWith('EINPROGRESS')}`,
      ];
    }
    case 'answerSyn':
      // SYN-ACK and RST answers are among the sent segments; an ICMP error is written here.
      if (action.answer.kind !== 'icmpUnreachable') return [];
      if (!samePeer({ kind: 'remote', conn: action.conn }, peer)) return [`// remote ${action.conn}: ICMP unreachable code ${action.answer.code}`];
      return [`< icmp unreachable ${ICMP_UNREACHABLE_NAME[action.answer.code]}`];
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
      return [];
  }
}
