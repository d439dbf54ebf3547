/**
 * IPv6 header (RFC 8200 §3) with its extension headers: decoded up to the upper-layer protocol,
 * kept as bytes so re-encoding is byte-exact.
 */
import { formatIpv6, ipBytes } from './address.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';

export const PROTO_ICMPV6 = 58;
/** The smallest link MTU IPv6 runs on (RFC 8200 §5); Linux takes IPv6 off a link below it. */
export const IPV6_MIN_MTU = 1280;

/** Extension headers the decoder walks past (RFC 8200 §4; AH is RFC 4302, measured in 4-byte units). */
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;

export interface Ipv6Header {
  readonly version: 6;
  /** DSCP and ECN, as IPv4's TOS byte. */
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  /** The first Next Header (that of the fixed header). */
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: string;
  readonly dst: string;
  /** The extension headers' bytes, as they came. */
  readonly extensions: Uint8Array;
  /** The upper-layer protocol after the extension headers. */
  readonly protocol: number;
  /** A fragment header was among them: the payload is a fragment. */
  readonly fragment: boolean;
}

export interface DecodedIpv6 {
  readonly header: Ipv6Header;
  /** The upper-layer bytes, up to payloadLength. */
  readonly payload: Uint8Array;
}

export function decodeIpv6(bytes: Uint8Array): DecodeResult<DecodedIpv6> {
  if (bytes.length < 40) return fail('ipv6', bytes.length, `${bytes.length} bytes is shorter than the 40-byte IPv6 header`);
  const version = bytes[0]! >> 4;
  if (version !== 6) return fail('ipv6', 0, `version ${version}, not 6`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloadLength = view.getUint16(4);
  const end = 40 + payloadLength;
  if (end > bytes.length) return fail('ipv6', 4, `payload length ${payloadLength} exceeds the ${bytes.length - 40} bytes given (truncated packet)`);
  let protocol = bytes[6]!;
  let offset = 40;
  let fragment = false;
  while (protocol === HOP_BY_HOP || protocol === ROUTING || protocol === FRAGMENT || protocol === AUTHENTICATION || protocol === DESTINATION_OPTIONS) {
    if (offset + 8 > end) return fail('ipv6', offset, `extension header ${protocol} runs past the payload`);
    const length = protocol === FRAGMENT ? 8 : protocol === AUTHENTICATION ? (bytes[offset + 1]! + 2) * 4 : (bytes[offset + 1]! + 1) * 8;
    if (offset + length > end) return fail('ipv6', offset + 1, `extension header ${protocol} of ${length} bytes runs past the payload`);
    if (protocol === FRAGMENT) fragment = true;
    protocol = bytes[offset]!;
    offset += length;
  }
  const word = view.getUint32(0);
  const header: Ipv6Header = {
    version: 6,
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    payloadLength,
    nextHeader: bytes[6]!,
    hopLimit: bytes[7]!,
    src: formatIpv6(bytes, 8),
    dst: formatIpv6(bytes, 24),
    extensions: bytes.slice(40, offset),
    protocol,
    fragment,
  };
  return ok({ header, payload: bytes.subarray(offset, end) });
}

/** A header without extensions for an upper-layer payload (what the builders use). */
export function ipv6Header(spec: { src: string; dst: string; protocol: number; hopLimit?: number; trafficClass?: number }, payloadLength: number): Ipv6Header {
  return { version: 6, trafficClass: spec.trafficClass ?? 0, flowLabel: 0, payloadLength, nextHeader: spec.protocol, hopLimit: spec.hopLimit ?? 64, src: spec.src, dst: spec.dst, extensions: new Uint8Array(0), protocol: spec.protocol, fragment: false };
}

/** Encodes header, its extension headers as kept, and the payload. */
export function encodeIpv6(header: Ipv6Header, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(40 + header.extensions.length + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (6 << 28) | ((header.trafficClass & 0xff) << 20) | (header.flowLabel & 0xfffff));
  view.setUint16(4, header.payloadLength);
  bytes[6] = header.nextHeader;
  bytes[7] = header.hopLimit;
  bytes.set(ipBytes(header.src), 8);
  bytes.set(ipBytes(header.dst), 24);
  bytes.set(header.extensions, 40);
  bytes.set(payload, 40 + header.extensions.length);
  return bytes;
}
