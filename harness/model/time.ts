/** Virtual time: every expectation is an interval, never an instant. */
import type { Interval } from './expectations.ts';
import type { Millis } from './actions.ts';

/** Linux TCP_TIMEOUT_INIT and TCP_RTO_MAX: the first retransmission timeout of a SYN or SYN-ACK, and the most any timeout grows to. */
export const TCP_TIMEOUT_INIT: Millis = 1000;
export const TCP_RTO_MAX: Millis = 120_000;
/** gVisor netstack's handshake backoffTimer: retransmissions, from TCP_TIMEOUT_INIT doubling, before the next timeout would pass MaxRTO (120 s): 6. */
export const RETRIES_UNTIL_MAX_RTO = Math.floor(Math.log2(TCP_RTO_MAX / TCP_TIMEOUT_INIT));
/** Linux TCP_RTO_MIN: the least RTTVAR, so the least RTO once a connection has an RTT sample. */
export const TCP_RTO_MIN: Millis = 200;
/** Linux TCP_TIMEOUT_FALLBACK: the RTO of a connection whose handshake gave no RTT sample (RFC 6298 §5.7). */
export const TCP_TIMEOUT_FALLBACK: Millis = 3000;

/** Answers to a segment or a call come this soon (a ceiling: the executor proves silence with barriers). */
export const RESPONSE_MS = 50;

export const instant = (t: Millis): Interval => ({ earliest: t, latest: t });
export const response = (t: Interval): Interval => ({ earliest: t.earliest, latest: t.latest + RESPONSE_MS });

/**
 * A kernel timer armed at `from` for `ms` fires no earlier than asked and a little late: the
 * timer wheel rounds long timeouts up (measured here: 1 s SYN timers fire after ~1.024 s).
 */
export const after = (from: Interval, ms: Millis): Interval => within(from, { earliest: ms, latest: ms });

/** A timer whose timeout is itself known only within an interval (it follows a measured RTT). */
export const within = (from: Interval, ms: Interval): Interval => ({ earliest: from.earliest + ms.earliest, latest: from.latest + ms.latest * 1.04 + 25 });

/**
 * A handshake's RTT sample (Linux tcp_synack_rtt_meas, tcp_ack_update_rtt): from the SYN or SYN-ACK
 * sent at `sentAt` to the answer at `now`, within which the packets left and arrived. Karn: none if
 * it went out more than once (or is a cookie, which keeps no time), unless the answer echoes its
 * timestamp.
 */
export function rttSample(sentAt: Millis, ambiguous: boolean, timestamps: boolean, now: Interval): Interval | null {
  return ambiguous && !timestamps ? null : { earliest: 0, latest: Math.max(0, now.earliest - sentAt) };
}
