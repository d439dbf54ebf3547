import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIpPacket, encodeIpPacket, formatIpv6, icmpPacketTooBig, icmpUnreachable, parseIpv6, quotedTcp, tcpPacket, describePacket, type TcpOption, TCP_FLAGS } from '../../harness/packet/index.ts';

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const address = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const address6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));
const option: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: 'nop' }),
  u16.map((value): TcpOption => ({ kind: 'mss', value })),
  fc.nat(14).map((shift): TcpOption => ({ kind: 'windowScale', shift })),
  fc.constant<TcpOption>({ kind: 'sackPermitted' }),
  fc.array(fc.record({ left: u32, right: u32 }), { minLength: 1, maxLength: 3 }).map((blocks): TcpOption => ({ kind: 'sack', blocks })),
  fc.record({ tsval: u32, tsecr: u32 }).map((t): TcpOption => ({ kind: 'timestamps', ...t })),
  fc.record({ type: fc.integer({ min: 9, max: 253 }).filter((t) => t !== 34 && t !== 254), data: fc.uint8Array({ maxLength: 6 }) }).map((o): TcpOption => ({ kind: 'unknown', ...o })),
  fc.uint8Array({ maxLength: 16 }).map((cookie): TcpOption => ({ kind: 'fastOpen', cookie })),
  fc.uint8Array({ maxLength: 16 }).map((cookie): TcpOption => ({ kind: 'fastOpen', cookie, experimental: true })),
);
/** Options that fill whole words by themselves, so decoding gives back exactly the list. */
const alignedOptions = fc.array(option, { maxLength: 4 }).map((os) => {
  const length = os.reduce((n, o) => n + (o.kind === 'nop' ? 1 : o.kind === 'mss' ? 4 : o.kind === 'windowScale' ? 3 : o.kind === 'sackPermitted' ? 2 : o.kind === 'sack' ? 2 + 8 * o.blocks.length : o.kind === 'timestamps' ? 10 : o.kind === 'unknown' ? 2 + o.data.length : o.kind === 'fastOpen' ? (o.experimental ? 4 : 2) + o.cookie.length : 1), 0);
  const pad = (4 - (length % 4)) % 4;
  return { length: length + pad, options: [...os, ...Array.from({ length: pad }, (): TcpOption => ({ kind: 'nop' }))] };
})
  // A TCP header has room for 40 bytes of options; keep 8 for the MSS and EOL some tests add.
  .filter((o) => o.length <= 32)
  .map((o) => o.options);
const tcpSpec = fc.record({
  src: address,
  dst: address,
  srcPort: u16,
  dstPort: u16,
  seq: u32,
  ack: u32,
  flags: fc.subarray([...TCP_FLAGS]),
  window: u16,
  options: alignedOptions,
  payload: fc.uint8Array({ maxLength: 40 }),
  ttl: fc.nat(255),
  id: u16,
});

