/** TCP header (RFC 9293 §3.1): decode, encode, checksum over the IPv4 or IPv6 pseudo-header. */
import { ipBytes } from './address.ts';
import { fold, pseudoHeaderSum, sum16 } from './checksum.ts';
import { fail, ok, type DecodeResult } from './decode-result.ts';
import { PROTO_TCP } from './ipv4.ts';
import { decodeTcpOptions, encodeTcpOptions, type TcpOption } from './tcp-options.ts';

/** Control bits in header order; AE (formerly NS, RFC 3540/AccECN) is bit 8. */
export const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;
export type TcpFlag = (typeof TCP_FLAGS)[number];

export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** Header length in 32-bit words; -1 when encoding means "as the options need". */
  readonly dataOffset: number;
  /** The three reserved bits, kept for byte-exact re-encoding. */
  readonly reserved: number;
  readonly flags: readonly TcpFlag[];
  readonly window: number;
  /** -1 when encoding means "compute". */
  readonly checksum: number;
  readonly urgentPointer: number;
  readonly options: readonly TcpOption[];
  readonly payload: Uint8Array;
}

export interface DecodedTcp {
  readonly segment: TcpSegment;
  readonly checksumValid: boolean;
}

export function decodeTcp(bytes: Uint8Array, src: string, dst: string): DecodeResult<DecodedTcp> {
  if (bytes.length < 20) return fail('tcp', bytes.length, `${bytes.length} bytes is shorter than the 20-byte minimum header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = bytes[12]! >> 4;
  if (dataOffset < 5) return fail('tcp', 12, `TCP data offset ${dataOffset} is below the minimum 5`);
  if (dataOffset * 4 > bytes.length) return fail('tcp', 12, `TCP data offset ${dataOffset} (${dataOffset * 4} bytes) exceeds the ${bytes.length}-byte segment`);
  const options = decodeTcpOptions(bytes.subarray(20, dataOffset * 4));
  if (!options.ok) return fail('tcp-option', 20 + options.error.offset, options.error.reason);
  const bits = ((bytes[12]! & 0x01) << 8) | bytes[13]!;
  const segment: TcpSegment = {
    srcPort: view.getUint16(0),
    dstPort: view.getUint16(2),
    seq: view.getUint32(4),
    ack: view.getUint32(8),
    dataOffset,
    reserved: (bytes[12]! >> 1) & 0x07,
    flags: TCP_FLAGS.filter((_, i) => (bits & (1 << i)) !== 0),
    window: view.getUint16(14),
    checksum: view.getUint16(16),
    urgentPointer: view.getUint16(18),
    options: options.value,
    payload: bytes.slice(dataOffset * 4),
  };
  const sum = pseudoHeaderSum(ipBytes(src), ipBytes(dst), PROTO_TCP, bytes.length);
  return ok({ segment, checksumValid: fold(sum16(bytes, 0, bytes.length, sum)) === 0 });
}

export function encodeTcp(segment: TcpSegment, src: string, dst: string): Uint8Array {
  const options = encodeTcpOptions(segment.options);
  if (options.length > 40) throw new RangeError(`TCP options take ${options.length} bytes; the header has room for 40`);
  const dataOffset = segment.dataOffset === -1 ? 5 + options.length / 4 : segment.dataOffset;
  const headerLength = Math.max(20 + options.length, dataOffset * 4);
  const bytes = new Uint8Array(headerLength + segment.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, segment.srcPort);
  view.setUint16(2, segment.dstPort);
  view.setUint32(4, segment.seq >>> 0);
  view.setUint32(8, segment.ack >>> 0);
  const bits = segment.flags.reduce((b, f) => b | (1 << TCP_FLAGS.indexOf(f)), 0);
  bytes[12] = (dataOffset << 4) | ((segment.reserved & 0x07) << 1) | (bits >> 8);
  bytes[13] = bits & 0xff;
  view.setUint16(14, segment.window);
  view.setUint16(18, segment.urgentPointer);
  bytes.set(options, 20);
  bytes.set(segment.payload, headerLength);
  const checksum = segment.checksum === -1 ? fold(sum16(bytes, 0, bytes.length, pseudoHeaderSum(ipBytes(src), ipBytes(dst), PROTO_TCP, bytes.length))) : segment.checksum;
  view.setUint16(16, checksum);
  return bytes;
}
