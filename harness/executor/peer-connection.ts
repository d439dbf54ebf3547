/**
 * The harness's side of one peer's connection, as packetimpact's tcpState: it learns the target's
 * numbers from what the target sends the peer, and owns the arithmetic of every segment the peer
 * sends next. Nothing else in the executor computes a sequence or acknowledgment number.
 */
import type { Action, ClientId, ConnId, SynAnswer, SynOptions } from '../model/actions.ts';
import { ecnSetupFlags } from '../model/segments.ts';
import type { SegmentFields } from '../diff/observation.ts';
import { ACK_WINDOW, BAD_FAST_OPEN_COOKIE, badAckOffset, clientIsn, CLOSED_PORT_SYN_WINDOW, closedPortAck, dataAckedBy, REMOTE_FAST_OPEN_COOKIE, remoteIsn, synData } from '../model/harness-numbers.ts';
import { fastOpenOption, type Crafted } from './segments.ts';

/** A timestamps-only option set: what an ACK carries once the target sent a TSval (RFC 7323 §3.2). */
const ECHO_TIMESTAMPS: SynOptions = { mss: null, sackPermitted: false, timestamps: true, windowScale: null };

export class PeerConnection {
  /** The ISN of the latest SYN or SYN-ACK the target sent this peer; null until one came. */
  private targetIsn: number | null = null;
  /** Bytes of data that SYN carried (Fast Open). */
  private synData = 0;
  /** How far past that ISN the target has sent: its SYN, data and FIN (SND.NXT − ISN). */
  private targetSent = 0;
  /** The target's latest TSval to this peer: the TSecr of the peer's next segment. */
  private targetTsval: number | null = null;
  /** The target's latest SYN to this peer, whole, for an ICMP error to quote. */
  synPacket: Uint8Array | null = null;
  /** The target's port in that SYN: where the peer's answer goes. */
  targetPort = 0;
  /** Where the peer's next segment starts: the ack of the target's latest SYN-ACK (its SYN and any data it took). */
  private next: number | null = null;
  /** The Fast Open cookie the target gave this peer, if it did. */
  private cookie: Uint8Array | null = null;
  /** The peer (a remote, or a client) sent its FIN: its next sequence number is past it. */
  private peerFin = false;

  /** Everything the target sends this peer passes through here. */
  heard(segment: SegmentFields, bytes: Uint8Array, fromPort: number): void {
    if (segment.flags.includes('SYN')) {
      // A new incarnation (a new ISN): a FIN the peer sent belonged to the old one.
      if (segment.seq !== this.targetIsn) this.peerFin = false;
      this.targetIsn = segment.seq;
      this.synData = segment.payloadLength;
      this.targetSent = 1 + segment.payloadLength;
      this.synPacket = bytes;
      this.targetPort = fromPort;
      if (segment.flags.includes('ACK')) this.next = segment.ack;
      // The cookie a listener gives (a connect()'s SYN asks for one, or brings the harness's).
      if (segment.flags.includes('ACK') && segment.options.fastOpen) this.cookie = fastOpenOption(segment.options.fastOpen).cookie;
    }
    else if (this.targetIsn !== null && !segment.flags.includes('RST')) {
      const end = ((segment.seq - this.targetIsn) >>> 0) + segment.payloadLength + (segment.flags.includes('FIN') ? 1 : 0);
      this.targetSent = Math.max(this.targetSent, end);
    }
    this.targetTsval = segment.options.timestamps?.tsval ?? this.targetTsval;
  }

  /** Everything the target sent (SYN, data, FIN), plus an offset for a deliberately bad ACK; 0 before the target sent a SYN. */
  private ackOfTarget(offset: number): number {
    return this.targetIsn === null ? 0 : (this.targetIsn + this.targetSent + offset) >>> 0;
  }

  /** The options of a segment after the handshake: timestamps echoing the target's, once it sent one (RFC 7323 §3.2). */
  private get echo(): Pick<Crafted, 'options' | 'tsecr'> {
    return { options: this.targetTsval === null ? null : ECHO_TIMESTAMPS, tsecr: this.tsecr };
  }

  private get tsecr(): number {
    return this.targetTsval ?? 0;
  }

  // A client of the listener, or of the closed port.