describe('packet codec', () => {
  it('property: decode(tcpPacket(spec)) gives back every field, with valid checksums', () => {
    fc.assert(
      fc.property(tcpSpec, (spec) => {
        const decoded = decodeIpPacket(tcpPacket(spec));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok || decoded.value.transport.protocol !== 'tcp') return;
        const { segment, checksumValid } = decoded.value.transport;
        expect(decoded.value.headerChecksumValid && checksumValid).toBe(true);
        expect({ ...segment, flags: [...segment.flags].sort() }).toMatchObject({ srcPort: spec.srcPort, dstPort: spec.dstPort, seq: spec.seq, ack: spec.ack, window: spec.window, options: spec.options, payload: spec.payload, flags: [...spec.flags].sort() });
        expect(decoded.value.ip).toMatchObject({ src: spec.src, dst: spec.dst, ttl: spec.ttl, id: spec.id });
      }),
    );
  });

  it('property: encode(decode(bytes)) is byte-exact, unknown options, EOL padding and bad checksums included', () => {
    fc.assert(
      fc.property(tcpSpec, fc.uint8Array({ minLength: 0, maxLength: 3 }), u16, (spec, trailing, checksum) => {
        const options: TcpOption[] = [...spec.options, { kind: 'mss', value: 1460 }, { kind: 'eol', trailing }];
        const bytes = tcpPacket({ ...spec, options });
        new DataView(bytes.buffer).setUint16(36, checksum); // whatever the checksum was, it is kept
        const decoded = decodeIpPacket(bytes);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(encodeIpPacket(decoded.value)).toEqual(bytes);
      }),
    );
  });

  it('property: decoding any bytes never throws and always returns a typed result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const r = decodeIpPacket(bytes);
        if (!r.ok) expect(['ip', 'ipv4', 'ipv6', 'tcp', 'tcp-option', 'icmp', 'icmpv6']).toContain(r.error.layer);
      }),
      { numRuns: 2000 },
    );
  });

  it('truncating a valid SYN at every offset gives an error naming the layer', () => {
    const syn = tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 40000, dstPort: 8080, seq: 1000, flags: ['SYN'], window: 64240, options: [{ kind: 'mss', value: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsval: 1, tsecr: 0 }, { kind: 'nop' }, { kind: 'windowScale', shift: 7 }] });
    for (let n = 0; n < syn.length; n++) {
      const r = decodeIpPacket(syn.slice(0, n));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.layer).toBe(n === 0 ? 'ip' : 'ipv4');
    }
    const badOffset = syn.slice();
    badOffset[32] = 0x40; // data offset 4
    const r = decodeIpPacket(badOffset);
    expect(r).toMatchObject({ ok: false, error: { layer: 'tcp', reason: 'TCP data offset 4 is below the minimum 5' } });
    const badOption = syn.slice();
    badOption[41] = 3; // MSS length 3
    expect(decodeIpPacket(badOption)).toMatchObject({ ok: false, error: { layer: 'tcp-option', offset: 41 } });
  });

  it('describes a SYN as tcpdump does', () => {
    const syn = decodeIpPacket(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 40000, dstPort: 8080, seq: 1000, flags: ['SYN'], window: 64240, options: [{ kind: 'mss', value: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsval: 1, tsecr: 0 }, { kind: 'nop' }, { kind: 'windowScale', shift: 7 }] }));
    expect(syn.ok && describePacket(syn.value)).toBe('10.77.0.130:40000 > 10.77.0.2:8080 [S] seq 1000 win 64240 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>');
  });

  it('ICMP destination unreachable quotes the SYN and its checksum is valid', () => {
    const syn = tcpPacket({ src: '10.77.0.2', dst: '10.77.0.200', srcPort: 41000, dstPort: 5000, seq: 0xdeadbeef, flags: ['SYN'], window: 64240 });
    const icmp = decodeIpPacket(icmpUnreachable({ src: '10.77.0.1', dst: '10.77.0.2', code: 1, quoting: syn }));
    expect(icmp.ok).toBe(true);
    if (!icmp.ok || icmp.value.transport.protocol !== 'icmp') return;
    expect(icmp.value.transport.checksumValid).toBe(true);
    const m = icmp.value.transport.message;
    expect(m.type).toBe('destinationUnreachable');
    if (m.type === 'destinationUnreachable') {
      expect(m.quoted.length).toBe(28);
      expect(quotedTcp(m.quoted)).toEqual({ ok: true, value: { src: '10.77.0.2', dst: '10.77.0.200', srcPort: 41000, dstPort: 5000, seq: 0xdeadbeef } });
    }
  });

  it('property: IPv6 text round-trips through its bytes in RFC 5952 form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(parseIpv6(formatIpv6(bytes))).toEqual(bytes);
      }),
    );
    expect(formatIpv6(parseIpv6('fd77:7463:0:1:0:0:0:82')!)).toBe('fd77:7463:0:1::82');
    expect(formatIpv6(parseIpv6('::ffff:10.77.0.130')!)).toBe('::ffff:10.77.0.130');
    expect(formatIpv6(parseIpv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'fd77::g', '::1.2.3', '10.77.0.1']) expect(parseIpv6(bad)).toBeNull();
  });

  it('property: an IPv6 TCP packet decodes to every field, with a valid checksum, and re-encodes byte-exactly', () => {
    fc.assert(
      fc.property(tcpSpec, address6, address6, fc.nat(255), u16, (spec, src, dst, tos, checksum) => {
        const bytes = tcpPacket({ ...spec, src, dst, tos });
        const decoded = decodeIpPacket(bytes);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok || decoded.value.transport.protocol !== 'tcp') return;
        expect(decoded.value.transport.checksumValid).toBe(true);
        expect(decoded.value.transport.segment).toMatchObject({ srcPort: spec.srcPort, dstPort: spec.dstPort, seq: spec.seq, options: spec.options, payload: spec.payload });
        expect(decoded.value.ip).toMatchObject({ version: 6, src, dst, hopLimit: spec.ttl, trafficClass: tos, protocol: 6 });
        new DataView(bytes.buffer).setUint16(40 + 16, checksum);
        const again = decodeIpPacket(bytes);
        expect(again.ok && encodeIpPacket(again.value)).toEqual(bytes);
      }),
    );
  });

  it('walks IPv6 extension headers to the TCP segment and keeps them byte-exact; a fragment stays raw', () => {
    const plain = tcpPacket({ src: 'fd77:7463:0:1::82', dst: 'fd77:7463::2', srcPort: 40000, dstPort: 8080, seq: 1, flags: ['SYN'] });
    const withExtensions = (extensions: Uint8Array, first: number): Uint8Array => {
      const bytes = new Uint8Array(plain.length + extensions.length);
      bytes.set(plain.subarray(0, 40));
      bytes.set(extensions, 40);
      bytes.set(plain.subarray(40), 40 + extensions.length);
      bytes[6] = first;
      new DataView(bytes.buffer).setUint16(4, plain.length - 40 + extensions.length);
      return bytes;
    };
    // Hop-by-hop (8 bytes, PadN) then destination options (16 bytes), then TCP.
    const hopByHop = [60, 0, 1, 4, 0, 0, 0, 0];
    const destination = [6, 1, 1, 12, ...new Array(12).fill(0)];
    const bytes = withExtensions(Uint8Array.from([...hopByHop, ...destination]), 0);
    const decoded = decodeIpPacket(bytes);
    expect(decoded.ok && decoded.value.transport.protocol).toBe('tcp');
    expect(decoded.ok && decoded.value.ip.version === 6 && decoded.value.ip.extensions.length).toBe(24);
    expect(decoded.ok && encodeIpPacket(decoded.value)).toEqual(bytes);
    const fragment = withExtensions(Uint8Array.from([6, 0, 0, 1, 0, 0, 0, 7]), 44);
    const f = decodeIpPacket(fragment);
    expect(f.ok && f.value.transport.protocol).toBe('other');
    expect(f.ok && encodeIpPacket(f.value)).toEqual(fragment);
    // An extension header that runs past the payload is an error at its offset, not a throw.
    expect(decodeIpPacket(withExtensions(Uint8Array.from([6, 9, 0, 0, 0, 0, 0, 0]), 60))).toMatchObject({ ok: false, error: { layer: 'ipv6', offset: 41 } });
  });

  it('ICMPv6 destination unreachable and packet too big quote the SYN, with valid checksums; echo round-trips', () => {
    const syn = tcpPacket({ src: 'fd77:7463::2', dst: 'fd77:7463:0:1::c8', srcPort: 41000, dstPort: 5000, seq: 0xdeadbeef, flags: ['SYN'], window: 64240, options: [{ kind: 'mss', value: 1440 }] });
    for (const bytes of [icmpUnreachable({ src: 'fd77:7463::1', dst: 'fd77:7463::2', code: 3, quoting: syn }), icmpPacketTooBig({ src: 'fd77:7463::1', dst: 'fd77:7463::2', mtu: 1280, quoting: syn })]) {
      const icmp = decodeIpPacket(bytes);
      expect(icmp.ok).toBe(true);
      if (!icmp.ok || icmp.value.transport.protocol !== 'icmpv6') throw new Error('not ICMPv6');
      expect(icmp.value.ip).toMatchObject({ version: 6, hopLimit: 255, protocol: 58 });
      expect(icmp.value.transport.checksumValid).toBe(true);
      const m = icmp.value.transport.message;
      if (m.type !== 'destinationUnreachable' && m.type !== 'packetTooBig') throw new Error(m.type);
      expect(m.quoted).toEqual(syn);
      expect(quotedTcp(m.quoted)).toEqual({ ok: true, value: { src: 'fd77:7463::2', dst: 'fd77:7463:0:1::c8', srcPort: 41000, dstPort: 5000, seq: 0xdeadbeef } });
      expect(encodeIpPacket(icmp.value)).toEqual(bytes);
    }
    const tooBig = decodeIpPacket(icmpPacketTooBig({ src: 'fd77:7463::1', dst: 'fd77:7463::2', mtu: 1280, quoting: syn }));
    expect(tooBig.ok && describePacket(tooBig.value)).toBe('fd77:7463::1 > fd77:7463::2 ICMP6 packet too big mtu 1280');
    // An echo request from ping6 (type 128), checksum included.
    const echo = Uint8Array.from(Buffer.from('6000000000103a40fd770000000000000000000000000001fd7700000000000000000000000000028000c3f5000100016162636465666768', 'hex'));
    const e = decodeIpPacket(echo);
    expect(e.ok && e.value.transport.protocol === 'icmpv6' && e.value.transport.message).toMatchObject({ type: 'echoRequest', id: 1, sequence: 1 });
    expect(e.ok && encodeIpPacket(e.value)).toEqual(echo);
  });
});
