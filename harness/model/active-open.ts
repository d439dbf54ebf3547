/**
 * connect(): SYN_SENT, its retransmission schedule and timeout, and what each answer does.
 */
import type { Context, Timer } from './context.ts';
import { RULES } from './rules.ts';
import { badAckOffset, dataAckedBy, peerTsval } from './harness-numbers.ts';
import type { ConnectErrno, Expected32, ExpectedSegment, Interval, RuleRef, TcpFlagName } from './expectations.ts';
import type { Action, ConnId, EcnFlag, IcmpUnreachableCode, SynAnswer } from './actions.ts';
import { unreachableEffect } from './icmp-errors.ts';
import { fastOpenSyn, learnFromSynAck, type FastOpenSyn } from './fast-open-client.ts';
import { ActiveClose, retransmitOnRto, type PeerEvent, type Retransmission } from './active-close.ts';
import { closedPortReset } from './closed-port.ts';
import { challengeAck } from './out-of-window.ts';
import { advertisedMss, connectSyn, fromEstablished, handshakeRst, remoteAck, rstForAck, type Crossed, type Names } from './segments.ts';
import { after, response, RETRIES_UNTIL_MAX_RTO, rttSample, TCP_RTO_MAX, TCP_TIMEOUT_INIT } from './time.ts';
import { optionsOn } from './profiles.ts';

/** BSD, per the article: retransmit after 6 s and 24 s, give up at 75 s. */
const BSD_SCHEDULE = [6000, 18_000];
const BSD_TIMEOUT = 75_000;

/** The SYN-ACK's AE, CWR, ECE as AccECN reads them: 010, 011, 100 and 110 mean an AccECN server. */
function accEcnSynAck(flags: readonly EcnFlag[]): boolean {
  const ace = (flags.includes('AE') ? 4 : 0) | (flags.includes('CWR') ? 2 : 0) | (flags.includes('ECE') ? 1 : 0);
  return ace === 2 || ace === 3 || ace === 4 || ace === 6;
}

/**
 * Linux tcp_model_timeout: how long `retries` exponential retransmissions from 1 s take, each
 * timeout at most `rtoMax` (tcp_rto_max_ms, TCP_RTO_MAX before 6.15); SYN_SENT gives up at the
 * first timer past it, even when linear timeouts make the SYNs come faster.
 */
export function synTimeoutMs(retries: number, rtoMax: number = TCP_RTO_MAX): number {
  const thresh = Math.floor(Math.log2(rtoMax / TCP_TIMEOUT_INIT));
  return retries <= thresh ? ((2 << retries) - 1) * TCP_TIMEOUT_INIT : ((2 << thresh) - 1) * TCP_TIMEOUT_INIT + (retries - thresh) * rtoMax;
}

/**
 * Where connect()'s socket stands (RFC 9293 §3.3.2): its SYN out, the SYNs crossed, the
 * handshake done, closed with its FIN out, that FIN acknowledged, in TIME-WAIT, or gone.
 */
type State = 'synSent' | 'synRcvd' | 'established' | 'closing' | 'closed';

/** The remote's answer as a closing socket takes it. */
const CLOSE_EVENT: Record<SynAnswer['kind'], PeerEvent> = { fin: 'fin', ack: 'ack', rstInWindow: 'rstInWindow', synAck: 'oldSynAck', syn: 'oldSyn', rst: 'rstOutOfWindow', icmpUnreachable: 'ignored', packetTooBig: 'ignored' };