  clientSyn({ client, options, window, data = 0, ecn, ipEcn, fastOpen }: Extract<Action, { kind: 'syn' }>): Crafted {
    const cookie = fastOpen === undefined ? null : fastOpen === 'request' ? new Uint8Array(0) : fastOpen === 'cookie' ? (this.cookie ?? BAD_FAST_OPEN_COOKIE) : BAD_FAST_OPEN_COOKIE;
    return { flags: ['SYN', ...ecnSetupFlags(ecn)], seq: clientIsn(client), ack: 0, window, options, ...(data > 0 ? { payload: synData(data) } : {}), ...(ipEcn ? { ipEcn } : {}), ...(cookie ? { fastOpen: cookie } : {}) };
  }

  /** A remote peer's next sequence number: past its SYN, and past its FIN once it sent it. */
  private remoteSeq(conn: ConnId): number {
    return (remoteIsn(conn) + 1 + (this.peerFin ? 1 : 0)) >>> 0;
  }

  /** The client's next sequence number: past its SYN, its data if the target took it, and its FIN. */
  private clientNext(client: ClientId): number {
    return ((this.next ?? clientIsn(client) + 1) + (this.peerFin ? 1 : 0)) >>> 0;
  }

  /** The client's FIN, acknowledging what the target sent; a second is its retransmission. */
  clientFin(client: ClientId): Crafted {
    const seq = ((this.next ?? clientIsn(client) + 1) >>> 0);
    this.peerFin = true;
    return { flags: ['FIN', 'ACK'], seq, ack: this.ackOfTarget(0), window: ACK_WINDOW, ...this.echo };
  }

  /** The final ACK of the handshake, or (bad) one acknowledging data the target never sent. */
  clientAck(client: ClientId, bad: boolean): Crafted {
    return { flags: ['ACK'], seq: this.clientNext(client), ack: this.ackOfTarget(bad ? badAckOffset : 0), window: ACK_WINDOW, ...this.echo };
  }

  clientRst(client: ClientId): Crafted {
    return { flags: ['RST'], seq: this.clientNext(client), ack: 0, window: 0, options: null };
  }

  closedPortSyn(client: ClientId): Crafted {
    return { flags: ['SYN'], seq: clientIsn(client), ack: 0, window: CLOSED_PORT_SYN_WINDOW, options: null };
  }

  closedPortAck(client: ClientId): Crafted {
    return { flags: ['ACK'], seq: (clientIsn(client) + 1) >>> 0, ack: closedPortAck(client), window: ACK_WINDOW, options: null };
  }

  // A remote peer answering the target's SYN.

  remoteAnswer(conn: ConnId, answer: Exclude<SynAnswer, { kind: 'icmpUnreachable' | 'packetTooBig' }>): Crafted {
    switch (answer.kind) {
      case 'synAck': {
        // It acknowledges the SYN and as much of the SYN's data as it says.
        const ack = this.targetIsn === null ? 0 : (this.targetIsn + 1 + dataAckedBy(answer.dataAcked, this.synData) + (answer.ackValid ? 0 : badAckOffset)) >>> 0;
        return {
          flags: ['SYN', 'ACK', ...(answer.ecn ?? [])],
          seq: remoteIsn(conn),
          ack,
          window: answer.window,
          options: answer.options,
          tsecr: this.tsecr,
          ...(answer.cookie ? { fastOpen: REMOTE_FAST_OPEN_COOKIE } : {}),
        };
      }
      case 'syn':
        return { flags: ['SYN'], seq: remoteIsn(conn), ack: 0, window: answer.window, options: answer.options };
      case 'ack':
        return { flags: ['ACK'], seq: this.remoteSeq(conn), ack: this.ackOfTarget(0), window: ACK_WINDOW, ...this.echo };
      case 'fin':
        // The remote's one FIN: a second is its retransmission.
        this.peerFin = true;
        return { flags: ['FIN', 'ACK'], seq: (remoteIsn(conn) + 1) >>> 0, ack: this.ackOfTarget(0), window: ACK_WINDOW, ...this.echo };
      case 'rstInWindow':
        return { flags: ['RST'], seq: this.remoteSeq(conn), ack: 0, window: 0, options: null };
      case 'rst':
        return { flags: ['RST', 'ACK'], seq: 0, ack: this.ackOfTarget(answer.acceptable ? 0 : badAckOffset), window: 0, options: null };
    }
  }
}
