/**
 * Server-side TCP Fast Open (RFC 7413), decided as Linux tcp_try_fastopen does: a SYN makes a
 * child socket at once (its data acknowledged in the SYN-ACK), or an ordinary request whose
 * SYN-ACK may carry the client's cookie.
 */
import type { ClientId, FastOpenOption } from './actions.ts';
import type { Context, Timer } from './context.ts';
import type { ExpectedSegment, Interval } from './expectations.ts';
import { badAckOffset } from './harness-numbers.ts';
import type { PortClients, SegmentBeforeFin } from './listener.ts';
import type { Connection } from './passive-connection.ts';
import { oowRateLimited } from './out-of-window.ts';
import { RULES } from './rules.ts';
import { ackOf, rstForAck } from './segments.ts';
import { after, response, rttSample, TCP_TIMEOUT_INIT } from './time.ts';

/** net.ipv4.tcp_fastopen bits (include/net/tcp.h). */
const TFO_SERVER_ENABLE = 0x2;
const TFO_SERVER_COOKIE_NOT_REQD = 0x200;

export type FastOpenOutcome =
  /** A child socket in SYN-RECEIVED holding the SYN's data: accept() returns it before the final ACK. */
  | { readonly kind: 'child' }
  /** An ordinary request; its first SYN-ACK carries the client's cookie when `giveCookie`. */
  | { readonly kind: 'request'; readonly giveCookie: boolean };

const ORDINARY: FastOpenOutcome = { kind: 'request', giveCookie: false };

/**
 * `queueRoom`: the listener set TCP_FASTOPEN and has fewer Fast Open children pending than it
 * allows (tcp_fastopen_queue_check). A cookie request is counted whatever follows.
 */
export function tryFastOpen(ctx: Context, client: ClientId, syn: { readonly data: number; readonly fastOpen?: FastOpenOption }, queueRoom: boolean): FastOpenOutcome {
  const mode = ctx.sysctl('net.ipv4.tcp_fastopen');
  if (syn.fastOpen === 'request') ctx.count('TcpExt.TCPFastOpenCookieReqd', RULES.fastOpenCookie);
  if ((mode & TFO_SERVER_ENABLE) === 0 || (syn.data === 0 && syn.fastOpen === undefined) || !queueRoom) return ORDINARY;
  if ((mode & TFO_SERVER_COOKIE_NOT_REQD) !== 0) return child(ctx);
  switch (syn.fastOpen) {
    case undefined:
      return ORDINARY; // data without a cookie, where one is required
    case 'request':
      return { kind: 'request', giveCookie: true };
    case 'cookie':
      if (ctx.fastOpenCookies.has(client)) return child(ctx);
      break;
    case 'badCookie':
      break;
  }
  // An invalid cookie: the data is not taken, and the SYN-ACK carries the valid cookie.
  ctx.count('TcpExt.TCPFastOpenPassiveFail', RULES.fastOpenCookie);
  return { kind: 'request', giveCookie: true };
}

function child(ctx: Context): FastOpenOutcome {
  ctx.count('TcpExt.TCPFastOpenPassive', RULES.fastOpenChild);
  return { kind: 'child' };
}

/** A Fast Open child in SYN-RECEIVED: its connection, and the SYN-ACK its timer resends. */
export interface FastOpenChild {
  readonly connection: Connection;
  readonly synAck: ExpectedSegment;
  /** When its first SYN-ACK went out (the handshake's RTT sample runs from it). */
  readonly createdAt: number;
  /** Its timer's ceiling: the listener's tcp_rto_max_ms (unlike a request's, which is TCP_RTO_MAX). */
  readonly rtoMax: number;
  numTimeout: number;
  timer: Timer;
  /** When its request last answered a retransmitted SYN (rate-limited as a request's are). */
  lastOow: number | null;
}

/**
 * Linux tcp_fastopen_synack_timer: the SYN-ACK again after 1 s, doubling up to tcp_rto_max_ms
 * (tcp_reset_xmit_timer), tcp_synack_retries + 1 times (one more than a request gets); then the
 * child dies (tcp_write_err), still accept()able.
 */
export function fastOpenChildTimer(ctx: Context, clients: PortClients, child: FastOpenChild, at: Interval): void {
  const client = child.connection.client;
  if (child.numTimeout >= ctx.sysctl('net.ipv4.tcp_synack_retries') + 1) return void clients.set(client, { kind: 'reset', connection: child.connection, holdsFastOpenSlot: true });
  ctx.send({ kind: 'client', client }, child.synAck, at, RULES.fastOpenChild);
  ctx.count('TcpExt.TCPSynRetrans', RULES.fastOpenChild);
  child.numTimeout++;
  child.timer = ctx.arm(after(at, Math.min(TCP_TIMEOUT_INIT << child.numTimeout, child.rtoMax)), (next) => fastOpenChildTimer(ctx, clients, child, next));
}

/** RFC 9293 §3.10.7.4 in SYN-RECEIVED for a full socket (Linux tcp_rcv_state_process), listening or not. */
export function inFastOpenChild(ctx: Context, clients: PortClients, child: FastOpenChild, segment: SegmentBeforeFin, now: Interval): void {
  const { connection } = child;
  const peer = { kind: 'client', client: connection.client } as const;
  switch (segment.kind) {
    case 'ack':
      // An unacceptable ACK: tcp_rcv_state_process refuses it and the caller resets it, <SEQ=SEG.ACK><CTL=RST>.
      if (segment.bad) return ctx.send(peer, rstForAck(ackOf(connection.names.isn, badAckOffset)), response(now), RULES.badAck);
      child.timer.cancelled = true;
      connection.rtt = rttSample(child.createdAt, child.numTimeout > 0, connection.timestamps, now);
      clients.set(connection.client, { kind: 'established', connection });
      return;
    case 'syn':
      // tcp_check_req on the child's request: a retransmitted SYN gets the SYN-ACK again, rate-limited; the child's timer runs on.
      if (oowRateLimited(child, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
      ctx.send(peer, child.synAck, response(now), RULES.duplicateSyn);
      ctx.count('TcpExt.TCPSynRetrans', RULES.duplicateSyn);
      return;
    case 'rst':
      child.timer.cancelled = true;
      clients.set(connection.client, { kind: 'reset', connection, holdsFastOpenSlot: true });
      return;
    case 'icmpUnreachable':
      return ctx.drop(peer, now, RULES.icmpWithoutRequest);
  }
}
