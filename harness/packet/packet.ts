/** Whole IP packets of either family: decode to typed layers, encode back byte-exactly, and build crafted ones. */
import { familyOf } from './address.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';
import { decodeIcmp, encodeIcmp, type IcmpMessage } from './icmp.ts';
import { decodeIcmpv6, encodeIcmpv6, type Icmpv6Message } from './icmpv6.ts';
import { decodeIpv4, encodeIpv4, ipv4Header, PROTO_ICMP, PROTO_TCP, type Ipv4Header } from './ipv4.ts';
import { decodeIpv6, encodeIpv6, ipv6Header, IPV6_MIN_MTU, PROTO_ICMPV6, type Ipv6Header } from './ipv6.ts';
import { decodeTcp, encodeTcp, type TcpFlag, type TcpSegment } from './tcp.ts';
import { describeTcpOption, type TcpOption } from './tcp-options.ts';

export type Transport =
  | { readonly protocol: 'tcp'; readonly segment: TcpSegment; readonly checksumValid: boolean }
  | { readonly protocol: 'icmp'; readonly message: IcmpMessage; readonly checksum: number; readonly checksumValid: boolean }
  | { readonly protocol: 'icmpv6'; readonly message: Icmpv6Message; readonly checksum: number; readonly checksumValid: boolean }
  /** Another protocol, or a fragment: its bytes as they came. */
  | { readonly protocol: 'other'; readonly number: number; readonly bytes: Uint8Array };

export type IpHeader = Ipv4Header | Ipv6Header;

export interface IpPacket {
  readonly ip: IpHeader;
  /** IPv6 has no header checksum: always true there. */
  readonly headerChecksumValid: boolean;
  readonly transport: Transport;
}

/** The header's ECN field (RFC 3168 §5): the low two bits of IPv4's TOS and of IPv6's traffic class. */
export const ecnBits = (ip: IpHeader): number => (ip.version === 4 ? ip.tos : ip.trafficClass) & 3;

export function decodeIpPacket(bytes: Uint8Array): DecodeResult<IpPacket> {
  const version = bytes.length > 0 ? bytes[0]! >> 4 : -1;
  if (version !== 4 && version !== 6) return fail('ip', 0, bytes.length === 0 ? 'an empty packet' : `IP version ${version}, neither 4 nor 6`);
  const ip = version === 4 ? decodeIpv4(bytes) : decodeIpv6(bytes);
  if (!ip.ok) return ip;
  const { header, payload } = ip.value;
  // Errors inside the payload are reported at their offset in the whole packet.
  const headerLength = payload.byteOffset - bytes.byteOffset;
  const inner = (r: DecodeResult<unknown>) => (r.ok ? r : fail(r.error.layer, headerLength + r.error.offset, r.error.reason));
  const fragment = header.version === 4 ? header.moreFragments || header.fragmentOffset !== 0 : header.fragment;
  const icmp = header.version === 4 ? PROTO_ICMP : PROTO_ICMPV6;
  let transport: Transport;
  if (!fragment && header.protocol === PROTO_TCP) {
    const tcp = decodeTcp(payload, header.src, header.dst);
    if (!tcp.ok) return inner(tcp) as DecodeResult<IpPacket>;
    transport = { protocol: 'tcp', ...tcp.value };
  } else if (!fragment && header.protocol === icmp && header.version === 4) {
    const decoded = decodeIcmp(payload);
    if (!decoded.ok) return inner(decoded) as DecodeResult<IpPacket>;
    transport = { protocol: 'icmp', ...decoded.value };
  } else if (!fragment && header.protocol === icmp) {
    const decoded = decodeIcmpv6(payload, header.src, header.dst);
    if (!decoded.ok) return inner(decoded) as DecodeResult<IpPacket>;
    transport = { protocol: 'icmpv6', ...decoded.value };
  } else {
    transport = { protocol: 'other', number: header.protocol, bytes: payload.slice() };
  }
  return ok({ ip: header, headerChecksumValid: 'checksumValid' in ip.value ? ip.value.checksumValid : true, transport });
}

export function encodeIpPacket(packet: IpPacket): Uint8Array {
  const { ip, transport: t } = packet;
  const payload = t.protocol === 'tcp' ? encodeTcp(t.segment, ip.src, ip.dst) : t.protocol === 'icmp' ? encodeIcmp(t.message, t.checksum) : t.protocol === 'icmpv6' ? encodeIcmpv6(t.message, ip.src, ip.dst, t.checksum) : t.bytes;
  return ip.version === 4 ? encodeIpv4(ip, payload) : encodeIpv6(ip, payload);
}

