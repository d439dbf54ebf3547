/** ICMP (RFC 792): destination unreachable with its quoted datagram, echo, anything else kept raw. */
import { internetChecksum } from './checksum.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';
import { decodeIpv4 } from './ipv4.ts';
import { decodeIpv6 } from './ipv6.ts';

export type IcmpMessage =
  | {
      readonly type: 'destinationUnreachable';
      readonly code: number;
      /** Next-hop MTU for code 4 (RFC 1191), else the unused word's low half. */
      readonly nextHopMtu: number;
      readonly unused: number;
      /** The original datagram's IP header and (at least) its first 8 payload bytes. */
      readonly quoted: Uint8Array;
    }
  | { readonly type: 'echoRequest' | 'echoReply'; readonly code: number; readonly id: number; readonly sequence: number; readonly data: Uint8Array }
  | { readonly type: 'other'; readonly icmpType: number; readonly code: number; readonly rest: Uint8Array; readonly body: Uint8Array };

export interface DecodedIcmp {
  readonly message: IcmpMessage;
  readonly checksum: number;
  readonly checksumValid: boolean;
}

export function decodeIcmp(bytes: Uint8Array): DecodeResult<DecodedIcmp> {
  if (bytes.length < 8) return fail('icmp', bytes.length, `${bytes.length} bytes is shorter than the 8-byte ICMP header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes[0]!;
  const code = bytes[1]!;
  let message: IcmpMessage;
  if (type === 3) {
    if (bytes.length < 8 + 28) return fail('icmp', 8, `destination unreachable quotes ${bytes.length - 8} bytes, fewer than an IP header + 8`);
    message = { type: 'destinationUnreachable', code, unused: view.getUint16(4), nextHopMtu: view.getUint16(6), quoted: bytes.slice(8) };
  } else if (type === 0 || type === 8) {
    message = { type: type === 8 ? 'echoRequest' : 'echoReply', code, id: view.getUint16(4), sequence: view.getUint16(6), data: bytes.slice(8) };
  } else {
    message = { type: 'other', icmpType: type, code, rest: bytes.slice(4, 8), body: bytes.slice(8) };
  }
  return ok({ message, checksum: view.getUint16(2), checksumValid: internetChecksum(bytes) === 0 });
}

/** Encodes a message; checksum -1 is computed, any other value kept. */
export function encodeIcmp(message: IcmpMessage, checksum = -1): Uint8Array {
  const body = message.type === 'destinationUnreachable' ? message.quoted : message.type === 'other' ? message.body : message.data;
  const bytes = new Uint8Array(8 + body.length);
  const view = new DataView(bytes.buffer);
  switch (message.type) {
    case 'destinationUnreachable':
      bytes[0] = 3;
      view.setUint16(4, message.unused);
      view.setUint16(6, message.nextHopMtu);
      break;
    case 'echoRequest':
    case 'echoReply':
      bytes[0] = message.type === 'echoRequest' ? 8 : 0;
      view.setUint16(4, message.id);
      view.setUint16(6, message.sequence);
      break;
    case 'other':
      bytes[0] = message.icmpType;
      bytes.set(message.rest, 4);
      break;
  }
  bytes[1] = message.code;
  bytes.set(body, 8);
  view.setUint16(2, checksum === -1 ? internetChecksum(bytes) : checksum);
  return bytes;
}

/**
 * The ports and sequence number of the TCP segment an ICMP or ICMPv6 error quotes: an IP header
 * (of either family, IPv6 with its extension headers) and at least the TCP header's first 8 bytes
 * (RFC 792; RFC 4443 quotes as much as fits).
 */
export function quotedTcp(quoted: Uint8Array): DecodeResult<{ src: string; dst: string; srcPort: number; dstPort: number; seq: number }> {
  const v6 = quoted.length > 0 && quoted[0]! >> 4 === 6;
  if (quoted.length < (v6 ? 40 : 20)) return fail('icmp', 8, 'quoted datagram shorter than an IP header');
  // The quote may stop short of the whole datagram: relax its length field.
  const copy = quoted.slice();
  const view = new DataView(copy.buffer);
  if (v6) view.setUint16(4, copy.length - 40);
  else if (copy.length >= (copy[0]! & 0x0f) * 4) view.setUint16(2, copy.length);
  const header = v6 ? decodeIpv6(copy) : decodeIpv4(copy);
  if (!header.ok) return fail('icmp', 8 + header.error.offset, `quoted ${header.error.reason}`);
  const tcp = header.value.payload;
  if (tcp.length < 8) return fail('icmp', 8 + copy.length - tcp.length, 'quoted TCP header shorter than 8 bytes');
  const ports = new DataView(tcp.buffer, tcp.byteOffset, tcp.byteLength);
  return ok({ src: header.value.header.src, dst: header.value.header.dst, srcPort: ports.getUint16(0), dstPort: ports.getUint16(2), seq: ports.getUint32(4) });
}
