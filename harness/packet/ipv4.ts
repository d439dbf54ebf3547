/** IPv4 header (RFC 791 §3.1): decode, encode, header checksum. */
import { formatIpv4, ipv4Bytes } from './address.ts';
import { internetChecksum } from './checksum.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;

export interface Ipv4Header {
  readonly version: 4;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** The reserved ("evil") flag bit, kept so re-encoding is byte-exact. */
  readonly reservedFlag: boolean;
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: string;
  readonly dst: string;
  readonly options: Uint8Array;
}

export interface DecodedIpv4 {
  readonly header: Ipv4Header;
  readonly checksumValid: boolean;
  /** The bytes after the header, up to totalLength. */
  readonly payload: Uint8Array;
}

export function decodeIpv4(bytes: Uint8Array): DecodeResult<DecodedIpv4> {
  if (bytes.length < 20) return fail('ipv4', bytes.length, `${bytes.length} bytes is shorter than the 20-byte minimum header`);
  const version = bytes[0]! >> 4;
  if (version !== 4) return fail('ipv4', 0, `version ${version}, not 4`);
  const headerLength = (bytes[0]! & 0x0f) * 4;
  if (headerLength < 20) return fail('ipv4', 0, `header length ${headerLength / 4} words is below the minimum 5`);
  if (headerLength > bytes.length) return fail('ipv4', 0, `header length ${headerLength} exceeds the ${bytes.length} bytes given`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const totalLength = view.getUint16(2);
  if (totalLength < headerLength) return fail('ipv4', 2, `total length ${totalLength} is shorter than the header (${headerLength})`);
  if (totalLength > bytes.length) return fail('ipv4', 2, `total length ${totalLength} exceeds the ${bytes.length} bytes given (truncated packet)`);
  const flags = view.getUint16(6);
  const header: Ipv4Header = {
    version: 4,
    tos: bytes[1]!,
    totalLength,
    id: view.getUint16(4),
    reservedFlag: (flags & 0x8000) !== 0,
    dontFragment: (flags & 0x4000) !== 0,
    moreFragments: (flags & 0x2000) !== 0,
    fragmentOffset: flags & 0x1fff,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    checksum: view.getUint16(10),
    src: formatIpv4(bytes, 12),
    dst: formatIpv4(bytes, 16),
    options: bytes.slice(20, headerLength),
  };
  return ok({ header, checksumValid: internetChecksum(bytes, 0, headerLength) === 0, payload: bytes.subarray(headerLength, totalLength) });
}

export interface Ipv4Spec {
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly ttl?: number;
  readonly id?: number;
  readonly tos?: number;
  readonly dontFragment?: boolean;
}

/** A header for a payload, with its checksum computed (what the builders use). */
export function ipv4Header(spec: Ipv4Spec, payloadLength: number, options = new Uint8Array(0)): Ipv4Header {
  return {
    version: 4,
    tos: spec.tos ?? 0,
    totalLength: 20 + options.length + payloadLength,
    id: spec.id ?? 0,
    reservedFlag: false,
    dontFragment: spec.dontFragment ?? true,
    moreFragments: false,
    fragmentOffset: 0,
    ttl: spec.ttl ?? 64,
    protocol: spec.protocol,
    checksum: -1,
    src: spec.src,
    dst: spec.dst,
    options,
  };
}

/** Encodes header + payload. A header checksum of -1 is computed; any other value is kept as given. */
export function encodeIpv4(header: Ipv4Header, payload: Uint8Array): Uint8Array {
  const headerLength = 20 + header.options.length;
  if (header.options.length % 4 !== 0) throw new RangeError('IPv4 options must fill whole 32-bit words');
  const bytes = new Uint8Array(headerLength + payload.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x40 | (headerLength / 4);
  bytes[1] = header.tos;
  view.setUint16(2, header.totalLength);
  view.setUint16(4, header.id);
  view.setUint16(6, (header.reservedFlag ? 0x8000 : 0) | (header.dontFragment ? 0x4000 : 0) | (header.moreFragments ? 0x2000 : 0) | header.fragmentOffset);
  bytes[8] = header.ttl;
  bytes[9] = header.protocol;
  bytes.set(ipv4Bytes(header.src), 12);
  bytes.set(ipv4Bytes(header.dst), 16);
  bytes.set(header.options, 20);
  view.setUint16(10, header.checksum === -1 ? internetChecksum(bytes, 0, headerLength) : header.checksum);
  bytes.set(payload, headerLength);
  return bytes;
}
