/**
 * packetdrill's notation for what a script line holds: segments as tcpdump writes them, TCP
 * option lists padded exactly as Linux lays them out, syscall results with errno notes, ICMP code
 * names. Pure text; no knowledge of scenarios. Grammar checked against packetdrill 2c4001c
 * (parser.y, symbols.c, icmp_packet.c).
 */
import { fastOpenOption, linuxOptionLayout } from '../executor/segments.ts';
import { flagString } from '../packet/packet.ts';
import { describeTcpOption, type TcpOption } from '../packet/tcp-options.ts';
import type { IcmpUnreachableCode, IpEcn, SynOptions } from '../model/actions.ts';
import type { TcpFlagName } from '../model/expectations.ts';

/** A segment as packetdrill writes it; seq and ack already relative to the ISNs (tcpdump style). */
export interface ScriptSegment {
  readonly flags: readonly TcpFlagName[];
  readonly seq: number;
  readonly ack: number | null;
  /** null: not checked (outbound only; packetdrill needs a window on inbound segments). */
  readonly window: number | null;
  /** 'unchecked': packetdrill's `<...>`, for outbound segments whose options the script does not assert. */
  readonly options: SynOptions | null | 'unchecked';
  readonly ts: { readonly val: number; readonly ecr: number } | null;
  /** Bytes of data (packetdrill sends that many; it checks the length of what the kernel sends). */
  readonly payload: number;
  /** The IP ECN field of an inbound segment, written where it is not not-ECT. */
  readonly ipEcn?: IpEcn;
  /** A Fast Open option's cookie, in hex ('' for a cookie request). */
  readonly fastOpen?: string | null;
}

/** packetdrill's names of the IP ECN field (lexer.l). */
const IP_ECN_NAME: Record<IpEcn, string> = { notEct: 'noecn', ect0: 'ect0', ect1: 'ect1', ce: 'ce' };

/** packetdrill writes options as tcpdump does, but for SACK blocks (no count, no braces). */
function optionText(o: TcpOption): string {
  switch (o.kind) {
    case 'sack':
      return `sack ${o.blocks.map((b) => `${b.left}:${b.right}`).join(' ')}`;
    case 'unknown':
      return `nop`; // never in a segment the model expects or the harness crafts
    default:
      return describeTcpOption(o);
  }
}

/** `S. 0:0(0) ack 1 win 64240 <mss 1460,sackOK,TS val 5 ecr 7000,nop,wscale 10>` */
export function segmentText(s: ScriptSegment): string {
  const layout = s.options === 'unchecked' ? [] : linuxOptionLayout(s.options && { ...s.options, timestamps: s.ts !== null }, s.ts?.val ?? null, s.ts?.ecr ?? 0, s.fastOpen == null ? null : fastOpenOption(s.fastOpen));
  const options = s.options === 'unchecked' ? ' <...>' : layout.length ? ` <${layout.map(optionText).join(',')}>` : '';
  const ack = s.ack === null ? '' : ` ack ${s.ack >>> 0}`;
  const win = s.window === null ? '' : ` win ${s.window}`;
  const ecn = s.ipEcn && s.ipEcn !== 'notEct' ? `[${IP_ECN_NAME[s.ipEcn]}] ` : '';
  return `${ecn}${flagString(s.flags, 'A')} ${s.seq >>> 0}:${(s.seq + s.payload) >>> 0}(${s.payload})${ack}${win}${options}`;
}

/** packetdrill insists on a note after an errno, made of plain words (strerror's text). */
const ERRNO_TEXT: Record<string, string> = {
  EAGAIN: 'Resource temporarily unavailable',
  EINPROGRESS: 'Operation now in progress',
  ETIMEDOUT: 'Connection timed out',
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOPROTOOPT: 'Protocol not available',
  EHOSTDOWN: 'Host is down',
  ENONET: 'Machine is not on the network',
  EOPNOTSUPP: 'Operation not supported',
};

export const failsWith = (errno: keyof typeof ERRNO_TEXT): string => `-1 ${errno} (${ERRNO_TEXT[errno]})`;

/** packetdrill's names for ICMP destination-unreachable codes (icmp_packet.c). */
export const ICMP_UNREACHABLE_NAME: Record<IcmpUnreachableCode, string> = {
  0: 'net_unreachable',
  1: 'host_unreachable',
  2: 'protocol_unreachable',
  3: 'port_unreachable',
  4: 'frag_needed',
  9: 'net_prohibited',
  10: 'host_prohibited',
  5: 'source_route_failed',
  6: 'net_unknown',
  7: 'host_unknown',
  8: 'source_host_isolated',
  11: 'net_unreachable_for_tos',
  12: 'host_unreachable_for_tos',
  13: 'packet_filtered',
  14: 'precedence_violation',
  15: 'precedence_cutoff',
};

/** packetdrill's ICMPv6 destination-unreachable code names (icmp_packet.c); codes 5 and up have none. */
export const ICMPV6_UNREACHABLE_NAME: Partial<Record<IcmpUnreachableCode, string>> = {
  0: 'no_route',
  1: 'admin_prohibited',
  2: 'not_neighbour',
  3: 'address_unreachable',
  4: 'port_unreachable',
};

/** Script time: absolute seconds; an interval where packetdrill allows one (outbound segments). */
export const timeText = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);
export const intervalText = (earliest: number, latest: number): string => (latest - earliest < 1 ? timeText(earliest) : `${timeText(earliest)}~${timeText(latest)}`);
