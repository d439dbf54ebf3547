/**
 * An established connection of the listening port, queued or accepted, also once the listener is
 * gone: RFC 9293 §3.10.7.4 with RFC 5961's answers, and the client's FIN (CLOSE-WAIT).
 */
import type { ClientSegment, PortClients } from './listener.ts';
import type { Context, Timer } from './context.ts';
import type { Expectation, ExpectedSegment, Interval } from './expectations.ts';
import { clientIsn, peerTsval } from './harness-numbers.ts';
import { challengeAck } from './out-of-window.ts';
import { RULES } from './rules.ts';
import { fromEstablished, type Names } from './segments.ts';
import { response, within } from './time.ts';
import { ActiveClose, type PeerEvent } from './active-close.ts';
import type { ClientId } from './actions.ts';

/** A delayed-ACK timer armed at its least: due at the next jiffy (1 ms at HZ 1000, 4 ms at HZ 250). */
const DELAYED_ACK_AT_ONCE: Interval = { earliest: 0, latest: 4 };

/** An established connection of the port, queued or accepted. */
export interface Connection {
  readonly client: ClientId;
  readonly names: Names;
  readonly timestamps: boolean;
  lastOow: number | null;
  /** Completed from a request in the SYN queue, or from a SYN cookie; or a Fast Open child. */
  readonly via: 'request' | 'cookie' | 'fastOpen';
  /** RCV.NXT: the client's ISN + 1, the SYN's data where a Fast Open child took it, and the client's FIN once it came. */
  rcvNxt: number;
  /** The client's FIN came: CLOSE-WAIT. */
  finReceived: boolean;
  /** Negotiated SACK (a lone FIN then gets a tail loss probe). */
  readonly sack: boolean;
  /** The handshake's RTT sample, from the SYN-ACK to the ACK that answered it (null: none). */
  rtt: Interval | null;
  /** tcp_rto_max_ms of the listener it was cloned from. */
  readonly rtoMax: number;
  /** Bytes of the SYN's data a Fast Open child holds unread. */
  readonly unread: number;
  /** accept() returned it. */
  accepted: boolean;
  /** close() on it: its FIN's way out. */
  closing: ActiveClose | null;
  /** The delayed ACK of that FIN: its timer, and the ACK once the timer sent it. */
  finAck?: { readonly timer: Timer; sent: Expectation | null };
}

/** RFC 9293 §3.10.7.4 in ESTABLISHED, with RFC 5961's answers: the same whether the port still listens or not. */
export function inEstablished(ctx: Context, clients: PortClients, connection: Connection, segment: ClientSegment, now: Interval): void {
  if (connection.closing) return connection.closing.receive(closeEvent(segment, connection), now, segment.kind === 'syn' ? segment.data : 0);
  const peer = { kind: 'client', client: connection.client } as const;
  switch (segment.kind) {
    case 'syn':
      // RFC 5961 §4: a SYN on a synchronized connection gets a challenge ACK.
      return challengeAck(ctx, peer, connection, connection.rcvNxt, now, 1, segment.data);
    case 'ack':
      if (!segment.bad) return ctx.drop(peer, now, RULES.duplicateAck);
      // An ACK of data never sent: dropped (RFC 9293 §3.10.7.4), or since 6.18 (measured) a challenge ACK (RFC 5961 §5.2).
      if (ctx.profile.flags.challengeAckForUnsentData) return challengeAck(ctx, peer, connection, connection.rcvNxt, now);
      return ctx.drop(peer, now, RULES.unsentDataDropped);
    case 'rst':
      // RFC 5961 §3.2: an RST with SEG.SEQ = RCV.NXT resets the connection.
      clients.set(connection.client, { kind: 'reset', connection });
      return;
    case 'fin':
      return receiveFin(ctx, connection, now);
    case 'icmpUnreachable':
      return ctx.drop(peer, now, RULES.icmpWithoutRequest);
  }
}

