/** TCP options (RFC 9293 §3.2, RFC 2018 SACK, RFC 7323 timestamps and window scale, RFC 7413 Fast Open). */
import { fail, ok, type DecodeResult } from './decode-result.ts';

export type TcpOption =
  | { readonly kind: 'eol'; /** Bytes after End of Option List, kept for byte-exact re-encoding. */ readonly trailing: Uint8Array }
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'windowScale'; readonly shift: number }
  | { readonly kind: 'sackPermitted' }
  | { readonly kind: 'sack'; readonly blocks: ReadonlyArray<{ readonly left: number; readonly right: number }> }
  | { readonly kind: 'timestamps'; readonly tsval: number; readonly tsecr: number }
  /**
   * TCP Fast Open (RFC 7413 §4.1.1): an empty cookie is a cookie request. `experimental`: the
   * pre-RFC form (kind 254, magic 0xF989, RFC 6994) that Linux falls back to.
   */
  | { readonly kind: 'fastOpen'; readonly cookie: Uint8Array; readonly experimental?: boolean }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

const KIND = { eol: 0, nop: 1, mss: 2, windowScale: 3, sackPermitted: 4, sack: 5, timestamps: 8, fastOpen: 34, experimental: 254 } as const;
/** The experiment id of Fast Open's experimental option (RFC 6994 §3). */
const FAST_OPEN_MAGIC = 0xf989;
/** Known kinds have fixed lengths; a different length is malformed (RFC 9293 §3.2 MUST-7). */
const LENGTH: Partial<Record<number, number>> = { 2: 4, 3: 3, 4: 2, 8: 10 };

export function decodeTcpOptions(bytes: Uint8Array): DecodeResult<TcpOption[]> {
  const options: TcpOption[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  while (i < bytes.length) {
    const type = bytes[i]!;
    if (type === KIND.eol) {
      options.push({ kind: 'eol', trailing: bytes.slice(i + 1) });
      return ok(options);
    }
    if (type === KIND.nop) {
      options.push({ kind: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) return fail('tcp-option', i, `option kind ${type} has no length byte`);
    const length = bytes[i + 1]!;
    if (length < 2) return fail('tcp-option', i + 1, `option kind ${type} has length ${length}, below 2`);
    if (i + length > bytes.length) return fail('tcp-option', i + 1, `option kind ${type} of length ${length} runs past the header`);
    const expected = LENGTH[type];
    if (expected !== undefined && length !== expected) return fail('tcp-option', i + 1, `option kind ${type} must have length ${expected}, not ${length}`);
    switch (type) {
      case KIND.mss:
        options.push({ kind: 'mss', value: view.getUint16(i + 2) });
        break;
      case KIND.windowScale:
        options.push({ kind: 'windowScale', shift: bytes[i + 2]! });
        break;
      case KIND.sackPermitted:
        options.push({ kind: 'sackPermitted' });
        break;
      case KIND.sack: {
        if ((length - 2) % 8 !== 0) return fail('tcp-option', i + 1, `SACK option length ${length} is not 2 + 8n`);
        const blocks = [];
        for (let b = i + 2; b < i + length; b += 8) blocks.push({ left: view.getUint32(b), right: view.getUint32(b + 4) });
        options.push({ kind: 'sack', blocks });
        break;
      }
      case KIND.timestamps:
        options.push({ kind: 'timestamps', tsval: view.getUint32(i + 2), tsecr: view.getUint32(i + 6) });
        break;
      case KIND.fastOpen:
        options.push({ kind: 'fastOpen', cookie: bytes.slice(i + 2, i + length) });
        break;
      case KIND.experimental:
        if (length >= 4 && view.getUint16(i + 2) === FAST_OPEN_MAGIC) options.push({ kind: 'fastOpen', cookie: bytes.slice(i + 4, i + length), experimental: true });
        else options.push({ kind: 'unknown', type, data: bytes.slice(i + 2, i + length) });
        break;
      default:
        options.push({ kind: 'unknown', type, data: bytes.slice(i + 2, i + length) });
    }
    i += length;
  }
  return ok(options);
}

function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
      return 1 + o.trailing.length;
    case 'nop':
      return 1;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'unknown':
      return 2 + o.data.length;
    case 'fastOpen':
      return (o.experimental ? 4 : 2) + o.cookie.length;
    default:
      return LENGTH[KIND[o.kind]]!;
  }
}

/** Encodes options as given, then pads with zero bytes (EOL) to a whole number of 32-bit words. */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const length = options.reduce((n, o) => n + optionLength(o), 0);
  const bytes = new Uint8Array(Math.ceil(length / 4) * 4);
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (const o of options) {
    switch (o.kind) {
      case 'eol':
        bytes[i] = 0;
        bytes.set(o.trailing, i + 1);
        break;
      case 'nop':
        bytes[i] = 1;
        break;
      case 'mss':
        bytes.set([2, 4], i);
        view.setUint16(i + 2, o.value);
        break;
      case 'windowScale':
        bytes.set([3, 3, o.shift], i);
        break;
      case 'sackPermitted':
        bytes.set([4, 2], i);
        break;
      case 'sack':
        bytes.set([5, 2 + 8 * o.blocks.length], i);
        o.blocks.forEach((b, n) => {
          view.setUint32(i + 2 + 8 * n, b.left);
          view.setUint32(i + 6 + 8 * n, b.right);
        });
        break;
      case 'timestamps':
        bytes.set([8, 10], i);
        view.setUint32(i + 2, o.tsval);
        view.setUint32(i + 6, o.tsecr);
        break;
      case 'fastOpen':
        if (o.experimental) {
          bytes.set([KIND.experimental, 4 + o.cookie.length], i);
          view.setUint16(i + 2, FAST_OPEN_MAGIC);
        } else bytes.set([KIND.fastOpen, 2 + o.cookie.length], i);
        bytes.set(o.cookie, i + (o.experimental ? 4 : 2));
        break;
      case 'unknown':
        bytes.set([o.type, 2 + o.data.length], i);
        bytes.set(o.data, i + 2);
        break;
    }
    i += optionLength(o);
  }
  return bytes;
}

export function describeTcpOption(o: TcpOption): string {
  switch (o.kind) {
    case 'eol':
      return 'eol';
    case 'nop':
      return 'nop';
    case 'mss':
      return `mss ${o.value}`;
    case 'windowScale':
      return `wscale ${o.shift}`;
    case 'sackPermitted':
      return 'sackOK';
    case 'sack':
      return `sack ${o.blocks.length} {${o.blocks.map((b) => `${b.left}:${b.right}`).join(' ')}}`;
    case 'timestamps':
      return `TS val ${o.tsval} ecr ${o.tsecr}`;
    case 'fastOpen':
      return `${o.experimental ? 'FOEXP' : 'FO'}${o.cookie.length ? ` ${Buffer.from(o.cookie).toString('hex')}` : ''}`;
    case 'unknown':
      return `unknown-${o.type} 0x${Buffer.from(o.data).toString('hex')}`;
  }
}
