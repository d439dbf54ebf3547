/**
 * The raw link's sending end, run inside the tester namespace: sends what the harness frames on
 * stdin through header-including raw sockets (IPv4 and IPv6) carrying the lab's mark. What the
 * namespace receives comes from the capture (capture.c), a process of its own.
 */
import raw from 'raw-socket';
import { RAW_MARK } from '../lab/addresses.ts';
import { formatIpv6 } from '../packet/address.ts';
import { encodeFrame, FrameKind, FrameReader, monotonicMs } from './framing.ts';

const SOL_SOCKET = 1;
const SO_MARK = 36;
const IPPROTO_RAW = 255;

const out = (kind: FrameKind, payload: Uint8Array = new Uint8Array(0), at = monotonicMs()): void => {
  process.stdout.write(encodeFrame({ kind, at, payload }));
};
const fail = (message: string): void => out(FrameKind.Error, new TextEncoder().encode(message));

// IPPROTO_RAW implies IP_HDRINCL (and, for IPv6, IPV6_HDRINCL): the harness writes whole packets.
const senders = {
  4: raw.createSocket({ protocol: IPPROTO_RAW }),
  6: raw.createSocket({ protocol: IPPROTO_RAW, addressFamily: raw.AddressFamily.IPv6 }),
};
for (const sender of Object.values(senders)) sender.setOption(SOL_SOCKET, SO_MARK, RAW_MARK);

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
  const v6 = packet[0]! >> 4 === 6;
  const dst = v6 ? formatIpv6(packet, 24) : `${packet[16]}.${packet[17]}.${packet[18]}.${packet[19]}`;
  let at = 0;
  senders[v6 ? 6 : 4].send(
    Buffer.from(packet),
    0,
    packet.length,
    dst,
    () => {
      at = monotonicMs();
    },
    (error: Error | null) => {
      if (error) fail(String(error));
      else out(FrameKind.Sent, new Uint8Array(0), at || monotonicMs());
      sendNext();
    },
  );
}

process.stdin.on('data', (chunk: Buffer) => {
  for (const frame of reader.push(new Uint8Array(chunk))) if (frame.kind === FrameKind.Send) queue.push(frame.payload);
  if (!sending) sendNext();
});
// The harness is gone: so are we.
process.stdin.on('end', () => {
  for (const sender of Object.values(senders)) sender.close();
  process.exit(0);
});
out(FrameKind.Ready);
