/**
 * Runs one property with fast-check against one target: explore, shrink, then replay the
 * shrunk counterexample on fresh state to tell a real deviation from a flake.
 */
import * as fc from 'fast-check';
import type { Deviation } from '../diff/deviation.ts';
import type { Execution, ScenarioExecutor } from '../executor/execution.ts';
import type { Scenario } from '../model/actions.ts';
import type { KernelProfile } from '../model/profiles.ts';
import { judge, type Verdict } from './judge.ts';
import type { Property } from './property.ts';
import { signature } from './signature.ts';

export interface CheckOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Wall-clock deadline (Date.now() ms): exploration and shrinking stop there. */
  readonly deadline: number;
  /** Replays of a shrunk counterexample before it is reported. */
  readonly replays: number;
  /** Called after every case that ran on the target (for the progress line). */
  readonly onCase?: () => void;
}

export interface FailingCase {
  readonly scenario: Scenario;
  readonly execution: Execution;
  readonly verdict: Verdict;
  readonly path: string;
  readonly replays: { readonly attempts: number; readonly reproduced: number };
}

export interface PropertyCheck {
  /** 'not-applicable': the target could run none of the property's cases (an IP version it lacks): neither passed nor failed. */
  readonly status: 'pass' | 'fail' | 'flaky' | 'not-applicable';
  readonly numRuns: number;
  readonly durationMs: number;
  readonly silence: { barrier: number; timeout: number };
  readonly signature: string[];
  readonly failure: FailingCase | null;
  /** True when the deadline cut exploration short. */
  readonly interrupted: boolean;
  /** Generated cases the target could not run, by reason (a sysctl it lacks, ...): neither passed nor failed. */
  readonly notApplicable: Readonly<Record<string, number>>;
}

class DeviationsFound extends Error {
  constructor(readonly deviations: readonly Deviation[]) {
    super(deviations.map((d) => d.message).join('\n'));
  }
}

export async function checkProperty(property: Property, target: ScenarioExecutor, profile: KernelProfile, options: CheckOptions): Promise<PropertyCheck> {
  const started = Date.now();
  const silence = { barrier: 0, timeout: 0 };
  // fast-check's time limit abandons a case it is awaiting, which still runs on the target: the
  // next one (a replay, the next property) must not start before it ends, or two cases share
  // the target's counters and sockets.
  let inFlight: Promise<unknown> = Promise.resolve();
  const run = (scenario: Scenario): Promise<{ execution: Execution; verdict: Verdict }> => {
    const result = inFlight.then(async () => {
      const execution = await target.execute(scenario);
      options.onCase?.();
      silence.barrier += execution.silence.barrier;
      silence.timeout += execution.silence.timeout;
      return { execution, verdict: judge(execution, profile) };
    });
    inFlight = result.catch(() => undefined);
    return result;
  };

  const notApplicable: Record<string, number> = {};
  // The canonical scenario too may need what the target lacks: then the row has no signature.
  const canonicalReason = target.notApplicable(property.canonical);
  if (canonicalReason !== null) notApplicable[canonicalReason] = 1;
  const canonical = canonicalReason === null ? await run(property.canonical) : null;
  let lastFailure: { scenario: Scenario; execution: Execution; verdict: Verdict } | null = null;
  const details = await fc.check(
    fc.asyncProperty(property.scenarios, async (scenario) => {
      // A case this target cannot run is skipped (fast-check generates another), and counted.
      const reason = target.notApplicable(scenario);
      if (reason !== null) notApplicable[reason] = (notApplicable[reason] ?? 0) + 1;
      fc.pre(reason === null);
      const { execution, verdict } = await run(scenario);
      if (verdict.deviations.length > 0) {
        lastFailure = { scenario, execution, verdict };
        throw new DeviationsFound(verdict.deviations);
      }
    }),
    { seed: options.seed, numRuns: options.numRuns, interruptAfterTimeLimit: Math.max(1, options.deadline - Date.now()), markInterruptAsFailure: false },
  );
  await inFlight;
  // Every case skipped as not applicable (not cut short by the budget: that is runProperty's to report).
  if (details.numRuns === 0 && !details.interrupted && Object.keys(notApplicable).length > 0) {
    return { status: 'not-applicable', numRuns: 0, durationMs: Date.now() - started, silence, signature: [], failure: null, interrupted: details.interrupted, notApplicable };
  }
  const base = { numRuns: details.numRuns, silence, signature: canonical === null ? [] : signature(canonical.execution), interrupted: details.interrupted, notApplicable };
  const found = lastFailure as { scenario: Scenario; execution: Execution; verdict: Verdict } | null;
  // The shrunk counterexample; else the canonical scenario, judged too: a deviation there is as real as any other.
  const failing =
    details.failed && details.counterexample !== null && found !== null
      ? { scenario: details.counterexample[0], first: found, path: details.counterexamplePath ?? '' }
      : canonical !== null && canonical.verdict.deviations.length > 0
        ? { scenario: property.canonical, first: { scenario: property.canonical, ...canonical }, path: 'canonical' }
        : null;
  if (failing === null) return { status: 'pass', durationMs: Date.now() - started, failure: null, ...base };

  // Replayed on fresh state, so that a deviation that does not reproduce is told apart as flaky.
  const { scenario, path } = failing;
  let reproduced = 0;
  let latest = failing.first;
  for (let i = 0; i < options.replays; i++) {
    const replay = await run(scenario);
    if (replay.verdict.deviations.length > 0) {
      reproduced++;
      latest = { scenario, ...replay };
    }
  }
  const failure: FailingCase = { scenario, execution: latest.execution, verdict: latest.verdict, path, replays: { attempts: options.replays, reproduced } };
  return { status: options.replays > 0 && reproduced === 0 ? 'flaky' : 'fail', durationMs: Date.now() - started, failure, ...base };
}
