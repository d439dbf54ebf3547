/**
 * A socket's close() once it has a connection (RFC 9293 §3.10.4 CLOSE): its FIN out and
 * retransmitted on the RTO, then FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT (Linux keeps an orphan in
 * the last two as a time-wait socket), or LAST-ACK where the peer's FIN came first. Shared by
 * connect()'s socket and accept()'s; each maps what its peer sends to a `PeerEvent`.
 */
import type { Peer } from './actions.ts';
import type { Context, Timer } from './context.ts';
import type { Expectation, ExpectedSegment, Interval, RuleRef, TcpFlagName } from './expectations.ts';
import { peerTsval } from './harness-numbers.ts';
import { challengeAck, oowRateLimited } from './out-of-window.ts';
import { RULES } from './rules.ts';
import { fromEstablished, type Names } from './segments.ts';
import { response, TCP_RTO_MIN, TCP_TIMEOUT_FALLBACK, TCP_TIMEOUT_INIT, within } from './time.ts';

/** What the peer sends a closing socket, in the closer's terms. */
export type PeerEvent =
  /** Its FIN, acknowledging ours. */
  | 'fin'
  /** An ACK of everything the socket sent. */
  | 'ack'
  /** An ACK of data the socket never sent (RFC 5961 §5.2). */
  | 'unsentDataAck'
  /** An RST whose SEQ is RCV.NXT (RFC 5961 §3.2). */
  | 'rstInWindow'
  /** A SYN of the handshake long past: out of the window. */
  | 'oldSyn'
  /** A SYN-ACK of the handshake long past: as an old SYN, but it carries an ACK. */
  | 'oldSynAck'
  /** An old SYN whose data reaches past RCV.NXT: its end is in the window. */
  | 'oldSynIntoWindow'
  /** An RST out of the window (SEQ 0). */
  | 'rstOutOfWindow'
  /** Nothing a closing socket answers (an ICMP error, a stray RST in SYN's place). */
  | 'ignored';

/** What retransmitting on the RTO needs of a connection. */
export interface RtoSocket {
  readonly ctx: Context;
  readonly peer: Peer;
  /** The handshake's RTT sample (null: none, so tcp_init_metrics' 3 s fallback). */
  readonly rtt: Interval | null;
  /** tcp_rto_max_ms when the socket was made. */
  readonly rtoMax: number;
  /** Each RTO expiry: how many came before, and whether the socket dies at it (Fast Open's blackhole detector counts them). */
  readonly onTimeout?: (timeouts: number, dies: boolean) => void;
}

/**
 * `segment` outstanding (Linux tcp_retransmit_timer): sent again on each RTO expiry, the timeout
 * doubling up to tcp_rto_max_ms; the first RTO from the handshake's RTT sample m is
 * m + max(2m, TCP_RTO_MIN) (tcp_rtt_estimator's SRTT m, RTTVAR max(2m, TCP_RTO_MIN)). With
 * `probe`, a tail loss probe comes first, after 2m + TCP_RTO_MIN, and the RTO runs from it
 * unbacked. An orphan whose timeout reached tcp_rto_max_ms is no longer "alive"
 * (tcp_write_timeout): with tcp_orphan_retries 0 it gets no retries and dies silently (`die`).
 */
