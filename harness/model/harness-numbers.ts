/**
 * Every number the harness puts on the wire of its own choosing, in one place: the executor
 * crafts segments with them, the model predicts the answers from them, the packetdrill scripts
 * restate them.
 */
import type { ClientId, ConnId, Peer } from './actions.ts';

/** The numbers the harness puts in crafted segments, fixed per peer so a scenario replays exactly. */
export const clientIsn = (client: ClientId): number => (0x1000_0000 + client * 0x0101_0000) >>> 0;
export const remoteIsn = (conn: ConnId): number => (0x5000_0000 + conn * 0x0101_0000) >>> 0;
/** TSval the harness's peers send: constant per peer (PAWS only rejects values that go back). */
export const peerTsval = (peer: Peer): number =>
  peer.kind === 'client' ? 7000 + peer.client : peer.kind === 'remote' ? 9000 + peer.conn : 11000 + peer.probe;
/** The ack a bare ACK to a closed port carries (its RST must echo it as seq). */
export const closedPortAck = (client: ClientId): number => (0x2000_0000 + client * 0x0101_0000) >>> 0;
/** The ack of a badAck: never the target's ISN + 1, whatever it chose (offset from it). */
export const badAckOffset = 0x4000_0000;
/** The data a SYN carries, when it carries some: printable, so a capture shows it as such. */
export const synData = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => 0x61 + (i % 26));
/** The Fast Open cookie a client sends when it holds none, or sends a wrong one: no key the target has makes it (a 2^-64 chance). */
export const BAD_FAST_OPEN_COOKIE: Uint8Array = new TextEncoder().encode('tcpcbad!');
/** How much of the data a SYN carried a remote's SYN-ACK acknowledges. */
export const dataAckedBy = (dataAcked: 'all' | 'half' | undefined, data: number): number => (dataAcked === 'all' ? data : dataAcked === 'half' ? Math.floor(data / 2) : 0);
/** The Fast Open cookie a remote peer gives the target's connect() (RFC 7413: opaque to the client, 4-16 bytes). */
export const REMOTE_FAST_OPEN_COOKIE: Uint8Array = new TextEncoder().encode('tcpcgood');
/** The ack of the barrier's probe number n: what its RST must carry as seq. */
export const probeAck = (probe: number): number => (0x6000_0000 + probe) >>> 0;
/** The ack of the probe that tells a booting VM's link is up (a range no case's probe uses). */
export const readinessProbeAck = (probe: number): number => (0x7000_0000 + probe) >>> 0;
/** The window of every bare ACK the harness sends (final ACKs, probes, ACKs to a closed port). */
export const ACK_WINDOW = 502;
/** The window of a SYN to a closed port (its options are none: only the RST matters). */
export const CLOSED_PORT_SYN_WINDOW = 64240;
