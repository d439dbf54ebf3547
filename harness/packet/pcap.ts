/**
 * Classic pcap files (the libpcap format tcpdump and tshark read) with raw IPv4 records
 * (LINKTYPE_RAW, 101) and microsecond timestamps.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fail, ok, type DecodeResult } from './decode-result.ts';

export const LINKTYPE_RAW = 101;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const SNAPLEN = 65535;

export interface PcapRecord {
  /** Wall-clock time, milliseconds since the epoch (fractional). */
  readonly timestampMs: number;
  readonly bytes: Uint8Array;
}

export function pcapHeader(): Uint8Array {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, MAGIC_US, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, SNAPLEN, true);
  view.setUint32(20, LINKTYPE_RAW, true);
  return header;
}

export function pcapRecord(record: PcapRecord): Uint8Array {
  const bytes = new Uint8Array(16 + record.bytes.length);
  const view = new DataView(bytes.buffer);
  const micros = Math.round(record.timestampMs * 1000);
  view.setUint32(0, Math.floor(micros / 1e6), true);
  view.setUint32(4, micros % 1e6, true);
  view.setUint32(8, record.bytes.length, true);
  view.setUint32(12, record.bytes.length, true);
  bytes.set(record.bytes, 16);
  return bytes;
}

export function encodePcap(records: readonly PcapRecord[]): Uint8Array {
  const parts = [pcapHeader(), ...records.map(pcapRecord)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Appends records as they come, each with a synchronous write: an interrupted run leaves a valid file. */
export class PcapWriter {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, pcapHeader());
  }

  append(record: PcapRecord): void {
    if (this.fd !== null) writeSync(this.fd, pcapRecord(record));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export interface PcapFile {
  readonly linkType: number;
  readonly records: PcapRecord[];
}

export function decodePcap(bytes: Uint8Array): DecodeResult<PcapFile> {
  if (bytes.length < 24) return fail('pcap', 0, `${bytes.length} bytes is shorter than the 24-byte pcap header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = view.getUint32(0, true);
  const magicBE = view.getUint32(0, false);
  const little = magicLE === MAGIC_US || magicLE === MAGIC_NS;
  if (!little && magicBE !== MAGIC_US && magicBE !== MAGIC_NS) return fail('pcap', 0, `magic 0x${magicLE.toString(16)} is not a pcap file`);
  const nanos = (little ? magicLE : magicBE) === MAGIC_NS;
  const linkType = view.getUint32(20, little);
  const records: PcapRecord[] = [];
  let offset = 24;
  while (offset < bytes.length) {
    if (offset + 16 > bytes.length) return fail('pcap', offset, 'truncated record header');
    const seconds = view.getUint32(offset, little);
    const fraction = view.getUint32(offset + 4, little);
    const captured = view.getUint32(offset + 8, little);
    if (offset + 16 + captured > bytes.length) return fail('pcap', offset + 8, `record of ${captured} bytes runs past the end of the file`);
    records.push({ timestampMs: seconds * 1000 + fraction / (nanos ? 1e6 : 1e3), bytes: bytes.slice(offset + 16, offset + 16 + captured) });
    offset += 16 + captured;
  }
  return ok({ linkType, records });
}
