/** A kernel under test, as the harness reaches it: an agent for its socket API and a raw link to its wire. */
import type { AgentClient } from '../agent/client.ts';
import type { Addressing } from '../executor/peers.ts';
import { LAB_NETS } from '../lab/addresses.ts';
import type { RawLink } from '../link/raw-link.ts';
import type { IpFamily } from '../packet/address.ts';
import type { Stack } from '../model/profiles.ts';
import type { SocketFeature } from '../agent/protocol.ts';

/** The target's address in one IP version, the tester's (which also plays the router for ICMP), and where peers live. */
export interface FamilyAddresses {
  readonly target: string;
  readonly tester: string;
  readonly peers: Addressing;
}

/** Per IP version; a version the target does not carry is absent. */
export type TargetAddresses = Readonly<Partial<Record<IpFamily, FamilyAddresses>>>;

/** Every lab target (namespaces, VMs) carries both versions, at the lab's addresses. */
export const LAB_ADDRESSES: TargetAddresses = {
  4: { target: LAB_NETS[4].target, tester: LAB_NETS[4].tester, peers: { kind: 'lab', net: LAB_NETS[4] } },
  6: { target: LAB_NETS[6].target, tester: LAB_NETS[6].tester, peers: { kind: 'lab', net: LAB_NETS[6] } },
};

export interface Target {
  /** As given on the command line. */
  readonly spec: string;
  /** The target kernel's release (uname -r), or what the stack is. */
  readonly kernel: string;
  /** Whose TCP answers: Linux (its profile follows from the release) or another stack. */
  readonly stack: Stack;
  /** Socket features its stack lacks (the agent says which): scenarios that need one are not applicable. */
  readonly lacks: ReadonlySet<SocketFeature>;
  readonly agent: AgentClient;
  readonly link: RawLink;
  readonly addresses: TargetAddresses;
  /** MTU of the target's interface toward the tester: its advertised MSS follows from it. */
  readonly mtu: number;
  /** Its interface toward the tester is the project's (a lab's veth, a VM's NIC): a case may change its MTU. */
  readonly ownsLink: boolean;
  /**
   * How many targets of this spec may run side by side: fresh labs six (a run waits on timers,
   * its CPU mostly idle), VMs and gVisor sandboxes four (software emulation and ptrace keep the
   * cores busy, and late answers would be their doing), a given namespace or host one.
   */
  readonly sideBySide: number;
  /**
   * How long a step waits after its barrier's RST. A kernel answers in order, so none; gVisor's
   * netstack answers from concurrent goroutines, and a closed port's RST may overtake a listener's
   * SYN-ACK (seen: a final ACK sent before the SYN-ACK it acknowledges had arrived).
   */
  readonly barrierSettleMs: number;
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