export class ActiveOpen {
  private state: State = 'synSent';
  private readonly conn: ConnId;
  readonly names: Names;
  private readonly firstSyn: number;
  private readonly retries: number;
  private readonly linear: number;
  private retransmits = 0;
  /** The MSS its SYN advertises (TCP_MAXSEG clamps it). */
  private readonly mss: number;
  /** The SYN's retransmission timeout, and the most it grows to (tcp_rto_max_ms when the socket was made). */
  private rto: number;
  private readonly rtoMax: number;
  private timer: Timer;
  /** After close() on a connection: its FIN's way out (FIN-WAIT-1 on, or LAST-ACK). */
  private closing: ActiveClose | null = null;
  /** The SYN asks for ECN (net.ipv4.tcp_ecn 1); a retransmission drops the request with tcp_ecn_fallback. */
  private ecn: boolean;
  /** connect() asked for ECN at all (tp->ecn_flags, which a fallback leaves until the SYN-ACK). */
  private readonly ecnAsked: boolean;
  /** SND.NXT past the ISN: 1 after the SYN (and its Fast Open data), one more once the FIN went out. */
  private sent = 1;
  /** A Fast Open connect(): what its SYN carried (the socket's syn_fastopen). */
  private readonly fastOpen: Extract<FastOpenSyn, { kind: 'syn' }> | null = null;
  /** Data sent and not yet acknowledged, retransmitted on the RTO (SYN data the SYN-ACK left). */
  private unacked = 0;
  private dataRetransmission: Retransmission | null = null;
  /** False when sendto(MSG_FASTOPEN) failed at once: no SYN, no ISN. */
  private synWentOut = true;
  /** When the latest SYN (or crossed SYN-ACK) went out: the handshake's RTT sample is taken from it. */
  private lastSynAt: number;
  /**
   * The handshake's RTT sample, once established: between 0 and the time from the action that sent
   * the SYN to the one that answered it (the packets themselves leave and arrive in between); null
   * when the SYN was retransmitted and no timestamp tells which one was answered.
   */
  private rtt: Interval | null = { earliest: 0, latest: 0 };
  /** SACK negotiated: a lone segment outstanding is probed once before the RTO (tail loss probe). */
  private sack = false;
  /** After the SYNs crossed: what the SYN-ACK acknowledges and echoes (simultaneous open). */
  private crossed: Crossed | null = null;
  /** BSD: an ICMP error is remembered and becomes connect()'s errno when the timer gives up. */
  private softError: ConnectErrno | null = null;
  timestamps: boolean;
  lastOow: number | null = null;
  /** The connect() action: its result is reported against it, whatever answer ends it. */
  private readonly call: number;

  constructor(
    private readonly ctx: Context,
    { conn, syncnt, maxseg, fastOpen }: Extract<Action, { kind: 'connect' }>,
    /** The remote host (tcp_metrics' key): the connection that first reached it. */
    private readonly host: ConnId,
    now: Interval,
  ) {
    this.conn = conn;
    this.mss = advertisedMss(ctx.settings, maxseg);
    this.ecn = ctx.sysctl('net.ipv4.tcp_ecn') === 1;
    this.ecnAsked = this.ecn;
    this.names = { isn: `isn:remote:${conn}`, tsval: `tsval:remote:${conn}` };
    this.call = ctx.cause;
    this.retries = ctx.profile.flags.handshakeGivesUpAtMaxRto ? RETRIES_UNTIL_MAX_RTO : (syncnt ?? ctx.sysctl('net.ipv4.tcp_syn_retries'));
    this.linear = ctx.profile.flags.linearSynTimeouts ? ctx.sysctl('net.ipv4.tcp_syn_linear_timeouts') : 0;
    this.firstSyn = now.earliest;
    this.lastSynAt = now.earliest;
    this.timestamps = optionsOn(ctx.settings).timestamps;
    this.rto = ctx.profile.flags.bsdSynSchedule ? BSD_SCHEDULE[0]! : TCP_TIMEOUT_INIT;
    this.rtoMax = ctx.sysctl('net.ipv4.tcp_rto_max_ms');
    const syn = fastOpen === undefined ? null : fastOpenSyn(ctx, host, fastOpen, this.mss, maxseg);
    const noFastOpen = fastOpen !== undefined && ctx.profile.flags.fastOpenSendIsEpipe;
    if (syn?.kind === 'off' || noFastOpen) {
      // tcp_sendmsg_fastopen without tcp_fastopen's client bit (or a stack without Fast Open): no connection at all.
      this.state = 'closed';
      this.synWentOut = false;
      this.timer = { due: now, fire: () => undefined, cause: ctx.cause, cancelled: true };
      ctx.result({ call: 'connect', errno: noFastOpen ? 'EPIPE' : 'EOPNOTSUPP' }, response(now), noFastOpen ? RULES.fastOpenUnsupported : RULES.fastOpenConnect);
      return;
    }
    this.fastOpen = syn;
    if (syn) {
      this.sent += syn.data;
      this.unacked = syn.data;
      ctx.result({ call: 'sendto', sent: syn.data }, response(now), RULES.fastOpenConnect);
    }
    ctx.send(this.peer, connectSyn(ctx, this.names, this.mss, this.ecn, null, syn), response(now), syn ? RULES.fastOpenConnect : this.ecn ? RULES.ecnSyn : RULES.connectSyn);
    ctx.count('Tcp.ActiveOpens', RULES.connectSyn);
    this.timer = ctx.arm(after(now, this.rto), (at) => this.retransmitTimer(at));
  }

