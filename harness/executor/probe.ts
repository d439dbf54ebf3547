/**
 * The barrier's probe: a bare ACK to the closed port. Its answer, an RST whose seq is the
 * probe's ack (RFC 9293 §3.10.7.1), proves the target has processed everything sent before it.
 * Also how a freshly booted VM is known to be reachable, and what the benchmark times.
 */
import type { Captured } from '../link/raw-link.ts';
import { decodeIpPacket, tcpPacket } from '../packet/index.ts';
import { ACK_WINDOW } from '../model/harness-numbers.ts';
import { CLOSED_PORT, type Endpoint } from './peers.ts';

export function probePacket(from: Endpoint, target: string, ack: number): Uint8Array {
  return tcpPacket({ src: from.addr, dst: target, srcPort: from.port, dstPort: CLOSED_PORT, seq: 1, ack, flags: ['ACK'], window: ACK_WINDOW });
}

export function answersProbe(segment: { readonly flags: readonly string[]; readonly seq: number }, ack: number): boolean {
  return segment.flags.includes('RST') && segment.seq === ack;
}

/** A RawLink.waitFor predicate: this captured packet answers the probe with that ack. */
export function probeAnswer(ack: number): (packet: Captured) => boolean {
  return (packet) => {
    const d = decodeIpPacket(packet.bytes);
    return d.ok && d.value.transport.protocol === 'tcp' && answersProbe(d.value.transport.segment, ack);
  };
}
