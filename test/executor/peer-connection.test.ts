/** The harness's side of one peer's connection: what it learns from the target, what it sends next. */
import { describe, expect, it } from 'vitest';
import type { SegmentFields } from '../../harness/diff/observation.ts';
import { PeerConnection } from '../../harness/executor/peer-connection.ts';
import { badAckOffset, clientIsn, remoteIsn } from '../../harness/model/harness-numbers.ts';

const synAck = (seq: number, tsval: number | null): SegmentFields => ({
  flags: ['SYN', 'ACK'],
  seq,
  ack: clientIsn(0) + 1,
  window: 65160,
  payloadLength: 0, ipEcn: 'notEct',
  options: { mss: 1460, sackPermitted: false, timestamps: tsval === null ? null : { tsval, tsecr: 7000 }, windowScale: null, fastOpen: null },
});

describe('a peer connection', () => {
  it('before the target sent a SYN: its ACK acknowledges nothing and carries no timestamps', () => {
    const ack = new PeerConnection().clientAck(0, false);
    expect(ack).toMatchObject({ flags: ['ACK'], seq: clientIsn(0) + 1, ack: 0, options: null });
  });

  it('after a SYN-ACK: the final ACK acknowledges its ISN + 1 and echoes its TSval; a bad ACK is offset from it', () => {
    const c = new PeerConnection();
    c.heard(synAck(0xffff_fff0, 4242), new Uint8Array(), 10_000);
    expect(c.clientAck(0, false)).toMatchObject({ ack: 0xffff_fff1, tsecr: 4242, options: { timestamps: true } });
    expect(c.clientAck(0, true).ack).toBe((0xffff_fff1 + badAckOffset) >>> 0);
  });

  it('a later SYN-ACK (a new request, a cookie) moves the ack; a later TSval moves the echo', () => {
    const c = new PeerConnection();
    c.heard(synAck(100, 1), new Uint8Array(), 10_000);
    c.heard(synAck(900, 2), new Uint8Array(), 10_000);
    c.heard({ ...synAck(900, 3), flags: ['ACK'] }, new Uint8Array(), 10_000);
    expect(c.clientAck(0, false)).toMatchObject({ ack: 901, tsecr: 3 });
  });

  it("a remote answers the target's SYN at the port it came from, acknowledging it or not", () => {
    const c = new PeerConnection();
    const syn = new Uint8Array([1, 2, 3]);
    c.heard({ ...synAck(5000, null), flags: ['SYN'] }, syn, 43_210);
    expect(c.targetPort).toBe(43_210);
    expect(c.synPacket).toBe(syn);
    expect(c.remoteAnswer(1, { kind: 'synAck', options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 1000, ackValid: true })).toMatchObject({ flags: ['SYN', 'ACK'], seq: remoteIsn(1), ack: 5001 });
    expect(c.remoteAnswer(1, { kind: 'rst', acceptable: false })).toMatchObject({ flags: ['RST', 'ACK'], ack: (5001 + badAckOffset) >>> 0 });
  });
});