export function retransmitOnRto(s: RtoSocket, segment: ExpectedSegment, now: Interval, rule: RuleRef, probe: boolean, die: (() => void) | null): Retransmission {
  const { ctx, rtt } = s;
  const retransmission = new Retransmission(ctx);
  const send = (at: Interval): void => void (retransmission.latest = ctx.sent(s.peer, segment, at, rule));
  const arm = (due: Interval, fire: (at: Interval) => void): void => void (retransmission.timer = ctx.arm(due, fire));
  const of = (f: (m: number) => number, none: number): Interval => (rtt ? { earliest: f(rtt.earliest), latest: f(rtt.latest) } : { earliest: none, latest: none });
  // Without a sample, tcp_init_metrics falls back to 3 s (RFC 6298 §5.7), and a probe comes after 1 s.
  const rto = of((m) => m + Math.max(2 * m, TCP_RTO_MIN), TCP_TIMEOUT_FALLBACK);
  const twice = (i: Interval): Interval => ({ earliest: Math.min(i.earliest * 2, s.rtoMax), latest: Math.min(i.latest * 2, s.rtoMax) });
  let timeouts = 0;
  const expire = (at: Interval, timeout: Interval): void => {
    const dies = die !== null && timeout.earliest >= s.rtoMax;
    s.onTimeout?.(timeouts++, dies);
    if (dies) return die();
    send(at);
    const next = twice(timeout);
    arm(within(at, next), (later) => expire(later, next));
  };
  const lossProbe = (at: Interval): void => {
    send(at);
    arm(within(at, rto), (later) => expire(later, rto));
  };
  if (probe) arm(within(now, of((m) => 2 * m + TCP_RTO_MIN, TCP_TIMEOUT_INIT)), lossProbe);
  else arm(within(now, rto), (at) => expire(at, rto));
  return retransmission;
}

/** A segment retransmitted on a timer, until what it waits for comes. */
export class Retransmission {
  /** The latest retransmission predicted, and the timer of the next. */
  latest: Expectation | null = null;
  timer: Timer | null = null;

  constructor(private readonly ctx: Context) {}

  /**
   * What it waited for came at `now`: no more retransmissions, and the latest one, if its timer may
   * not have fired by then (the kernel's timers run late), may never have gone out.
   */
  stop(now: Interval): void {
    this.cancel();
    if (this.latest?.kind === 'segment' && this.latest.at.latest >= now.earliest) this.ctx.mayNotSend(this.latest);
  }

  /** No more retransmissions (the socket is gone). */
  cancel(): void {
    if (this.timer) this.timer.cancelled = true;
  }
}

/** A connection as close() finds it. */
export interface ClosingConnection extends RtoSocket {
  readonly names: Names;
  readonly timestamps: boolean;
  /** SACK negotiated: the lone FIN gets a tail loss probe first. */
  readonly sack: boolean;
  /** SND.NXT − ISN before the FIN. */
  readonly sent: number;
  /** RCV.NXT: past the peer's FIN if it came. */
  readonly rcvNxt: number;
  /** The peer's FIN came first: LAST-ACK rather than FIN-WAIT-1. */
  readonly peerFinCame: boolean;
  /** The socket is gone (its port then answers as a closed one, or as the listener). */
  readonly onClosed: () => void;
}

type State = 'finWait1' | 'finWait2' | 'timeWait' | 'lastAck' | 'closed';

export class ActiveClose {
  private state: State;
  /** RCV.NXT: one more once the peer's FIN came. */
  private rcvNxt: number;
  private readonly sent: number;
  private readonly fin: Retransmission;
  lastOow: number | null = null;

  constructor(
    private readonly c: ClosingConnection,
    now: Interval,
  ) {
    this.state = c.peerFinCame ? 'lastAck' : 'finWait1';
    this.rcvNxt = c.rcvNxt;
    this.sent = c.sent + 1;
    const fin = this.segment(['FIN', 'ACK'], c.sent);
    c.ctx.send(c.peer, fin, response(now), RULES.closeEstablished);
    this.fin = retransmitOnRto(c, fin, now, RULES.finRetransmit, c.sack, () => this.close(null));
  }

  get names(): Names {
    return this.c.names;
  }
  get timestamps(): boolean {
    return this.c.timestamps;
  }

  private segment(flags: TcpFlagName[], sent = this.sent): ExpectedSegment {
    return fromEstablished(flags, this.c.names, this.rcvNxt, this.c.timestamps, peerTsval(this.c.peer), sent);
  }

  /** The connection ends: on a segment that came at `now`, or on its own timer (null). */
  private close(now: Interval | null): void {
    this.state = 'closed';
    if (now) this.fin.stop(now);
    else this.fin.cancel();
    this.c.onClosed();
  }

