import type { Peer } from '../model/actions.ts';
import type { RuleRef } from '../model/expectations.ts';

export type DeviationKind =
  | 'missing-segment'
  | 'unexpected-segment'
  | 'field-mismatch'
  | 'time-outside-interval'
  | 'wrong-result'
  | 'wrong-counter';

/** One difference between what the model expected and what the target did. */
export interface Deviation {
  readonly kind: DeviationKind;
  /** Index of the action whose consequence differs (for unexpected segments: the latest action before it). */
  readonly step: number;
  readonly peer: Peer | null;
  /** e.g. 'options.mss', 'seq', 'errno'; null when the whole segment or result is at stake. */
  readonly field: string | null;
  readonly expected: string;
  readonly observed: string;
  readonly rule: RuleRef | null;
  /** One self-explaining line, naming the rule and profile flags involved. */
  readonly message: string;
}
