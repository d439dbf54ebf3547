/** A kernel under test, as the harness reaches it: an agent for its socket API and a raw link to its wire. */
import type { AgentClient } from '../agent/client.ts';
import type { Addressing } from '../executor/peers.ts';
import type { RawLink } from '../link/raw-link.ts';

export interface Target {
  /** As given on the command line. */
  readonly spec: string;
  /** The target kernel's release (uname -r). */
  readonly kernel: string;
  readonly agent: AgentClient;
  readonly link: RawLink;
  /** The target's address, the tester's (which also plays the router for ICMP), and where peers live. */
  readonly addresses: { readonly target: string; readonly tester: string; readonly peers: Addressing };
  /** MTU of the target's interface toward the tester: its advertised MSS follows from it. */
  readonly mtu: number;
  /** Its interface toward the tester is the project's (a lab's veth, a VM's NIC): a case may change its MTU. */
  readonly ownsLink: boolean;
  /** For a VM: milliseconds from starting it to its agent's ready line. */
  readonly bootMs?: number;
  close(): Promise<void>;
}

/** A Target from parts already open: closing ends the agent and the link, then releases the rest. */
export function targetOf(parts: Omit<Target, 'close'>, release: () => Promise<void> | void): Target {
  return {
    ...parts,
    async close() {
      await Promise.allSettled([parts.agent.shutdown(), parts.link.close()]);
      await release();
    },
  };
}

/** Opening failed half-way: end what was started, release the rest, and fail with the cause. */
export async function abandon(started: { agent?: AgentClient | null; link?: RawLink | null; other?: Array<Promise<unknown> | undefined> }, release: () => Promise<void> | void, error: unknown): Promise<never> {
  await Promise.allSettled([started.agent?.shutdown(), started.link?.close(), ...(started.other ?? [])]);
  await release();
  throw error;
}
