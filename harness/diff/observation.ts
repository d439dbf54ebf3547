import type { CallResult, CounterName, TcpFlagName } from '../model/expectations.ts';
import type { IpEcn, Millis, Peer } from '../model/actions.ts';

/** A segment's fields as seen on the wire, in the same vocabulary as ExpectedSegment. */
export interface SegmentFields {
  readonly flags: readonly TcpFlagName[];
  readonly seq: number;
  readonly ack: number;
  readonly window: number;
  readonly options: {
    readonly mss: number | null;
    readonly sackPermitted: boolean;
    readonly timestamps: { readonly tsval: number; readonly tsecr: number } | null;
    readonly windowScale: number | null;
    /**
     * The Fast Open option's cookie in hex ('' for a cookie request), if the segment has one; 'exp:'
     * before it for the experimental option (kind 254, magic 0xF989).
     */
    readonly fastOpen: string | null;
  };
  readonly payloadLength: number;
  /** The IP header's ECN field. */
  readonly ipEcn: IpEcn;
}

/** What happened during a scenario, as the executor saw it (times in scenario milliseconds). */
export type Observation =
  /** A segment the target sent. */
  | { readonly kind: 'segment'; readonly to: Peer; readonly at: Millis; readonly segment: SegmentFields }
  /** An ICMP message the target sent (it should not: reported as unexpected). */
  | { readonly kind: 'icmp'; readonly to: Peer; readonly at: Millis; readonly summary: string }
  /** What a socket call returned; `cause` is the index of the action that made the call. */
  | { readonly kind: 'result'; readonly cause: number; readonly at: Millis; readonly result: CallResult }
  | { readonly kind: 'counter'; readonly name: CounterName; readonly delta: number };

/** A crafted segment the harness sent (for ladder diagrams, pcaps and packetdrill scripts). */
export interface SentSegment {
  readonly from: Peer;
  readonly at: Millis;
  readonly cause: number;
  readonly segment: SegmentFields;
  readonly description: string;
}

/** How the executor proved that nothing more came back after a step. */
export type SilenceProof = 'barrier' | 'timeout';
