/** ICMPv6 (RFC 4443): destination unreachable and packet too big with their quoted packet, echo, anything else kept raw. */
import { ipBytes } from './address.ts';
import { fold, pseudoHeaderSum, sum16 } from './checksum.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';
import { PROTO_ICMPV6 } from './ipv6.ts';

export type Icmpv6Message =
  | { readonly type: 'destinationUnreachable'; readonly code: number; readonly unused: number; readonly quoted: Uint8Array }
  | { readonly type: 'packetTooBig'; readonly code: number; readonly mtu: number; readonly quoted: Uint8Array }
  | { readonly type: 'echoRequest' | 'echoReply'; readonly code: number; readonly id: number; readonly sequence: number; readonly data: Uint8Array }
  | { readonly type: 'other'; readonly icmpType: number; readonly code: number; readonly rest: Uint8Array; readonly body: Uint8Array };

export interface DecodedIcmpv6 {
  readonly message: Icmpv6Message;
  readonly checksum: number;
  readonly checksumValid: boolean;
}

const TYPES = { destinationUnreachable: 1, packetTooBig: 2, echoRequest: 128, echoReply: 129 } as const;

/** The checksum covers the IPv6 pseudo-header (RFC 4443 §2.3): hence the addresses. */
export function decodeIcmpv6(bytes: Uint8Array, src: string, dst: string): DecodeResult<DecodedIcmpv6> {
  if (bytes.length < 8) return fail('icmpv6', bytes.length, `${bytes.length} bytes is shorter than the 8-byte ICMPv6 header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes[0]!;
  const code = bytes[1]!;
  let message: Icmpv6Message;
  if (type === TYPES.destinationUnreachable || type === TYPES.packetTooBig) {
    if (bytes.length < 8 + 40) return fail('icmpv6', 8, `an ICMPv6 error quoting ${bytes.length - 8} bytes, fewer than an IPv6 header`);
    message = type === TYPES.packetTooBig ? { type: 'packetTooBig', code, mtu: view.getUint32(4), quoted: bytes.slice(8) } : { type: 'destinationUnreachable', code, unused: view.getUint32(4), quoted: bytes.slice(8) };
  } else if (type === TYPES.echoRequest || type === TYPES.echoReply) {
    message = { type: type === TYPES.echoRequest ? 'echoRequest' : 'echoReply', code, id: view.getUint16(4), sequence: view.getUint16(6), data: bytes.slice(8) };
  } else {
    message = { type: 'other', icmpType: type, code, rest: bytes.slice(4, 8), body: bytes.slice(8) };
  }
  return ok({ message, checksum: view.getUint16(2), checksumValid: fold(sum16(bytes, 0, bytes.length, pseudoHeaderSum(ipBytes(src), ipBytes(dst), PROTO_ICMPV6, bytes.length))) === 0 });
}

/** Encodes a message; checksum -1 is computed over the pseudo-header of src and dst, any other value kept. */
export function encodeIcmpv6(message: Icmpv6Message, src: string, dst: string, checksum = -1): Uint8Array {
  const body = message.type === 'destinationUnreachable' || message.type === 'packetTooBig' ? message.quoted : message.type === 'other' ? message.body : message.data;
  const bytes = new Uint8Array(8 + body.length);
  const view = new DataView(bytes.buffer);
  switch (message.type) {
    case 'destinationUnreachable':
      view.setUint32(4, message.unused);
      break;
    case 'packetTooBig':
      view.setUint32(4, message.mtu);
      break;
    case 'echoRequest':
    case 'echoReply':
      view.setUint16(4, message.id);
      view.setUint16(6, message.sequence);
      break;
    case 'other':
      bytes.set(message.rest, 4);
      break;
  }
  bytes[0] = message.type === 'other' ? message.icmpType : TYPES[message.type];
  bytes[1] = message.code;
  bytes.set(body, 8);
  view.setUint16(2, checksum === -1 ? fold(sum16(bytes, 0, bytes.length, pseudoHeaderSum(ipBytes(src), ipBytes(dst), PROTO_ICMPV6, bytes.length))) : checksum);
  return bytes;
}
