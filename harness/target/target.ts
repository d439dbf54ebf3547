/** A kernel under test, as the harness reaches it: an agent for its socket API and a raw link to its wire. */
import type { AgentClient } from '../agent/client.ts';
import type { RawLink } from '../link/raw-link.ts';

export interface Target {
  /** As given on the command line. */
  readonly spec: string;
  /** The target kernel's release (uname -r). */
  readonly kernel: string;
  readonly agent: AgentClient;
  readonly link: RawLink;
  readonly addresses: { readonly target: string; readonly tester: string };
  /** MTU of the target's interface toward the tester: its advertised MSS follows from it. */
  readonly mtu: number;
  /** For a VM: milliseconds from starting it to its agent's ready line. */
  readonly bootMs?: number;
  close(): Promise<void>;
}
