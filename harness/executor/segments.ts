/** Between the scenario's vocabulary and bytes on the wire: crafting the harness's segments, reading the target's. */
import type { SegmentFields } from '../diff/observation.ts';
import { IP_ECN, type IpEcn, type SynOptions } from '../model/actions.ts';
import type { TcpFlagName } from '../model/expectations.ts';
import { decodeIpPacket, describePacket, ecnBits, icmpPacketTooBig, icmpUnreachable, tcpPacket, type TcpOption, type TcpSegment } from '../packet/index.ts';
import type { Endpoint } from './peers.ts';

/** A segment the harness sends, before addresses and its own TSval are filled in. */
export interface Crafted {
  readonly flags: readonly TcpFlagName[];
  readonly seq: number;
  readonly ack: number;
  readonly window: number;
  readonly options: SynOptions | null;
  /** TSecr to echo when the segment carries timestamps (RFC 7323 §3.2). */
  readonly tsecr?: number;
  readonly payload?: Uint8Array;
  /** The IP header's ECN field (not-ECT when absent). */
  readonly ipEcn?: IpEcn;
  /** A Fast Open option with this cookie (empty: a cookie request). */
  readonly fastOpen?: Uint8Array;
}

/** A Fast Open option as SegmentFields writes it: the cookie in hex, 'exp:' before it for the experimental option. */
export const fastOpenText = (o: Extract<TcpOption, { kind: 'fastOpen' }>): string => `${o.experimental ? 'exp:' : ''}${Buffer.from(o.cookie).toString('hex')}`;
export const fastOpenOption = (text: string): Extract<TcpOption, { kind: 'fastOpen' }> =>
  text.startsWith('exp:') ? { kind: 'fastOpen', cookie: Buffer.from(text.slice(4), 'hex'), experimental: true } : { kind: 'fastOpen', cookie: Buffer.from(text, 'hex') };

/** Options in the order Linux sends them: MSS, SACK-permitted + TS (or NOP NOP TS), NOP WS, then Fast Open padded with NOPs. */
export function linuxOptionLayout(options: SynOptions | null, tsval: number | null, tsecr: number, fastOpen: Extract<TcpOption, { kind: 'fastOpen' }> | null = null): TcpOption[] {
  // Linux tcp_options_write: a Fast Open option of 4n+2 bytes is followed by two NOPs.
  const length = fastOpen === null ? 0 : (fastOpen.experimental ? 4 : 2) + fastOpen.cookie.length;
  const fo: TcpOption[] = fastOpen === null ? [] : [fastOpen, ...(length % 4 === 2 ? [{ kind: 'nop' } as const, { kind: 'nop' } as const] : [])];
  if (options === null) return fo;
  const out: TcpOption[] = [];
  if (options.mss !== null) out.push({ kind: 'mss', value: options.mss });
  if (options.sackPermitted && options.timestamps && tsval !== null) out.push({ kind: 'sackPermitted' }, { kind: 'timestamps', tsval, tsecr });
  else {
    if (options.sackPermitted) out.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackPermitted' });
    if (options.timestamps && tsval !== null) out.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamps', tsval, tsecr });
  }
  if (options.windowScale !== null) out.push({ kind: 'nop' }, { kind: 'windowScale', shift: options.windowScale });
  return [...out, ...fo];
}

export const craft = {
  tcp(src: Endpoint, dst: Endpoint, s: Crafted, tsval: number | null): Uint8Array {
    return tcpPacket({ src: src.addr, dst: dst.addr, srcPort: src.port, dstPort: dst.port, seq: s.seq, ack: s.ack, flags: s.flags, window: s.window, options: linuxOptionLayout(s.options, tsval, s.tsecr ?? 0, s.fastOpen ? { kind: 'fastOpen', cookie: s.fastOpen } : null), tos: IP_ECN.indexOf(s.ipEcn ?? 'notEct'), ...(s.payload ? { payload: s.payload } : {}) });
  },

  icmpUnreachable,
  icmpPacketTooBig,

  /**
   * What the executor needs of a packet, decoded once: endpoints and, for TCP, the judged
   * fields; anything else only as a line of text (the target should not send it).
   */
  decode(bytes: Uint8Array): { src: string; dst: string; srcPort: number; dstPort: number; tcp: SegmentFields | null; summary: string } | null {
    const decoded = decodeIpPacket(bytes);
    if (!decoded.ok) return null;
    const p = decoded.value;
    if (p.transport.protocol === 'tcp') {
      const s = p.transport.segment;
      return { src: p.ip.src, dst: p.ip.dst, srcPort: s.srcPort, dstPort: s.dstPort, tcp: fieldsOf(s, IP_ECN[ecnBits(p.ip)]!), summary: '' };
    }
    return { src: p.ip.src, dst: p.ip.dst, srcPort: 0, dstPort: 0, tcp: null, summary: describePacket(p) };
  },
};

/** A TCP segment's fields in the diff's vocabulary. */
function fieldsOf(s: TcpSegment, ipEcn: IpEcn): SegmentFields {
  let mss: number | null = null;
  let sackPermitted = false;
  let timestamps: { tsval: number; tsecr: number } | null = null;
  let windowScale: number | null = null;
  let fastOpen: string | null = null;
  for (const o of s.options) {
    if (o.kind === 'mss') mss = o.value;
    else if (o.kind === 'sackPermitted') sackPermitted = true;
    else if (o.kind === 'timestamps') timestamps = { tsval: o.tsval, tsecr: o.tsecr };
    else if (o.kind === 'windowScale') windowScale = o.shift;
    else if (o.kind === 'fastOpen') fastOpen = fastOpenText(o);
  }
  return {
    flags: s.flags,
    seq: s.seq,
    ack: s.ack,
    window: s.window,
    payloadLength: s.payload.length,
    ipEcn,
    options: { mss, sackPermitted, timestamps, windowScale, fastOpen },
  };
}
