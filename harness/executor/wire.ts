/** The executor's view of the raw link (RawLink is one): send a packet, hear every packet the tester receives. */
import type { Captured } from '../link/raw-link.ts';

export interface Wire {
  /** Resolves with the monotonic time (ms) the packet left. */
  send(bytes: Uint8Array): Promise<number>;
  /** Calls back for every captured packet; returns an unsubscribe. */
  subscribe(listener: (packet: Captured) => void): () => void;
}
