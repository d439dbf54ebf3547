/**
 * Frames between the harness and its relay and capture in the tester namespace, over their stdio.
 * Each frame: u32 payload length, u8 kind, f64 monotonic milliseconds, payload (little-endian).
 */
export const FRAME_HEADER = 13;

export const enum FrameKind {
  /** harness -> relay: send this IP packet. */
  Send = 0,
  /** relay -> harness: a packet was sent (payload empty), in request order. */
  Sent = 1,
  /** capture -> harness: an IP packet arrived. */
  Received = 2,
  /** relay or capture -> harness: its sockets are open. */
  Ready = 3,
  /** relay -> harness: a send failed; payload is the message. */
  Error = 4,
}

export interface Frame {
  readonly kind: FrameKind;
  readonly at: number;
  readonly payload: Uint8Array;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER + frame.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, frame.payload.length, true);
  view.setUint8(4, frame.kind);
  view.setFloat64(5, frame.at, true);
  bytes.set(frame.payload, FRAME_HEADER);
  return bytes;
}

/** Reassembles frames from a byte stream cut anywhere. */
export class FrameReader {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const frames: Frame[] = [];
    let offset = 0;
    while (joined.length - offset >= FRAME_HEADER) {
      const view = new DataView(joined.buffer, offset);
      const length = view.getUint32(0, true);
      if (joined.length - offset < FRAME_HEADER + length) break;
      frames.push({ kind: view.getUint8(4) as FrameKind, at: view.getFloat64(5, true), payload: joined.slice(offset + FRAME_HEADER, offset + FRAME_HEADER + length) });
      offset += FRAME_HEADER + length;
    }
    this.buffer = joined.slice(offset);
    return frames;
  }
}

export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
