/** The Internet checksum (RFC 1071) and the TCP pseudo-header sum (RFC 9293 §3.1). */

/** One's-complement sum of 16-bit words, not yet folded or inverted. */
export function sum16(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return fold(sum16(bytes, start, end));
}

/**
 * Sum of the pseudo-header: source, destination, protocol, length. One formula for both
 * families: IPv6's (RFC 8200 §8.1) has 16-byte addresses and a 32-bit length, whose high
 * half is zero below 64 KiB.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return sum16(src) + sum16(dst) + protocol + length;
}
