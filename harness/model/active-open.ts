/**
 * connect(): SYN_SENT, its retransmission schedule and timeout, and what each answer does.
 */
import type { Context, Timer } from './context.ts';
import { RULES } from './rules.ts';
import { badAckOffset, peerTsval } from './harness-numbers.ts';
import type { ConnectErrno, Interval } from './expectations.ts';
import type { ConnId, IcmpUnreachableCode, SynAnswer } from './actions.ts';
import { closedPortReset } from './closed-port.ts';
import { challengeAck } from './out-of-window.ts';
import { advertisedMss, connectSyn, fromEstablished, remoteAck, rstForAck, type Names } from './segments.ts';
import { after, response } from './time.ts';

const TCP_TIMEOUT_INIT = 1000;
const TCP_RTO_MAX = 120_000;
/** BSD, per the article: retransmit after 6 s and 24 s, give up at 75 s. */
const BSD_SCHEDULE = [6000, 18_000];
const BSD_TIMEOUT = 75_000;

/**
 * Linux icmp_err_convert (net/ipv4/icmp.c), by destination-unreachable code: the errno a
 * connect() in SYN_SENT fails with, whether the kernel deems the code fatal or not (tcp_v4_err
 * aborts SYN_SENT on any). Fragmentation needed (4) only adjusts the path MTU.
 */
const ICMP_ERRNO: Record<IcmpUnreachableCode, ConnectErrno | null> = {
  0: 'ENETUNREACH',
  1: 'EHOSTUNREACH',
  2: 'ENOPROTOOPT',
  3: 'ECONNREFUSED',
  4: null,
  5: 'EOPNOTSUPP', // source route failed
  6: 'ENETUNREACH', // network unknown
  7: 'EHOSTDOWN', // host unknown
  8: 'ENONET', // source host isolated
  9: 'ENETUNREACH', // network administratively prohibited
  10: 'EHOSTUNREACH', // host administratively prohibited
  11: 'ENETUNREACH', // network unreachable for TOS
  12: 'EHOSTUNREACH', // host unreachable for TOS
  13: 'EHOSTUNREACH', // communication administratively prohibited
  14: 'EHOSTUNREACH', // host precedence violation
  15: 'EHOSTUNREACH', // precedence cutoff in effect
};

/**
 * Linux tcp_model_timeout: how long `retries` exponential retransmissions from 1 s take; SYN_SENT
 * gives up at the first timer past it, even when linear timeouts make the SYNs come faster.
 */
export function synTimeoutMs(retries: number): number {
  const thresh = 6; // ilog2(TCP_RTO_MAX / TCP_TIMEOUT_INIT)
  return retries <= thresh ? ((2 << retries) - 1) * TCP_TIMEOUT_INIT : ((2 << thresh) - 1) * TCP_TIMEOUT_INIT + (retries - thresh) * TCP_RTO_MAX;
}

/** Where connect() stands (RFC 9293 §3.3.2): its SYN out, the handshake done, or the socket gone. */
type State = 'synSent' | 'established' | 'closed';

export class ActiveOpen {
  private state: State = 'synSent';
  readonly names: Names;
  private readonly firstSyn: number;
  private readonly retries: number;
  private readonly linear: number;
  private retransmits = 0;
  /** The MSS its SYN advertises (TCP_MAXSEG clamps it). */
  private readonly mss: number;
  private rto: number;
  private timer: Timer;
  /** BSD: an ICMP error is remembered and becomes connect()'s errno when the timer gives up. */
  private softError: ConnectErrno | null = null;
  timestamps: boolean;
  lastOow: number | null = null;
  /** The connect() action: its result is reported against it, whatever answer ends it. */
  private readonly call: number;

  constructor(
    private readonly ctx: Context,
    private readonly conn: ConnId,
    syncnt: number | null,
    maxseg: number | undefined,
    now: Interval,
  ) {
    this.mss = advertisedMss(ctx.settings, maxseg);
    this.names = { isn: `isn:remote:${conn}`, tsval: `tsval:remote:${conn}` };
    this.call = ctx.cause;
    this.retries = syncnt ?? ctx.sysctl('net.ipv4.tcp_syn_retries');
    this.linear = ctx.profile.flags.linearSynTimeouts ? ctx.sysctl('net.ipv4.tcp_syn_linear_timeouts') : 0;
    this.firstSyn = now.earliest;
    this.timestamps = ctx.settings.timestamps;
    this.rto = ctx.profile.flags.bsdSynSchedule ? BSD_SCHEDULE[0]! : TCP_TIMEOUT_INIT;
    ctx.send(this.peer, connectSyn(ctx.settings, this.names, this.mss), response(now), RULES.connectSyn);
    this.timer = ctx.arm(after(now, this.rto), (at) => this.retransmitTimer(at));
  }

  private get peer() {
    return { kind: 'remote', conn: this.conn } as const;
  }

