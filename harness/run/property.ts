import type * as fc from 'fast-check';
import type { Scenario } from '../model/actions.ts';
import type { IpFamily } from '../packet/address.ts';

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
  /** The IP version of the run's row (families.ts); the suites leave it to the run. */
  readonly family?: IpFamily;
}

export interface Suite {
  readonly name: string;
  readonly properties: readonly Property[];
}