  private get peer() {
    return { kind: 'remote', conn: this.conn } as const;
  }

  /** Linux tcp_retransmit_timer + tcp_write_timeout in SYN_SENT. */
  private retransmitTimer(at: Interval): void {
    const { ctx } = this;
    const bsd = ctx.profile.flags.bsdSynSchedule;
    // Linux tcp_write_timeout: after tcp_syn_retries retransmissions (+ the linear ones, in SYN-SENT), or once the modelled time is past.
    const count = this.retries + (this.state === 'synSent' ? this.linear : 0);
    const givesUp = bsd ? this.retransmits >= BSD_SCHEDULE.length : this.retransmits >= count || at.earliest - this.firstSyn >= synTimeoutMs(this.retries, this.rtoMax);
    this.detectBlackhole(this.retransmits, givesUp);
    if (givesUp) {
      const fire = bsd ? { earliest: this.firstSyn + BSD_TIMEOUT, latest: this.firstSyn + BSD_TIMEOUT * 1.04 + 25 } : at;
      return this.fail(this.softError ?? 'ETIMEDOUT', fire, RULES.connectTimeout);
    }
    // Linux tcp_ecn_clear_syn: a retransmitted SYN no longer asks for ECN, with tcp_ecn_fallback on.
    if (ctx.sysctl('net.ipv4.tcp_ecn_fallback') !== 0) this.ecn = false;
    // In SYN-RECEIVED the same segment goes again, now a SYN-ACK.
    const crossed = this.crossed && ctx.profile.flags.crossedSynAckResendsSynOptions ? { ack: this.crossed.ack, tsecr: 0, offered: null } : this.crossed;
    ctx.send(this.peer, connectSyn(ctx, this.names, this.mss, this.ecn, crossed), at, RULES.synRetransmit);
    this.lastSynAt = at.earliest;
    ctx.count('TcpExt.TCPSynRetrans', RULES.synRetransmit);
    this.retransmits++;
    if (bsd) this.rto = BSD_SCHEDULE[this.retransmits] ?? BSD_TIMEOUT - BSD_SCHEDULE.reduce((a, b) => a + b, 0);
    // tcp_syn_linear_timeouts: the first retransmissions keep the initial RTO, in SYN-SENT only.
    else if (this.retransmits > this.linear || this.state === 'synRcvd') this.rto = Math.min(this.rto * 2, this.rtoMax);
    this.timer = ctx.arm(after(at, this.rto), (next) => this.retransmitTimer(next));
  }

  /**
   * Linux tcp_rcv_synsent_state_process, on an unacceptable ACK: "Previous FIN/ACK or RST/ACK
   * might be ignored", so before any retransmission the SYN goes again after TCP_TIMEOUT_MIN
   * (2 jiffies: 2 ms at HZ 1000, 8 ms at 250).
   */
  private resendSoon(now: Interval): void {
    if (this.retransmits !== 0 || this.ctx.profile.flags.noSynResendOnBadAnswer) return;
    this.timer.cancelled = true;
    this.timer = this.ctx.arm({ earliest: now.earliest + 2, latest: now.latest + 40 }, (at) => this.retransmitTimer(at));
  }

  private fail(errno: ConnectErrno, at: Interval, rule: RuleRef): void {
    this.state = 'closed';
    this.timer.cancelled = true;
    this.ctx.result({ call: 'connect', errno }, at, rule, this.call);
  }

