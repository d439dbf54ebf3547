import type * as fc from 'fast-check';
import type { Scenario } from '../model/actions.ts';

/** A conformance property: scenarios fast-check explores, each judged against the model. */
export interface Property {
  readonly suite: string;
  readonly name: string;
  /** One sentence: what a conforming kernel does. */
  readonly claim: string;
  readonly scenarios: fc.Arbitrary<Scenario>;
  /** A fixed scenario whose observations summarise this target's behaviour (the signature). */
  readonly canonical: Scenario;
  /** Cases per run by default: fewer for scenarios that wait on kernel timers. */
  readonly defaultRuns: number;
}

export interface Suite {
  readonly name: string;
  readonly properties: readonly Property[];
}
