/**
 * Issue 2's end-to-end checks on the real kernel: crafted segments into a fresh lab, what comes
 * back, and the agent's socket calls. Needs root (fails, never skips, without it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLabTarget } from '../../harness/target/lab-target.ts';
import type { Target } from '../../harness/target/target.ts';
import type { Captured } from '../../harness/link/raw-link.ts';
import { decodeIpPacket, decodePcap, icmpUnreachable, tcpPacket, type TcpSegment } from '../../harness/packet/index.ts';
import { requireRoot } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const dir = tempDir('tcpc-wire-');
const pcapPath = join(dir, 'run.pcap');
let target: Target;
let port = 7000;

const tcp = (p: Captured): { src: string; dst: string; s: TcpSegment } | null => {
  const d = decodeIpPacket(p.bytes);
  return d.ok && d.value.transport.protocol === 'tcp' ? { src: d.value.ip.src, dst: d.value.ip.dst, s: d.value.transport.segment } : null;
};
const from = (dstPort: number) => (p: Captured) => tcp(p)?.s.dstPort === dstPort;
const fullOptions = [{ kind: 'mss', value: 1400 }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsval: 4242, tsecr: 0 }, { kind: 'nop' }, { kind: 'windowScale', shift: 7 }] as const;

beforeAll(async () => {
  requireRoot();
  target = await openLabTarget({ kind: 'fresh' }, 'local', { pcapPath });
});
afterAll(async () => {
  await target?.close();
});

describe('crafted segments into a lab on the host kernel', () => {
  it('SYN with MSS/SACK/TS/WS to a listener: SYN-ACK acks ISN+1 with the negotiated options; the final ACK makes accept() return that peer', async () => {
    const listenPort = port++;
    const { fd } = await target.agent.listen({ port: listenPort, backlog: 1 });
    const synAck = target.link.waitFor(from(41000), 1000);
    await target.link.send(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 41000, dstPort: listenPort, seq: 5000, flags: ['SYN'], window: 64240, options: [...fullOptions] }));
    const reply = tcp((await synAck)!)!.s;
    expect(reply.flags).toEqual(['SYN', 'ACK']);
    expect(reply.ack).toBe(5001);
    expect(reply.options.filter((o) => o.kind !== 'nop')).toEqual([
      { kind: 'mss', value: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', tsval: expect.any(Number), tsecr: 4242 },
      { kind: 'windowScale', shift: expect.any(Number) },
    ]);
    const ts = reply.options.find((o) => o.kind === 'timestamps');
    await target.link.send(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 41000, dstPort: listenPort, seq: 5001, ack: reply.seq + 1, flags: ['ACK'], window: 502, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamps', tsval: 4243, tsecr: ts?.kind === 'timestamps' ? ts.tsval : 0 }] }));
    const { accepted } = await target.agent.accept({ fd, max: 1, timeout_ms: 1000 });
    expect(accepted.map((a) => a.peer)).toEqual(['10.77.0.130:41000']);
  });

  it('SYN to a closed port: RST+ACK with ack = ISN+1; a bare ACK: RST with seq = its ack', async () => {
    const rstAck = target.link.waitFor(from(41001), 1000);
    await target.link.send(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 41001, dstPort: 9, seq: 777, flags: ['SYN'], window: 64240 }));
    expect(tcp((await rstAck)!)!.s).toMatchObject({ flags: ['RST', 'ACK'], seq: 0, ack: 778 });
    const rst = target.link.waitFor(from(41002), 1000);
    await target.link.send(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 41002, dstPort: 9, seq: 1, ack: 0xabcdef, flags: ['ACK'], window: 502 }));
    expect(tcp((await rst)!)!.s).toMatchObject({ flags: ['RST'], seq: 0xabcdef });
  });

  it("the tester kernel's own RST for a SYN-ACK it never asked for does not reach the target: the request stays in SYN-RECV", async () => {
    const listenPort = port++;
    await target.agent.listen({ port: listenPort, backlog: 4 });
    const before = await target.agent.counters();
    await target.link.send(tcpPacket({ src: '10.77.0.131', dst: '10.77.0.2', srcPort: 41003, dstPort: listenPort, seq: 1, flags: ['SYN'], window: 64240 }));
    await new Promise((r) => setTimeout(r, 200));
    expect((await target.agent.sockets(listenPort)).map((s) => s.state)).toContain('SYN-RECV');
    expect((await target.agent.counters())['TcpExt.EmbryonicRsts']).toBe(before['TcpExt.EmbryonicRsts']);
  });

  it('connect() to an address that never answers, TCP_SYNCNT 1: ETIMEDOUT, every SYN captured (6.18: 0, 1, 2 s with linear timeouts; older: 0, 1 s)', async () => {
    const syns: number[] = [];
    const off = target.link.subscribe((p) => {
      const t = tcp(p);
      if (t && t.dst === '10.77.0.201' && t.s.flags.join() === 'SYN') syns.push(p.at);
    });
    const linear = 'net.ipv4.tcp_syn_linear_timeouts' in (await target.agent.sysctlGet(['net.ipv4.tcp_syn_linear_timeouts']));
    const result = await target.agent.connect({ addr: '10.77.0.201', port: 5000, syncnt: 1, timeout_ms: 10_000 });
    off();
    expect(result.errno).toBe('ETIMEDOUT');
    const gaps = syns.slice(1).map((t, i) => t - syns[i]!);
    expect(syns).toHaveLength(linear ? 3 : 2);
    for (const gap of gaps) expect(gap).toBeGreaterThan(950), expect(gap).toBeLessThan(1200);
    expect(result.elapsed_ms).toBeGreaterThan(2950);
  });

  it('connect() answered with a crafted RST+ACK: ECONNREFUSED', async () => {
    const syn = target.link.waitFor((p) => tcp(p)?.dst === '10.77.0.202', 1000);
    const pending = target.agent.connect({ addr: '10.77.0.202', port: 5001, syncnt: 1, timeout_ms: 5000 });
    const s = tcp((await syn)!)!;
    await target.link.send(tcpPacket({ src: '10.77.0.202', dst: '10.77.0.2', srcPort: 5001, dstPort: s.s.srcPort, seq: 0, ack: s.s.seq + 1, flags: ['RST', 'ACK'], window: 0 }));
    expect((await pending).errno).toBe('ECONNREFUSED');
  });

  it('connect() answered with ICMP host unreachable: Linux aborts at once with EHOSTUNREACH (the article says BSD retries until the timer expires)', async () => {
    const syn = target.link.waitFor((p) => tcp(p)?.dst === '10.77.0.203', 1000);
    const pending = target.agent.connect({ addr: '10.77.0.203', port: 5002, syncnt: 3, timeout_ms: 20_000 });
    const captured = await syn;
    await target.link.send(icmpUnreachable({ src: '10.77.0.1', dst: '10.77.0.2', code: 1, quoting: captured!.bytes }));
    const result = await pending;
    expect(result.errno).toBe('EHOSTUNREACH');
    expect(result.elapsed_ms).toBeLessThan(500);
  });

  it("the run's pcap holds every packet in and out, with valid checksums, and tshark reads it", () => {
    const file = decodePcap(readFileSync(pcapPath));
    expect(file.ok).toBe(true);
    const packets = file.ok ? file.value.records.map((r) => decodeIpPacket(r.bytes)) : [];
    expect(packets.length).toBeGreaterThan(10);
    for (const p of packets) expect(p.ok && p.value.transport.protocol !== 'other' && p.value.transport.checksumValid).toBe(true);
    // frame.number: a line for every packet, an IPv6 one (neighbour discovery) without an ip.src too.
    const out = execFileSync('tshark', ['-r', pcapPath, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n').length).toBe(packets.length);
    expect(out).not.toMatch(/checksum.*incorrect|Malformed/i);
  });
});