  /** Linux tcp_time_wait: the orphan becomes a time-wait socket, its timers gone and its out-of-window rate limit fresh. */
  private toTimeWaitSocket(state: 'finWait2' | 'timeWait', now: Interval): void {
    this.state = state;
    this.fin.stop(now);
    this.lastOow = null;
  }

  /** The peer's FIN acknowledging ours, in FIN-WAIT-1 or -2: TIME-WAIT, and the ACK of it. */
  private peerFin(now: Interval): void {
    this.rcvNxt = (this.rcvNxt + 1) >>> 0;
    this.toTimeWaitSocket('timeWait', now);
    this.ackPeerFin(now, RULES.timeWait);
  }

  /** An RST whose SEQ is RCV.NXT (RFC 5961 §3.2) ends the connection, silently. */
  private resetInWindow(now: Interval): void {
    this.close(now);
    this.c.ctx.drop(this.c.peer, now, RULES.rstInWindow);
  }

  /** The ACK of the peer's FIN: TIME-WAIT's final state (tcp_time_wait, tcp_v4_timewait_ack). */
  private ackPeerFin(now: Interval, rule: RuleRef): void {
    this.c.ctx.send(this.c.peer, this.segment(['ACK']), response(now), rule);
  }

  /** An ACK of data never sent to a full socket: dropped, or since 6.18 (measured) a challenge ACK, as on an established one (RFC 5961 §5.2). */
  private unsentDataAck(now: Interval): void {
    const { ctx, peer } = this.c;
    if (ctx.profile.flags.challengeAckForUnsentData) return challengeAck(ctx, peer, this, this.rcvNxt, now, this.sent);
    return ctx.drop(peer, now, RULES.unsentDataDropped);
  }

  /** The transition function, by the state the close has got to; `synData`: the bytes an old SYN carries. */
  receive(event: PeerEvent, now: Interval, synData = 0): void {
    switch (this.state) {
      case 'finWait1':
        return this.inFinWait1(event, now, synData);
      case 'finWait2':
        return this.inFinWait2(event, now);
      case 'timeWait':
        return this.inTimeWait(event, now);
      case 'lastAck':
        return this.inLastAck(event, now, synData);
      case 'closed':
        return; // its owner answers for the closed port
    }
  }

  /** FIN-WAIT-1 (RFC 9293 §3.10.7.4): the peer's FIN acknowledging ours leads to TIME-WAIT. */
  private inFinWait1(event: PeerEvent, now: Interval, synData: number): void {
    const { ctx, peer } = this.c;
    switch (event) {
      case 'fin':
        return this.peerFin(now);
      case 'rstInWindow':
        return this.resetInWindow(now);
      case 'oldSyn':
      case 'oldSynAck':
      case 'oldSynIntoWindow':
        return challengeAck(ctx, peer, this, this.rcvNxt, now, this.sent, synData);
      case 'ack':
        // The peer's ACK acknowledges everything, the FIN too.
        this.toTimeWaitSocket('finWait2', now);
        return ctx.drop(peer, now, RULES.finWait2);
      case 'unsentDataAck':
        return this.unsentDataAck(now);
      case 'rstOutOfWindow':
      case 'ignored':
        return ctx.drop(peer, now, RULES.connectIgnored);
    }
  }