/** The client's segment as a closing socket takes it (its RST carries SEQ = RCV.NXT; its SYN is the handshake's, its data may reach past RCV.NXT). */
function closeEvent(segment: ClientSegment, connection: Connection): PeerEvent {
  switch (segment.kind) {
    case 'fin':
      return 'fin';
    case 'ack':
      return segment.bad ? 'unsentDataAck' : 'ack';
    case 'rst':
      return 'rstInWindow';
    case 'syn':
      // after(SEG.SEQ + SEG.LEN, RCV.NXT), in sequence space.
      return ((clientIsn(connection.client) + 1 + segment.data - connection.rcvNxt) | 0) > 0 ? 'oldSynIntoWindow' : 'oldSyn';
    case 'icmpUnreachable':
      return 'ignored';
  }
}

/**
 * RFC 9293 §3.10.7.4, eighth: a FIN in ESTABLISHED (its ACK taken first, fifth) leads to
 * CLOSE-WAIT and is acknowledged. Linux tcp_fin enters pingpong mode, so the ACK waits for the
 * delayed-ACK timer, armed at its minimum (a jiffy: the FIN carries no data to set its ato); a
 * FIN again is old, and tcp_data_queue acknowledges it at once (quick ACK).
 */
function receiveFin(ctx: Context, connection: Connection, now: Interval): void {
  const peer = { kind: 'client', client: connection.client } as const;
  const ack = (): ExpectedSegment => fromEstablished(['ACK'], connection.names, connection.rcvNxt, connection.timestamps, peerTsval(peer));
  if (connection.finReceived) {
    ackGoesOut(ctx, connection, now);
    return void ctx.send(peer, ack(), response(now), RULES.duplicateFin);
  }
  connection.rcvNxt = (connection.rcvNxt + 1) >>> 0;
  connection.finReceived = true;
  const finAck: NonNullable<Connection['finAck']> = { timer: ctx.arm(within(now, DELAYED_ACK_AT_ONCE), (at) => (finAck.sent = ctx.sent(peer, ack(), at, RULES.finReceived))), sent: null };
  connection.finAck = finAck;
}

/**
 * A segment of the connection goes out now and acknowledges the client's FIN: the delayed ACK is
 * no longer needed (Linux tcp_event_ack_sent clears its timer). If the timer may not have fired
 * yet, that ACK may never come.
 */
function ackGoesOut(ctx: Context, connection: Connection, now: Interval): void {
  const pending = connection.finAck;
  if (pending && pending.timer.due.earliest > now.earliest) pending.timer.cancelled = true;
  else if (pending?.sent && pending.timer.due.latest >= now.earliest) ctx.mayNotSend(pending.sent);
}

/**
 * close() on the connection accept() returned for the client (nothing if it returned none). With
 * data unread (a Fast Open child's SYN data) Linux tcp_close resets it (RFC 2525 §2.17: RST, the
 * connection gone); else its FIN goes out: FIN-WAIT-1, or LAST-ACK after the client's FIN.
 */
export function closeAccepted(ctx: Context, clients: PortClients, client: ClientId, now: Interval): void {
  const state = clients.get(client);
  const connection = state?.kind === 'established' ? state.connection : state?.kind === 'fastOpenChild' ? state.child.connection : null;
  if (connection === null || !connection.accepted || connection.closing !== null) return;
  if (state?.kind === 'fastOpenChild') state.child.timer.cancelled = true;
  ackGoesOut(ctx, connection, now);
  const peer = { kind: 'client', client } as const;
  const gone = (): void => void clients.set(client, { kind: 'reset', connection });
  if (connection.unread > 0) {
    ctx.send(peer, fromEstablished(['RST', 'ACK'], connection.names, connection.rcvNxt, connection.timestamps, peerTsval(peer)), response(now), RULES.closeWithUnreadData);
    return gone();
  }
  if (state?.kind === 'fastOpenChild') clients.set(client, { kind: 'established', connection });
  const { names, timestamps, sack, rtt, rtoMax, rcvNxt } = connection;
  connection.closing = new ActiveClose({ ctx, peer, names, timestamps, sack, rtt, rtoMax, rcvNxt, sent: 1, peerFinCame: connection.finReceived, onClosed: gone }, now);
}
