/** One-line, tcpdump-like descriptions shared by diffs, reports and the CLI. */
import type { Action, IpEcn, Peer, SynAnswer } from '../model/actions.ts';
import type { Expected32, ExpectedSegment } from '../model/expectations.ts';
import { flagString } from '../packet/packet.ts';
import type { SegmentFields } from './observation.ts';

export function describePeer(peer: Peer): string {
  switch (peer.kind) {
    case 'client':
      return `client ${peer.client}`;
    case 'remote':
      return `remote ${peer.conn}`;
    case 'probe':
      return `probe ${peer.probe}`;
  }
}

/** A symbolic value as a person reads it: 'ISN(client 0)+1', '≥ TSval(client 0)'. */
export function describeExpected32(value: Expected32): string {
  if ('exact' in value) return String(value.exact);
  if ('any' in value) return `any (${value.any})`;
  if ('atLeast' in value) return `≥ ${symbolName(value.atLeast)}`;
  return value.plus === 0 ? symbolName(value.bind) : `${symbolName(value.bind)}+${value.plus}`;
}

/** 'isn:client:0' -> 'ISN(client 0)'. */
function symbolName(name: string): string {
  const [what = name, kind, index] = name.split(':');
  const label = what === 'isn' ? 'ISN' : what === 'tsval' ? 'TSval' : what;
  return kind === undefined ? label : `${label}(${kind}${index === undefined ? '' : ` ${index}`})`;
}

/** The fields of a segment, expected or observed, as one tcpdump-like line; `show` renders each value. */
type Shown<T> = {
  readonly flags: ExpectedSegment['flags'];
  readonly seq: T;
  readonly ack: T;
  readonly window: T;
  readonly options: { readonly mss: number | null; readonly sackPermitted: boolean; readonly timestamps: { readonly tsval: T; readonly tsecr: T } | null; readonly windowScale: T | null };
  readonly ipEcn: IpEcn;
};

function describeFields<T>(s: Shown<T>, show: (value: T) => string, payloadLength: number): string {
  const o = s.options;
  const options = [
    o.mss === null ? null : `mss ${o.mss}`,
    o.sackPermitted ? 'sackOK' : null,
    o.timestamps === null ? null : `TS val ${show(o.timestamps.tsval)} ecr ${show(o.timestamps.tsecr)}`,
    o.windowScale === null ? null : `wscale ${show(o.windowScale)}`,
  ].filter((x) => x !== null);
  const ack = s.flags.includes('ACK') ? ` ack ${show(s.ack)}` : '';
  const length = payloadLength ? ` length ${payloadLength}` : '';
  const ecn = s.ipEcn === 'notEct' ? '' : ` ${s.ipEcn}`;
  return `[${flagString(s.flags)}]${ecn} seq ${show(s.seq)}${ack} win ${show(s.window)}${options.length ? ` <${options.join(',')}>` : ''}${length}`;
}

export const describeExpectedSegment = (s: ExpectedSegment): string => describeFields(s, describeExpected32, s.payloadLength);

export const describeSegment = (s: SegmentFields): string => describeFields(s, String, s.payloadLength);

function describeAnswer(an: SynAnswer): string {
  switch (an.kind) {
    case 'synAck':
      return `${an.ackValid ? 'SYN-ACK' : 'SYN-ACK with a wrong ack'}${an.ecn?.length ? ` and ${an.ecn.join('+')}` : ''}`;
    case 'syn':
      return 'a SYN of its own (simultaneous open)';
    case 'ack':
      return 'an ACK';
    case 'fin':
      return 'a FIN';
    case 'rstInWindow':
      return 'an in-window RST';
    case 'rst':
      return an.acceptable ? 'RST+ACK' : 'unacceptable RST';
    case 'icmpUnreachable':
      return `ICMP unreachable code ${an.code}`;
    case 'packetTooBig':
      return 'ICMP packet too big (the link MTU)';
  }
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'listen':
      return `listen(backlog ${a.backlog}${a.maxseg === undefined ? '' : `, TCP_MAXSEG ${a.maxseg}`})`;
    case 'accept':
      return `accept(max ${a.max})`;
    case 'blockingAccept':
      return `accept() blocking up to ${a.timeoutMs} ms`;
    case 'closeListener':
      return 'close(listener)';
    case 'closeConnection':
      return `close(connection to remote ${a.conn})`;
    case 'syn': {
      const o = a.options;
      const opts = [o.mss === null ? null : `mss ${o.mss}`, o.sackPermitted ? 'sackOK' : null, o.timestamps ? 'TS' : null, o.windowScale === null ? null : `wscale ${o.windowScale}`].filter((x) => x !== null);
      return `client ${a.client} SYN${a.ecn ? ` asking for ${a.ecn === 'ecn' ? 'ECN' : 'AccECN'}` : ''}${a.ipEcn && a.ipEcn !== 'notEct' ? ` [${a.ipEcn}]` : ''} win ${a.window}${opts.length ? ` <${opts.join(',')}>` : ''}${a.data ? ` with ${a.data} bytes of data` : ''}`;
    }
    case 'finalAck':
      return `client ${a.client} final ACK`;
    case 'badAck':
      return `client ${a.client} ACK with a wrong ack number`;
    case 'rst':
      return `client ${a.client} RST`;
    case 'clientFin':
      return `client ${a.client} FIN`;
    case 'closeAccepted':
      return `close(accepted connection of client ${a.client})`;
    case 'clientUnreachable':
      return `ICMP unreachable code ${a.code} about the target's segment to client ${a.client}`;
    case 'synToClosedPort':
      return `client ${a.client} SYN to a closed port`;
    case 'ackToClosedPort':
      return `client ${a.client} ACK to a closed port`;
    case 'connect':
      return `${a.fastOpen === undefined ? 'connect' : `sendto(${a.fastOpen} bytes, MSG_FASTOPEN)`}(remote ${a.conn}${a.sameHostAs === undefined ? '' : ` on remote ${a.sameHostAs}'s host`}${a.syncnt === null ? '' : `, TCP_SYNCNT ${a.syncnt}`}${a.maxseg === undefined ? '' : `, TCP_MAXSEG ${a.maxseg}`})`;
    case 'answerSyn':
      return `remote ${a.conn} answers the SYN with ${describeAnswer(a.answer)}`;
    case 'wait':
      return `wait ${a.ms} ms`;
    case 'sysctl':
      return `sysctl ${a.name}=${a.value}`;
  }
}