  /**
   * close(): RFC 9293 §3.10.4 CLOSE in SYN-SENT deletes the TCB and sends nothing (Linux tcp_close:
   * no RST without unread data); retransmissions stop, connect() returns nothing more, and later
   * answers meet a closed port.
   */
  close(now: Interval): void {
    this.timer.cancelled = true;
    this.dataRetransmission?.cancel();
    if (this.state !== 'established' && this.state !== 'synRcvd') {
      this.state = 'closed';
      return;
    }
    // RFC 9293 §3.10.4 CLOSE in ESTABLISHED or SYN-RECEIVED: a FIN, FIN-WAIT-1, retransmitted on the RTO, doubling.
    this.state = 'closing';
    const { ctx, names, timestamps, sack, sent, rtt, rtoMax } = this;
    this.closing = new ActiveClose({ ctx, peer: this.peer, names, timestamps, sack, sent, rtt, rtoMax, rcvNxt: remoteAck(this.conn), peerFinCame: false, onTimeout: (t, dies) => this.detectBlackhole(t, dies), onClosed: () => void (this.state = 'closed') }, now);
    this.sent++;
  }

  /** The unacknowledged data, retransmitted on the RTO (not an orphan's: it never dies of it). */
  private retransmitData(segment: ExpectedSegment, now: Interval): void {
    this.dataRetransmission = retransmitOnRto({ ctx: this.ctx, peer: this.peer, rtt: this.rtt, rtoMax: this.rtoMax, onTimeout: (t, dies) => this.detectBlackhole(t, dies) }, segment, now, RULES.fastOpenDataRetransmit, false, null);
  }

  /** The data the latest SYN carried, which a SYN-ACK answers: a retransmitted SYN carries none. */
  private get dataInLatestSyn(): number {
    return this.retransmits > 0 ? 0 : (this.fastOpen?.data ?? 0);
  }

  /** A timeout of a Fast Open connection (Linux tcp_fastopen_active_detect_blackhole): the third, or one that gives up before, counts as a failure. */
  private detectBlackhole(timeouts: number, givesUp: boolean): void {
    if (this.fastOpen && (timeouts === 2 || (timeouts < 2 && givesUp))) this.ctx.count('TcpExt.TCPFastOpenActiveFail', RULES.fastOpenDataRetransmit);
  }

  /** A segment of the synchronized socket: SND.NXT as it stands, the remote's TSval echoed. */
  private fromSocket(flags: TcpFlagName[], ack: number): ExpectedSegment {
    return fromEstablished(flags, this.names, ack, this.timestamps, peerTsval(this.peer), this.sent);
  }

  /** The transition function: the remote's answer, by the state connect() is in. */
  answer(answer: SynAnswer, now: Interval): void {
    switch (this.state) {
      case 'closed':
        return this.inClosed(answer, now);
      case 'established':
        return this.inEstablished(answer, now);
      case 'synRcvd':
        return this.inSynRcvd(answer, now);
      case 'synSent':
        return this.inSynSent(answer, now);
      case 'closing':
        return this.closing!.receive(CLOSE_EVENT[answer.kind], now);
    }
  }

  /** The socket is gone: the answer meets a closed port (RFC 9293 §3.10.7.1). */
  private inClosed(answer: SynAnswer, now: Interval): void {
    const { ctx } = this;
    // What the harness acknowledges: past the ISN, if a SYN went out at all (else it acknowledges 0).
    const ackOf = (plus: number): Expected32 => (this.synWentOut ? { bind: this.names.isn, plus } : { exact: 0 });
    switch (answer.kind) {
      case 'synAck':
        return closedPortReset(ctx, this.peer, { ack: ackOf(1 + dataAckedBy(answer.dataAcked, this.dataInLatestSyn) + (answer.ackValid ? 0 : badAckOffset)) }, now);
      case 'ack':
      case 'fin':
        return closedPortReset(ctx, this.peer, { ack: ackOf(this.sent) }, now);
      case 'syn':
        return closedPortReset(ctx, this.peer, { seqEnd: remoteAck(this.conn) }, now);
      case 'rst':
      case 'rstInWindow':
        return ctx.drop(this.peer, now, RULES.rstAfterReset);
      case 'icmpUnreachable':
      case 'packetTooBig':
        return ctx.drop(this.peer, now, RULES.connectIgnored);
    }
  }

