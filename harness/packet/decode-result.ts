/** Decoding never throws: every decoder returns a value or a typed error saying what is wrong. */
export type Layer = 'ip' | 'ipv4' | 'ipv6' | 'tcp' | 'tcp-option' | 'icmp' | 'icmpv6' | 'pcap';

export interface DecodeError {
  readonly layer: Layer;
  /** Byte offset, within the bytes given to the decoder, where the problem is. */
  readonly offset: number;
  readonly reason: string;
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };

export const ok = <T>(value: T): DecodeResult<T> => ({ ok: true, value });
export const fail = <T>(layer: Layer, offset: number, reason: string): DecodeResult<T> => ({ ok: false, error: { layer, offset, reason } });