  /** Linux tcp_retransmit_timer + tcp_write_timeout in SYN_SENT. */
  private retransmitTimer(at: Interval): void {
    const { ctx } = this;
    const bsd = ctx.profile.flags.bsdSynSchedule;
    const deadline = bsd ? BSD_TIMEOUT : synTimeoutMs(this.retries);
    const givesUp = bsd ? this.retransmits >= BSD_SCHEDULE.length : at.earliest - this.firstSyn >= deadline;
    if (givesUp) {
      const fire = bsd ? { earliest: this.firstSyn + BSD_TIMEOUT, latest: this.firstSyn + BSD_TIMEOUT * 1.04 + 25 } : at;
      return this.fail(this.softError ?? 'ETIMEDOUT', fire, RULES.connectTimeout);
    }
    ctx.send(this.peer, connectSyn(ctx.settings, this.names, this.mss), at, RULES.synRetransmit);
    this.retransmits++;
    if (bsd) this.rto = BSD_SCHEDULE[this.retransmits] ?? BSD_TIMEOUT - BSD_SCHEDULE.reduce((a, b) => a + b, 0);
    // tcp_syn_linear_timeouts: the first retransmissions keep the initial RTO.
    else if (this.retransmits > this.linear) this.rto = Math.min(this.rto * 2, TCP_RTO_MAX);
    this.timer = ctx.arm(after(at, this.rto), (next) => this.retransmitTimer(next));
  }

  /**
   * Linux tcp_rcv_synsent_state_process, on an unacceptable ACK: "Previous FIN/ACK or RST/ACK
   * might be ignored", so before any retransmission the SYN goes again after TCP_TIMEOUT_MIN
   * (2 jiffies: 2 ms at HZ 1000, 8 ms at 250).
   */
  private resendSoon(now: Interval): void {
    if (this.retransmits !== 0) return;
    this.timer.cancelled = true;
    this.timer = this.ctx.arm({ earliest: now.earliest + 2, latest: now.latest + 40 }, (at) => this.retransmitTimer(at));
  }

  private fail(errno: ConnectErrno, at: Interval, rule: typeof RULES.connectTimeout): void {
    this.state = 'closed';
    this.timer.cancelled = true;
    this.ctx.result({ call: 'connect', errno }, at, rule, this.call);
  }

  /**
   * close(): RFC 9293 §3.10.4 CLOSE in SYN-SENT deletes the TCB and sends nothing (Linux tcp_close:
   * no RST without unread data); retransmissions stop, connect() returns nothing more, and later
   * answers meet a closed port.
   */
  close(): void {
    this.state = 'closed';
    this.timer.cancelled = true;
  }

  /** The transition function: the remote's answer, by the state connect() is in. */
  answer(answer: SynAnswer, now: Interval): void {
    const { ctx } = this;
    switch (this.state) {
      case 'closed':
        // The socket is gone: the answer meets a closed port (RFC 9293 §3.10.7.1).
        if (answer.kind === 'synAck') return closedPortReset(ctx, this.peer, { ack: { bind: this.names.isn, plus: 1 + (answer.ackValid ? 0 : badAckOffset) } }, now);
        return ctx.drop(this.peer, now, answer.kind === 'rst' ? RULES.rstAfterReset : RULES.connectIgnored);
      case 'established':
        // A SYN-ACK now is a SYN on a synchronized connection (RFC 5961 §4); an out-of-window RST or a soft ICMP error is dropped.
        if (answer.kind === 'synAck') return challengeAck(ctx, this.peer, this, remoteAck(this.conn), now);
        return ctx.drop(this.peer, now, RULES.connectIgnored);
      case 'synSent':
        return this.inSynSent(answer, now);
    }
  }

  /** RFC 9293 §3.10.7.3 SYN-SENT, as Linux tcp_rcv_synsent_state_process and tcp_v4_err do it. */
  private inSynSent(answer: SynAnswer, now: Interval): void {
    const { ctx } = this;
    switch (answer.kind) {
      case 'synAck':
        if (!answer.ackValid) {
          ctx.send(this.peer, rstForAck({ bind: this.names.isn, plus: 1 + badAckOffset }), response(now), RULES.connectBadSynAck);
          return this.resendSoon(now);
        }
        this.state = 'established';
        this.timer.cancelled = true;
        this.timestamps = this.timestamps && answer.options.timestamps;
        ctx.send(this.peer, fromEstablished(['ACK'], this.names, remoteAck(this.conn), this.timestamps, peerTsval(this.peer)), response(now), RULES.connectEstablished);
        ctx.result({ call: 'connect', errno: null }, response(now), RULES.connectEstablished, this.call);
        return;
      case 'rst':
        // An RST whose ACK is unacceptable is dropped, and counts as a bad ACK (below).
        if (answer.acceptable) return this.fail('ECONNREFUSED', response(now), RULES.connectRefused);
        return this.resendSoon(now);
      case 'icmpUnreachable': {
        const errno = ICMP_ERRNO[answer.code];
        if (errno === null) return ctx.drop(this.peer, now, RULES.icmpFragNeeded);
        if (ctx.profile.flags.icmpUnreachableAbortsConnect) return this.fail(errno, response(now), RULES.connectIcmp);
        // BSD: a soft error, remembered until the timer gives up.
        this.softError = errno;
        return ctx.drop(this.peer, now, RULES.connectIcmp);
      }
    }
  }
}