  /** RFC 9293 §3.10.7.4 on the established connection, with RFC 5961's challenge ACK. */
  private inEstablished(answer: SynAnswer, now: Interval): void {
    const { ctx } = this;
    switch (answer.kind) {
      case 'synAck':
      case 'syn':
        // A SYN on a synchronized connection (RFC 5961 §4).
        return challengeAck(ctx, this.peer, this, remoteAck(this.conn), now, this.sent);
      case 'ack':
        if (this.unacked === 0) return ctx.drop(this.peer, now, RULES.duplicateAck);
        // The harness's ACK acknowledges everything the target sent.
        this.unacked = 0;
        this.dataRetransmission?.stop(now);
        return ctx.drop(this.peer, now, RULES.dataAcked);
      case 'rstInWindow':
        this.state = 'closed';
        this.dataRetransmission?.cancel();
        return ctx.drop(this.peer, now, RULES.rstInWindow);
      case 'fin':
      case 'rst':
      case 'icmpUnreachable':
      case 'packetTooBig':
        // An out-of-window RST or a soft ICMP error is dropped; a FIN or an in-window RST come only after close() (preconditions).
        return ctx.drop(this.peer, now, RULES.connectIgnored);
    }
  }

  /** SYN-RECEIVED after the SYNs crossed (RFC 9293 §3.10.7.4; Linux tcp_rcv_state_process, tcp_validate_incoming). */
  private inSynRcvd(answer: SynAnswer, now: Interval): void {
    const { ctx } = this;
    switch (answer.kind) {
      case 'ack':
        return this.establish(null, response(now), RULES.simultaneousAck);
      case 'synAck':
        if (answer.ackValid && ctx.profile.flags.synAckCompletesSimultaneousOpen) {
          return this.establish(this.fromSocket(['ACK'], remoteAck(this.conn)), response(now), RULES.simultaneousSynAck);
        }
        // netstack checkAck: an unacceptable ACK in SYN-RECEIVED -> <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.4).
        if (!answer.ackValid && ctx.profile.flags.badAckInCrossedSynRcvdGetsRst) {
          const rst = handshakeRst({ bind: this.names.isn, plus: 1 + badAckOffset }, this.names, ctx.profile.flags.badAckRstCarriesTimestamps && this.timestamps, peerTsval(this.peer));
          return ctx.send(this.peer, rst, response(now), RULES.simultaneousBadAck);
        }
        return challengeAck(ctx, this.peer, this, remoteAck(this.conn), now, this.sent);
      case 'syn':
        // A SYN in SYN-RECEIVED (RFC 5961 §4 via tcp_validate_incoming's step 4): a challenge ACK.
        return challengeAck(ctx, this.peer, this, remoteAck(this.conn), now, this.sent);
      case 'rst':
        // The harness's RST carries SEQ 0, outside the window RCV.NXT opened: dropped (RFC 5961 §3.2).
        return ctx.drop(this.peer, now, RULES.connectIgnored);
      case 'icmpUnreachable':
        // Linux tcp_v4_err and tcp_v6_err treat SYN-RECEIVED of a simultaneous open as SYN-SENT.
        return this.icmpUnreachable(answer.code, now);
      case 'packetTooBig':
        return ctx.drop(this.peer, now, RULES.pathMtu);
      case 'fin':
      case 'rstInWindow':
        return; // they answer close(), which leaves SYN-RECEIVED (preconditions.ts)
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
        this.timestamps = this.timestamps && answer.options.timestamps;
        this.sack = optionsOn(ctx.settings).sack && answer.options.sackPermitted;
        if (this.fastOpen) {
          learnFromSynAck(ctx, this.host, this.fastOpen, { cookie: answer.cookie ?? false, mss: answer.options.mss }, this.retransmits > 0);
          const acked = dataAckedBy(answer.dataAcked, this.dataInLatestSyn);
          this.unacked = this.fastOpen.data - acked;
          if (this.unacked > 0) {
            // The rest of the data goes again at once, in place of the ACK (Loss state: no tail loss probe).
            ctx.count('TcpExt.TCPFastOpenActiveFail', RULES.fastOpenDataRetransmit);
            this.establish(null, response(now), RULES.fastOpenDataRetransmit);
            // tcp_retransmit_skb sends what the SYN-ACK's window takes (one segment at a zero window); a cut skb loses its PSH.
            const length = answer.window === 0 ? this.unacked : Math.min(this.unacked, answer.window);
            const rest = fromEstablished(length === this.unacked ? ['ACK', 'PSH'] : ['ACK'], this.names, remoteAck(this.conn), this.timestamps, peerTsval(this.peer), 1 + acked, length);
            ctx.send(this.peer, rest, response(now), RULES.fastOpenDataRetransmit);
            return this.retransmitData(rest, now);
          }
          if (this.fastOpen.data > 0) ctx.count('TcpExt.TCPFastOpenActive', RULES.fastOpenSynAck);
        }
        if (this.ecnAsked && ctx.profile.flags.accEcnFromSynAck && accEcnSynAck(answer.ecn ?? [])) {
          // ACE = 0b010: the SYN-ACK came not-ECT.
          return this.establish({ ...this.fromSocket(['ACK', 'CWR'], remoteAck(this.conn)), ipEcn: 'ect0' }, response(now), RULES.accEcnSynAck);
        }
        return this.establish(this.fromSocket(['ACK'], remoteAck(this.conn)), response(now), this.fastOpen ? RULES.fastOpenSynAck : RULES.connectEstablished);
      case 'syn':
        // The SYNs crossed: SYN-RECEIVED, and the SYN again with an ACK of the remote's.
        this.state = 'synRcvd';
        // Linux tcp_ecn_rcv_syn: the remote's SYN did not ask for ECN, so the SYN-ACK carries none.
        this.ecn = false;
        this.timestamps = this.timestamps && answer.options.timestamps;
        this.sack = optionsOn(ctx.settings).sack && answer.options.sackPermitted;
        this.crossed = { ack: remoteAck(this.conn), tsecr: answer.options.timestamps ? peerTsval(this.peer) : 0, offered: answer.options };
        this.lastSynAt = now.earliest;
        return ctx.send(this.peer, connectSyn(ctx, this.names, this.mss, false, this.crossed), response(now), RULES.simultaneousSyn);
      case 'ack':
        return ctx.drop(this.peer, now, RULES.ackInSynSent);
      case 'rst':
        // An RST whose ACK is unacceptable is dropped, and counts as a bad ACK (below).
        if (answer.acceptable) return this.fail('ECONNREFUSED', response(now), RULES.connectRefused);
        return this.resendSoon(now);
      case 'icmpUnreachable':
        return this.icmpUnreachable(answer.code, now);
      case 'packetTooBig':
        return ctx.drop(this.peer, now, RULES.pathMtu);
      case 'fin':
      case 'rstInWindow':
        return; // they answer close(), which leaves SYN-SENT (preconditions.ts)
    }
  }

