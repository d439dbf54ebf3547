import { diff } from '../diff/diff.ts';
import type { Deviation } from '../diff/deviation.ts';
import { predict } from '../model/predict.ts';
import type { Expectation } from '../model/expectations.ts';
import type { KernelProfile } from '../model/profiles.ts';
import type { Execution } from '../executor/execution.ts';

export interface Verdict {
  readonly expected: readonly Expectation[];
  readonly deviations: readonly Deviation[];
}

/** Predicts what the profile says the target should have done in this execution, and diffs. */
export function judge(execution: Execution, profile: KernelProfile): Verdict {
  const expected = predict({ profile, settings: execution.settings, actions: execution.timed, horizon: execution.horizon });
  const deviations = diff({
    actions: execution.timed.map((t) => t.action),
    actionTimes: execution.timed.map((t) => t.at),
    expected,
    observed: execution.observed,
    horizon: execution.horizon,
  });
  return { expected, deviations };
}
