/**
 * Checksums and fields against packets the real kernel made: a handshake and a RST on the
 * loopback of a throwaway namespace, captured by tcpdump, read back with our pcap reader.
 * Then the other way round: tshark and tcpdump read a pcap we wrote, without a warning.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIpPacket, decodePcap, encodePcap, icmpUnreachable, LINKTYPE_RAW, tcpPacket, type IpPacket } from '../../harness/packet/index.ts';
import { requireRoot, sh } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const ns = `tcpc-pkttest-${process.pid}`;
const peerNs = `${ns}-b`;
const dir = tempDir('tcpc-pkt-');

describe('packets the kernel made', () => {
  let packets: IpPacket[] = [];

  beforeAll(async () => {
    requireRoot();
    // Two namespaces over a veth pair with checksum offload off: loopback and offloading
    // devices leave checksums unfinished in captures, and we want the kernel's real ones.
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['netns', 'add', peerNs]);
    sh('ip', ['-n', ns, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb', 'netns', peerNs]);
    for (const [n, dev, addr, addr6] of [[ns, 'pa', '10.77.9.1/24', 'fd77:7463:9::1/64'], [peerNs, 'pb', '10.77.9.2/24', 'fd77:7463:9::2/64']] as const) {
      sh('ip', ['-n', n, 'addr', 'add', addr, 'dev', dev]);
      sh('ip', ['-n', n, 'addr', 'add', addr6, 'dev', dev, 'nodad']);
      sh('ip', ['-n', n, 'link', 'set', dev, 'up']);
      sh('ip', ['netns', 'exec', n, 'ethtool', '-K', dev, 'tx', 'off']);
    }
    const pcap = join(dir, 'kernel.pcap');
    const dump = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'pa', '--immediate-mode', '-U', '-w', pcap, 'tcp or icmp6'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => dump.stderr.once('data', () => resolve()));
    const listener = spawn('ip', ['netns', 'exec', peerNs, 'python3', '-c', 'import socket,time\ns=socket.socket();s.bind(("10.77.9.2",8080));s.listen(1)\nt=socket.socket(socket.AF_INET6);t.bind(("fd77:7463:9::2",8080));t.listen(1);print("up",flush=True);time.sleep(5)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => listener.stdout.once('data', () => resolve()));
    // Both families: a handshake and a RST from a closed port each; then a UDP datagram to a closed
    // port, whose ICMPv6 port unreachable (with its quoted packet) the kernel makes too.
    const script = 'import socket\nfor a in ("10.77.9.2","fd77:7463:9::2"):\n  c=socket.create_connection((a,8080))\n  try:\n    socket.create_connection((a,8081))\n  except OSError: pass\nsocket.socket(socket.AF_INET6,socket.SOCK_DGRAM).sendto(b"x",("fd77:7463:9::2",9))\n';
    sh('ip', ['netns', 'exec', ns, 'python3', '-c', script]);
    listener.kill();
    await new Promise((r) => setTimeout(r, 300));
    dump.kill('SIGINT');
    await new Promise((resolve) => dump.once('exit', resolve));
    const file = decodePcap(readFileSync(pcap));
    if (!file.ok) throw new Error(`our reader rejected tcpdump's file: ${file.error.reason}`);
    expect(file.value.linkType).toBe(1); // Ethernet on veth
    packets = file.value.records.map((r) => decodeIpPacket(r.bytes.subarray(14))).flatMap((r) => (r.ok ? [r.value] : []));
  });

  afterAll(() => {
    for (const n of [ns, peerNs]) {
      try {
        sh('ip', ['netns', 'del', n]);
      } catch {
        // never created
      }
    }
  });

  it('every TCP, ICMPv6 and IP checksum the kernel computed validates, in both families', () => {
    const tcp = packets.filter((p) => p.transport.protocol === 'tcp');
    expect(tcp.filter((p) => p.ip.version === 4).length).toBeGreaterThanOrEqual(4);
    expect(tcp.filter((p) => p.ip.version === 6).length).toBeGreaterThanOrEqual(4);
    for (const p of packets) {
      expect(p.headerChecksumValid).toBe(true);
      expect((p.transport.protocol === 'tcp' || p.transport.protocol === 'icmpv6') && p.transport.checksumValid).toBe(true);
    }
  });

  it("the kernel's ICMPv6 port unreachable quotes the datagram, and its SYN-ACK over IPv6 carries MSS 1440 (MTU less 60)", () => {
    const unreachable = packets.flatMap((p) => (p.transport.protocol === 'icmpv6' && p.transport.message.type === 'destinationUnreachable' ? [p.transport.message] : []));
    expect(unreachable.map((m) => m.code)).toContain(4);
    const quoted = decodeIpPacket(unreachable[0]!.quoted);
    expect(quoted.ok && quoted.value.ip).toMatchObject({ version: 6, src: 'fd77:7463:9::1', dst: 'fd77:7463:9::2', protocol: 17 });
    const synAck6 = packets.find((p) => p.ip.version === 6 && p.transport.protocol === 'tcp' && p.transport.segment.flags.includes('SYN') && p.transport.segment.flags.includes('ACK'));
    expect(synAck6?.transport.protocol === 'tcp' && synAck6.transport.segment.options.find((o) => o.kind === 'mss')).toEqual({ kind: 'mss', value: 1440 });
  });

  it('the SYN-ACK acknowledges ISN+1 and carries the options Linux negotiates on a 1500-byte link (MSS 1460)', () => {
    const tcp = packets.flatMap((p) => (p.transport.protocol === 'tcp' && p.ip.version === 4 ? [p.transport.segment] : []));
    const syn = tcp.find((s) => s.flags.join() === 'SYN' && s.dstPort === 8080)!;
    const synAck = tcp.find((s) => s.flags.includes('SYN') && s.flags.includes('ACK') && s.srcPort === 8080)!;
    expect(synAck.ack).toBe((syn.seq + 1) >>> 0);
    expect(synAck.options.find((o) => o.kind === 'mss')).toEqual({ kind: 'mss', value: 1460 });
    expect(synAck.options.map((o) => o.kind)).toEqual(expect.arrayContaining(['sackPermitted', 'timestamps', 'windowScale']));
    const rst = tcp.find((s) => s.flags.includes('RST') && s.srcPort === 8081)!;
    const closedSyn = tcp.find((s) => s.flags.join() === 'SYN' && s.dstPort === 8081)!;
    expect(rst.flags).toEqual(['RST', 'ACK']);
    expect(rst.ack).toBe((closedSyn.seq + 1) >>> 0);
  });
});

describe('pcap files we write', () => {
  const file = join(dir, 'ours.pcap');
  beforeAll(() => {
    const syn = tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 40000, dstPort: 8080, seq: 1000, flags: ['SYN'], window: 64240, options: [{ kind: 'mss', value: 1460 }] });
    const rst = tcpPacket({ src: '10.77.0.2', dst: '10.77.0.130', srcPort: 8080, dstPort: 40000, seq: 0, ack: 1001, flags: ['RST', 'ACK'], window: 0 });
    const syn6 = tcpPacket({ src: 'fd77:7463:0:1::82', dst: 'fd77:7463::2', srcPort: 40000, dstPort: 8080, seq: 1000, flags: ['SYN'], window: 64240, options: [{ kind: 'mss', value: 1440 }] });
    const unreachable6 = icmpUnreachable({ src: 'fd77:7463::1', dst: 'fd77:7463::2', code: 4, quoting: syn6 });
    writeFileSync(file, encodePcap([syn, rst, syn6, unreachable6].map((bytes, i) => ({ timestampMs: 1_700_000_000_000.5 + i * 0.75, bytes }))));
  });

  it('round-trip through our reader', () => {
    const read = decodePcap(readFileSync(file));
    expect(read.ok && read.value.linkType).toBe(LINKTYPE_RAW);
    expect(read.ok && read.value.records.map((r) => r.timestampMs)).toEqual([1_700_000_000_000.5, 1_700_000_000_001.25, 1_700_000_000_002, 1_700_000_000_002.75]);
  });

  it('tshark reads them without a warning', () => {
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'ip.version', '-e', 'tcp.checksum.status', '-e', 'icmpv6.checksum.status', '-o', 'tcp.check_checksum:TRUE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toHaveLength(4);
    expect(out).not.toMatch(/Bad|warn/i);
    // Checksums tshark verified: status 1 is "Good" (TCP over both families; the ICMPv6 error and the SYN it quotes).
    expect(out.trim().split('\n').map((l) => l.split('\t').filter(Boolean))).toEqual([['4', '1'], ['4', '1'], ['6', '1'], ['6,6', '1', '1']]);
  });

  it('tcpdump reads them without a warning', () => {
    const result = execFileSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result).toContain('10.77.0.130.40000 > 10.77.0.2.8080: Flags [S], seq 1000');
    expect(result).toContain('fd77:7463:0:1::82.40000 > fd77:7463::2.8080: Flags [S], seq 1000');
    expect(result).toContain('fd77:7463::1 > fd77:7463::2: ICMP6, destination unreachable, unreachable port');
    const stderr = execFileSync('sh', ['-c', `tcpdump -nn -r ${file} 2>&1 >/dev/null`], { encoding: 'utf8' });
    expect(stderr.trim()).toBe('reading from file ' + file + ', link-type RAW (Raw IP), snapshot length 65535');
  });
});