/** An IP header for a crafted payload, of the family of its addresses. */
function ipHeader(spec: { src: string; dst: string; protocol: number; ttl?: number; id?: number; tos?: number; dontFragment?: boolean }, payloadLength: number): IpHeader {
  if (familyOf(spec.src) === 6) return ipv6Header({ src: spec.src, dst: spec.dst, protocol: spec.protocol, ...(spec.ttl === undefined ? {} : { hopLimit: spec.ttl }), ...(spec.tos === undefined ? {} : { trafficClass: spec.tos }) }, payloadLength);
  return ipv4Header(spec, payloadLength);
}

const encodeIp = (header: IpHeader, payload: Uint8Array): Uint8Array => (header.version === 4 ? encodeIpv4(header, payload) : encodeIpv6(header, payload));

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
  /** IPv4's TTL, IPv6's hop limit. */
  readonly ttl?: number;
  /** IPv4's identification (IPv6 has none). */
  readonly id?: number;
  /** IPv4's TOS byte or IPv6's traffic class (DSCP and ECN). */
  readonly tos?: number;
}

/** A crafted TCP packet (IPv4 or IPv6, as its addresses are) with its checksums computed. */
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
  return encodeIp(ipHeader({ src: spec.src, dst: spec.dst, protocol: PROTO_TCP, ...(spec.ttl === undefined ? {} : { ttl: spec.ttl }), ...(spec.id === undefined ? {} : { id: spec.id }), ...(spec.tos === undefined ? {} : { tos: spec.tos }) }, tcp.length), tcp);
}

/**
 * Destination unreachable from a router (src) about a packet it could not deliver: ICMP quoting
 * the IP header and 64 bits (RFC 792, RFC 1812 §4.3.2.3; Linux quotes more, but this is what every
 * stack must accept), or ICMPv6 quoting as much as fits in the minimum MTU (RFC 4443 §3.1).
 */
export function icmpUnreachable(spec: { src: string; dst: string; code: number; quoting: Uint8Array; nextHopMtu?: number }): Uint8Array {
  if (familyOf(spec.src) === 6) return icmpv6Error({ type: 'destinationUnreachable', code: spec.code, unused: 0, quoted: quoteForIcmpv6(spec.quoting) }, spec);
  const headerLength = ((spec.quoting[0] ?? 0x45) & 0x0f) * 4;
  const quoted = spec.quoting.slice(0, headerLength + 8);
  const icmp = encodeIcmp({ type: 'destinationUnreachable', code: spec.code, unused: 0, nextHopMtu: spec.nextHopMtu ?? 0, quoted });
  return encodeIpv4(ipv4Header({ src: spec.src, dst: spec.dst, protocol: PROTO_ICMP, dontFragment: false }, icmp.length), icmp);
}

/** The path's MTU is smaller than the packet: IPv6's packet too big (RFC 4443 §3.2), IPv4's fragmentation needed (RFC 1191). */
export function icmpPacketTooBig(spec: { src: string; dst: string; mtu: number; quoting: Uint8Array }): Uint8Array {
  if (familyOf(spec.src) === 6) return icmpv6Error({ type: 'packetTooBig', code: 0, mtu: spec.mtu, quoted: quoteForIcmpv6(spec.quoting) }, spec);
  return icmpUnreachable({ ...spec, code: 4, nextHopMtu: spec.mtu });
}

const quoteForIcmpv6 = (packet: Uint8Array): Uint8Array => packet.slice(0, IPV6_MIN_MTU - 40 - 8);

function icmpv6Error(message: Icmpv6Message, spec: { src: string; dst: string }): Uint8Array {
  const icmp = encodeIcmpv6(message, spec.src, spec.dst);
  return encodeIpv6(ipv6Header({ src: spec.src, dst: spec.dst, protocol: PROTO_ICMPV6, hopLimit: 255 }, icmp.length), icmp);
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
    return `${endpoint(p.ip.src, s.srcPort)} > ${endpoint(p.ip.dst, s.dstPort)} [${flagString(s.flags)}] seq ${s.seq}${ack} win ${s.window}${options.length ? ` <${options.join(',')}>` : ''}${length}`;
  }
  if (t.protocol === 'icmp' || t.protocol === 'icmpv6') {
    const m = t.message;
    const what =
      m.type === 'destinationUnreachable' ? `unreachable code ${m.code}` : m.type === 'packetTooBig' ? `packet too big mtu ${m.mtu}` : m.type === 'other' ? `type ${m.icmpType} code ${m.code}` : `${m.type} id ${m.id} seq ${m.sequence}`;
    return `${p.ip.src} > ${p.ip.dst} ${t.protocol === 'icmp' ? 'ICMP' : 'ICMP6'} ${what}`;
  }
  return `${p.ip.src} > ${p.ip.dst} protocol ${t.number} length ${t.bytes.length}`;
}

/** An address and port as text: IPv6 in brackets (RFC 3986 §3.2.2), so the port stays apart. */
export const endpoint = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
