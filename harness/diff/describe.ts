/** One-line, tcpdump-like descriptions shared by diffs, reports and the CLI. */
import type { Action, Expected32, ExpectedSegment, Peer, TcpFlagName } from '../model/scenario.ts';
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

/** tcpdump's flag letters: S F R P . (ACK) U E W. */
export function flagLetters(flags: readonly TcpFlagName[]): string {
  const letter: Record<TcpFlagName, string> = { SYN: 'S', FIN: 'F', RST: 'R', PSH: 'P', URG: 'U', ECE: 'E', CWR: 'W', ACK: '.' };
  const order: TcpFlagName[] = ['SYN', 'FIN', 'RST', 'PSH', 'URG', 'ECE', 'CWR', 'ACK'];
  return order.filter((f) => flags.includes(f)).map((f) => letter[f]).join('') || 'none';
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

export function describeExpectedSegment(s: ExpectedSegment): string {
  const o = s.options;
  const options = [
    o.mss === null ? null : `mss ${o.mss}`,
    o.sackPermitted ? 'sackOK' : null,
    o.timestamps === null ? null : `TS val ${describeExpected32(o.timestamps.tsval)} ecr ${describeExpected32(o.timestamps.tsecr)}`,
    o.windowScale === null ? null : `wscale ${describeExpected32(o.windowScale)}`,
  ].filter((x) => x !== null);
  const ack = s.flags.includes('ACK') ? ` ack ${describeExpected32(s.ack)}` : '';
  return `[${flagLetters(s.flags)}] seq ${describeExpected32(s.seq)}${ack} win ${describeExpected32(s.window)}${options.length ? ` <${options.join(',')}>` : ''}`;
}

export function describeSegment(s: SegmentFields): string {
  const o = s.options;
  const options = [
    o.mss === null ? null : `mss ${o.mss}`,
    o.sackPermitted ? 'sackOK' : null,
    o.timestamps === null ? null : `TS val ${o.timestamps.tsval} ecr ${o.timestamps.tsecr}`,
    o.windowScale === null ? null : `wscale ${o.windowScale}`,
  ].filter((x) => x !== null);
  const ack = s.flags.includes('ACK') ? ` ack ${s.ack}` : '';
  const length = s.payloadLength ? ` length ${s.payloadLength}` : '';
  return `[${flagLetters(s.flags)}] seq ${s.seq}${ack} win ${s.window}${options.length ? ` <${options.join(',')}>` : ''}${length}`;
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'listen':
      return `listen(backlog ${a.backlog})`;
    case 'accept':
      return `accept(max ${a.max})`;
    case 'closeListener':
      return 'close(listener)';
    case 'syn': {
      const o = a.options;
      const opts = [o.mss === null ? null : `mss ${o.mss}`, o.sackPermitted ? 'sackOK' : null, o.timestamps ? 'TS' : null, o.windowScale === null ? null : `wscale ${o.windowScale}`].filter((x) => x !== null);
      return `client ${a.client} SYN win ${a.window}${opts.length ? ` <${opts.join(',')}>` : ''}`;
    }
    case 'finalAck':
      return `client ${a.client} final ACK`;
    case 'badAck':
      return `client ${a.client} ACK with a wrong ack number`;
    case 'rst':
      return `client ${a.client} RST`;
    case 'synToClosedPort':
      return `client ${a.client} SYN to a closed port`;
    case 'ackToClosedPort':
      return `client ${a.client} ACK to a closed port`;
    case 'connect':
      return `connect(remote ${a.conn}${a.syncnt === null ? '' : `, TCP_SYNCNT ${a.syncnt}`})`;
    case 'answerSyn': {
      const an = a.answer;
      const what = an.kind === 'synAck' ? (an.ackValid ? 'SYN-ACK' : 'SYN-ACK with a wrong ack') : an.kind === 'rst' ? (an.acceptable ? 'RST+ACK' : 'unacceptable RST') : `ICMP unreachable code ${an.code}`;
      return `remote ${a.conn} answers the SYN with ${what}`;
    }
    case 'wait':
      return `wait ${a.ms} ms`;
    case 'sysctl':
      return `sysctl ${a.name}=${a.value}`;
  }
}