  /**
   * FIN-WAIT-2 of an orphaned socket, which Linux keeps as a time-wait socket
   * (tcp_timewait_state_process, substate FIN_WAIT2) repeating tcp_rcv_state_process's checks.
   */
  private inFinWait2(event: PeerEvent, now: Interval): void {
    const { ctx, peer } = this.c;
    switch (event) {
      case 'fin':
        return this.peerFin(now);
      case 'rstInWindow':
        return this.resetInWindow(now);
      case 'oldSynIntoWindow':
        // In the window (tcp_in_window) and without ACK: dropped as a duplicate; netstack's full
        // endpoint answers a SYN in a synchronized state with a challenge ACK.
        if (!ctx.profile.flags.finWait2FullEndpoint) return ctx.drop(peer, now, RULES.finWait2);
        if (oowRateLimited(this, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
        return ctx.send(peer, this.segment(['ACK']), response(now), RULES.finWait2FullEndpoint);
      case 'rstOutOfWindow':
      case 'oldSyn':
      case 'oldSynAck':
        // netstack's full endpoint drops an RST out of its window (RFC 5961 §3.2).
        if (event === 'rstOutOfWindow' && ctx.profile.flags.finWait2FullEndpoint) return ctx.drop(peer, now, RULES.finWait2FullEndpoint);
        // Out of the window (an old SYN, an RST with SEQ 0): an ACK, at most one per 500 ms.
        if (oowRateLimited(this, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
        return ctx.send(peer, this.segment(['ACK']), response(now), RULES.finWait2);
      case 'ack':
      case 'unsentDataAck':
        // In the window and acknowledging nothing it holds (an ACK of data never sent too, measured): a duplicate.
        return ctx.drop(peer, now, RULES.duplicateAck);
      case 'ignored':
        return ctx.drop(peer, now, RULES.connectIgnored);
    }
  }

  /** TIME-WAIT as Linux tcp_timewait_state_process keeps it (RFC 9293 §3.10.7.4, RFC 1337). */
  private inTimeWait(event: PeerEvent, now: Interval): void {
    const { ctx, peer } = this.c;
    switch (event) {
      case 'rstInWindow':
        if (ctx.sysctl('net.ipv4.tcp_rfc1337') === 0) this.close(now);
        return ctx.drop(peer, now, RULES.timeWaitRst);
      case 'fin':
        // A retransmitted FIN carries data-like sequence space: tcp_oow_rate_limited lets it through.
        return this.ackPeerFin(now, RULES.timeWaitAck);
      case 'oldSyn':
      case 'oldSynAck':
      case 'oldSynIntoWindow':
        if (ctx.profile.flags.timeWaitDropsOldSyn) {
          // netstack: a SYN not past RCV.NXT is dropped; a SYN-ACK, carrying an ACK, gets the ACK every time.
          if (event !== 'oldSynAck') return ctx.drop(peer, now, RULES.timeWaitOldSyn);
          return this.ackPeerFin(now, RULES.timeWaitOldSyn);
        }
        // Not a newer SYN (the peer's ISN and TSval are the old ones): the final ACK again, rate-limited.
        if (oowRateLimited(this, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
        return this.ackPeerFin(now, RULES.timeWaitAck);
      case 'ack':
      case 'unsentDataAck':
        return ctx.drop(peer, now, RULES.timeWaitAck);
      case 'rstOutOfWindow':
      case 'ignored':
        return ctx.drop(peer, now, RULES.connectIgnored);
    }
  }

  /** LAST-ACK (RFC 9293 §3.10.7.4): the ACK of our FIN ends the connection. */
  private inLastAck(event: PeerEvent, now: Interval, synData: number): void {
    const { ctx, peer } = this.c;
    switch (event) {
      case 'fin':
        // netstack: the FIN again ends just at RCV.NXT, out of its window: an ACK, and its ACK field unread.
        if (ctx.profile.flags.finAgainOutOfWindow) {
          if (oowRateLimited(this, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
          return ctx.send(peer, this.segment(['ACK']), response(now), RULES.lastAckFinAgain);
        }
        // Its FIN again acknowledges ours too: the connection ends on it (Linux tcp_rcv_state_process), nothing answered.
        this.close(now);
        return ctx.drop(peer, now, RULES.lastAck);
      case 'ack':
        this.close(now);
        return ctx.drop(peer, now, RULES.lastAck);
      case 'unsentDataAck':
        return this.unsentDataAck(now);
      case 'rstInWindow':
        return this.resetInWindow(now);
      case 'oldSyn':
      case 'oldSynAck':
      case 'oldSynIntoWindow':
        return challengeAck(ctx, peer, this, this.rcvNxt, now, this.sent, synData);
      case 'rstOutOfWindow':
      case 'ignored':
        return ctx.drop(peer, now, RULES.connectIgnored);
    }
  }
}
