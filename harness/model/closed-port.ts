/** RFC 9293 §3.10.7.1, the one closed-port rule: what a segment to a port without a socket gets back. */
import type { Peer } from './actions.ts';
import type { Context } from './context.ts';
import type { Expected32, Interval } from './expectations.ts';
import { RULES } from './rules.ts';
import { rstAck, rstForAck } from './segments.ts';
import { response } from './time.ts';

/** What matters of the arriving segment: its ACK field if the ACK bit is on, else SEG.SEQ + SEG.LEN. */
export type ArrivingAtClosedPort = { readonly ack: Expected32 } | { readonly seqEnd: number };

/** ACK bit on: <SEQ=SEG.ACK><CTL=RST>; off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
export function closedPortReset(ctx: Context, to: Peer, arriving: ArrivingAtClosedPort, now: Interval): void {
  if ('ack' in arriving) ctx.send(to, rstForAck(arriving.ack), response(now), RULES.closedPortAck);
  else ctx.send(to, rstAck(arriving.seqEnd), response(now), RULES.closedPortSyn);
}