  /** ESTABLISHED: the retransmissions stop and connect() returns, after the ACK that completes the handshake, if this side sends one. */
  private establish(ack: ExpectedSegment | null, at: Interval, rule: RuleRef): void {
    this.state = 'established';
    this.timer.cancelled = true;
    this.rtt = rttSample(this.lastSynAt, this.retransmits > 0, this.timestamps, at);
    if (ack) this.ctx.send(this.peer, ack, at, rule);
    this.ctx.result({ call: 'connect', errno: null }, at, rule, this.call);
  }

  /** Linux tcp_v4_err and tcp_v6_err in SYN-SENT (and SYN-RECEIVED of a simultaneous open): the error ends connect() at once; BSD keeps it for the timeout. */
  private icmpUnreachable(code: IcmpUnreachableCode, now: Interval): void {
    const { ctx } = this;
    const effect = unreachableEffect(ctx.settings.family, code, ctx.profile.flags);
    if (effect.kind === 'pathMtu') return ctx.drop(this.peer, now, RULES.pathMtu);
    if (effect.kind === 'ignored') return ctx.drop(this.peer, now, RULES.connectIcmp);
    if (ctx.profile.flags.icmpUnreachableAbortsConnect) return this.fail(effect.errno, response(now), RULES.connectIcmp);
    // BSD: a soft error, remembered until the timer gives up.
    this.softError = effect.errno;
    return ctx.drop(this.peer, now, RULES.connectIcmp);
  }
}
