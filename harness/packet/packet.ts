/** Whole IPv4 packets: decode to typed layers, encode back byte-exactly, and build crafted ones. */
import { fail, ok, type DecodeResult } from './decode-result.ts';
import { decodeIcmp, encodeIcmp, type IcmpMessage } from './icmp.ts';
import { decodeIpv4, encodeIpv4, ipv4Header, PROTO_ICMP, PROTO_TCP, type Ipv4Header } from './ipv4.ts';
import { decodeTcp, encodeTcp, type TcpFlag, type TcpSegment } from './tcp.ts';
import { describeTcpOption, type TcpOption } from './tcp-options.ts';

export type Transport =
  | { readonly protocol: 'tcp'; readonly segment: TcpSegment; readonly checksumValid: boolean }
  | { readonly protocol: 'icmp'; readonly message: IcmpMessage; readonly checksum: number; readonly checksumValid: boolean }
  /** Another protocol, or a fragment: its bytes as they came. */
  | { readonly protocol: 'other'; readonly number: number; readonly bytes: Uint8Array };

export interface IpPacket {
  readonly ip: Ipv4Header;
  readonly headerChecksumValid: boolean;
  readonly transport: Transport;
}

export function decodeIpPacket(bytes: Uint8Array): DecodeResult<IpPacket> {
  const ip = decodeIpv4(bytes);
  if (!ip.ok) return ip;
  const { header, payload, checksumValid } = ip.value;
  const headerLength = 20 + header.options.length;
  const inner = (r: DecodeResult<unknown>) => (r.ok ? r : fail(r.error.layer, headerLength + r.error.offset, r.error.reason));
  const fragment = header.moreFragments || header.fragmentOffset !== 0;
  let transport: Transport;
  if (!fragment && header.protocol === PROTO_TCP) {
    const tcp = decodeTcp(payload, header.src, header.dst);
    if (!tcp.ok) return inner(tcp) as DecodeResult<IpPacket>;
    transport = { protocol: 'tcp', ...tcp.value };
  } else if (!fragment && header.protocol === PROTO_ICMP) {
    const icmp = decodeIcmp(payload);
    if (!icmp.ok) return inner(icmp) as DecodeResult<IpPacket>;
    transport = { protocol: 'icmp', ...icmp.value };
  } else {
    transport = { protocol: 'other', number: header.protocol, bytes: payload.slice() };
  }
  return ok({ ip: header, headerChecksumValid: checksumValid, transport });
}

export function encodeIpPacket(packet: IpPacket): Uint8Array {
  const t = packet.transport;
  const payload = t.protocol === 'tcp' ? encodeTcp(t.segment, packet.ip.src, packet.ip.dst) : t.protocol === 'icmp' ? encodeIcmp(t.message, t.checksum) : t.bytes;
  return encodeIpv4(packet.ip, payload);
}

export interface TcpPacketSpec {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack?: number;
  readonly flags: readonly TcpFlag[];
  readonly window?: number;
  readonly options?: readonly TcpOption[];
  readonly payload?: Uint8Array;
  readonly ttl?: number;
  readonly id?: number;
  /** The IP header's TOS byte (DSCP and ECN). */
  readonly tos?: number;
}

/** A crafted IPv4+TCP packet with both checksums computed. */
export function tcpPacket(spec: TcpPacketSpec): Uint8Array {
  const segment: TcpSegment = {
    srcPort: spec.srcPort,
    dstPort: spec.dstPort,
    seq: spec.seq >>> 0,
    ack: (spec.ack ?? 0) >>> 0,
    dataOffset: -1,
    reserved: 0,
    flags: spec.flags,
    window: spec.window ?? 65535,
    checksum: -1,
    urgentPointer: 0,
    options: spec.options ?? [],
    payload: spec.payload ?? new Uint8Array(0),
  };
  const tcp = encodeTcp(segment, spec.src, spec.dst);
  return encodeIpv4(ipv4Header({ src: spec.src, dst: spec.dst, protocol: PROTO_TCP, ...(spec.ttl === undefined ? {} : { ttl: spec.ttl }), ...(spec.id === undefined ? {} : { id: spec.id }), ...(spec.tos === undefined ? {} : { tos: spec.tos }) }, tcp.length), tcp);
}

/** ICMP destination unreachable from a router (src) about a datagram it could not deliver (RFC 792, RFC 1812 §4.3.2.3). */
export function icmpUnreachable(spec: { src: string; dst: string; code: number; quoting: Uint8Array; nextHopMtu?: number }): Uint8Array {
  const headerLength = ((spec.quoting[0] ?? 0x45) & 0x0f) * 4;
  // RFC 792 quotes the IP header and 64 bits; Linux quotes more, but this is what every stack must accept.
  const quoted = spec.quoting.slice(0, headerLength + 8);
  const icmp = encodeIcmp({ type: 'destinationUnreachable', code: spec.code, unused: 0, nextHopMtu: spec.nextHopMtu ?? 0, quoted });
  return encodeIpv4(ipv4Header({ src: spec.src, dst: spec.dst, protocol: PROTO_ICMP, dontFragment: false }, icmp.length), icmp);
}

/** tcpdump's flag letters (packetdrill writes AE as 'A'). */
export function flagString(flags: readonly TcpFlag[], aeLetter = 'e'): string {
  const letters: Record<TcpFlag, string> = { SYN: 'S', FIN: 'F', RST: 'R', PSH: 'P', URG: 'U', ECE: 'E', CWR: 'W', AE: aeLetter, ACK: '.' };
  const order: TcpFlag[] = ['SYN', 'FIN', 'RST', 'PSH', 'URG', 'ECE', 'CWR', 'AE', 'ACK'];
  return order.filter((f) => flags.includes(f)).map((f) => letters[f]).join('') || 'none';
}

/** One line, as tcpdump would print it. */
export function describePacket(p: IpPacket): string {
  const t = p.transport;
  if (t.protocol === 'tcp') {
    const s = t.segment;
    const options = s.options.filter((o) => o.kind !== 'eol' || o.trailing.some((b) => b !== 0)).map(describeTcpOption);
    const ack = s.flags.includes('ACK') ? ` ack ${s.ack}` : '';
    const length = s.payload.length ? ` length ${s.payload.length}` : '';
    return `${p.ip.src}:${s.srcPort} > ${p.ip.dst}:${s.dstPort} [${flagString(s.flags)}] seq ${s.seq}${ack} win ${s.window}${options.length ? ` <${options.join(',')}>` : ''}${length}`;
  }
  if (t.protocol === 'icmp') {
    const m = t.message;
    const what = m.type === 'destinationUnreachable' ? `unreachable code ${m.code}` : m.type === 'other' ? `type ${m.icmpType} code ${m.code}` : `${m.type} id ${m.id} seq ${m.sequence}`;
    return `${p.ip.src} > ${p.ip.dst} ICMP ${what}`;
  }
  return `${p.ip.src} > ${p.ip.dst} protocol ${t.number} length ${t.bytes.length}`;
}
