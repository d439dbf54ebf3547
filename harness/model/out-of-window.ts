/**
 * Answers a synchronized socket gives to segments it cannot accept: the challenge ACK (RFC 5961),
 * and the rate limit Linux puts on every such answer.
 */
import type { Peer } from './actions.ts';
import type { Context } from './context.ts';
import type { Interval } from './expectations.ts';
import { peerTsval } from './harness-numbers.ts';
import { RULES } from './rules.ts';
import { fromEstablished, type Names } from './segments.ts';
import { response } from './time.ts';

/** Linux tcp_invalid_ratelimit: at most one out-of-window answer per socket per 500 ms. */
const INVALID_RATELIMIT_MS = 500;

/** A socket that remembers when it last answered an out-of-window segment. */
export interface OutOfWindowAnswers {
  lastOow: number | null;
}

/** Linux __tcp_oow_rate_limited: true when the socket answered too recently; otherwise it answers now. */
export function oowRateLimited(socket: OutOfWindowAnswers, now: Interval): boolean {
  if (socket.lastOow !== null && now.earliest - socket.lastOow < INVALID_RATELIMIT_MS) return true;
  socket.lastOow = now.earliest;
  return false;
}

/**
 * RFC 5961 §4 (a SYN) and §5.2 (an ACK of unsent data) on a synchronized connection: an ACK of
 * what it has, rate-limited (Linux tcp_send_challenge_ack). `ack` is the connection's RCV.NXT.
 */
export function challengeAck(ctx: Context, to: Peer, connection: OutOfWindowAnswers & { readonly names: Names; readonly timestamps: boolean }, ack: number, now: Interval, sent = 1, synData = 0): void {
  if (!ctx.profile.flags.challengeAcks) return ctx.drop(to, now, RULES.challengeAck);
  // netstack answers a SYN carrying data whatever the limit says; lwIP keeps no limit.
  const unlimited = (synData > 0 && ctx.profile.flags.synWithDataAlwaysChallenged) || ctx.profile.flags.challengeAcksUnlimited;
  if (!unlimited && oowRateLimited(connection, now)) return ctx.drop(to, now, RULES.oowRateLimited);
  ctx.send(to, fromEstablished(['ACK'], connection.names, ack, connection.timestamps, peerTsval(to), sent), response(now), RULES.challengeAck);
  ctx.count('TcpExt.TCPChallengeACK', RULES.challengeAck);
}
