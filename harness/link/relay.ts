/**
 * The raw link's far end, run inside the tester namespace: sends what the harness frames on
 * stdin through an IP_HDRINCL raw socket carrying the lab's mark, and frames every TCP and
 * ICMP packet the namespace receives onto stdout with its receive time.
 */
import raw from 'raw-socket';
import { RAW_MARK } from '../lab/addresses.ts';
import { encodeFrame, FrameKind, FrameReader, monotonicMs } from './framing.ts';

const SOL_SOCKET = 1;
const SO_MARK = 36;
const IPPROTO_RAW = 255;

const out = (kind: FrameKind, payload: Uint8Array = new Uint8Array(0), at = monotonicMs()): void => {
  process.stdout.write(encodeFrame({ kind, at, payload }));
};

// IPPROTO_RAW implies IP_HDRINCL: the harness writes whole IPv4 packets.
const sender = raw.createSocket({ protocol: IPPROTO_RAW });
sender.setOption(SOL_SOCKET, SO_MARK, RAW_MARK);
// Held for the process's life: a socket nothing references is garbage-collected, and with it
// the native poll that delivers its packets (receiving stopped after ~100 packets without this).
const receivers = [raw.createSocket({ protocol: raw.Protocol.TCP }), raw.createSocket({ protocol: raw.Protocol.ICMP })];
for (const receiver of receivers) {
  receiver.on('message', (buffer: Buffer) => out(FrameKind.Received, new Uint8Array(buffer), monotonicMs()));
  receiver.on('error', (error: Error) => out(FrameKind.Error, new TextEncoder().encode(String(error))));
}

const reader = new FrameReader();
const queue: Uint8Array[] = [];
let sending = false;

function sendNext(): void {
  const packet = queue.shift();
  if (packet === undefined) {
    sending = false;
    return;
  }
  sending = true;
  const dst = `${packet[16]}.${packet[17]}.${packet[18]}.${packet[19]}`;
  let at = 0;
  sender.send(
    Buffer.from(packet),
    0,
    packet.length,
    dst,
    () => {
      at = monotonicMs();
    },
    (error: Error | null) => {
      if (error) out(FrameKind.Error, new TextEncoder().encode(String(error)));
      else out(FrameKind.Sent, new Uint8Array(0), at || monotonicMs());
      sendNext();
    },
  );
}

process.stdin.on('data', (chunk: Buffer) => {
  for (const frame of reader.push(new Uint8Array(chunk))) if (frame.kind === FrameKind.Send) queue.push(frame.payload);
  if (!sending) sendNext();
});
// The harness is gone: so are we. (Closing the receivers here also keeps them referenced.)
process.stdin.on('end', () => {
  for (const receiver of receivers) receiver.close();
  process.exit(0);
});
out(FrameKind.Ready);
