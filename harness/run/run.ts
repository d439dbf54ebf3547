/**
 * The conformance run: every selected property against each target, judged by the model with
 * the target's profile, reported as it goes.
 */
import * as fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../cli/errors.ts';
import { TOOL_VERSION } from '../cli/version.ts';
import { OWN_PROFILE, profileByName, type KernelProfile } from '../model/profiles.ts';
import { isEmulated, parseTargetSpec } from '../target/spec.ts';
import { REPORT_SCHEMA, type PropertyResult, type RunReport } from '../report/schema.ts';
import { ReportWriter } from '../report/json-writer.ts';
import { prepareOutputDirectory } from '../report/output-dir.ts';
import { onTeardown } from '../lab/teardown.ts';
import { SUITES } from '../../suites/index.ts';
import { checkProperty, type PropertyCheck } from './check-property.ts';
import { writeCounterexample } from './counterexample.ts';
import { Progress } from './progress.ts';
import { propertyFlags } from './property-flags.ts';
import type { Property } from './property.ts';
import type { Scenario } from '../model/actions.ts';
import { openExecutorTarget, type ExecutorTarget } from './targets.ts';
import { familyRows, type FamilyChoice } from './families.ts';

export interface RunOptions {
  readonly targets: readonly string[];
  readonly suites: readonly string[] | null;
  readonly runs: number | null;
  readonly seed: number;
  readonly budgetSeconds: number;
  readonly profile: string | null;
  readonly out: string | null;
  readonly replays: number;
  readonly allowRemote: boolean;
  readonly family: FamilyChoice;
  readonly command: readonly string[];
}

export function selectProperties(suites: readonly string[] | null): Property[] {
  const known = SUITES.map((s) => s.name);
  for (const name of suites ?? []) {
    if (!known.includes(name)) throw new UsageError(`unknown suite '${name}' (known: ${known.join(', ')})`);
  }
  return SUITES.filter((s) => suites === null || suites.includes(s.name)).flatMap((s) => s.properties);
}

/**
 * The properties, those that take longest first, so the labs running side by side finish close
 * together: a case is estimated by the waits of a fixed sample of the property's scenarios (its
 * timers' time), plus a few milliseconds a step.
 */
function longestFirst(properties: readonly Property[], runs: number | null): Property[] {
  const caseMs = (s: Scenario): number => s.actions.reduce((ms, a) => ms + (a.kind === 'wait' ? a.ms : 5), 0);
  const estimate = new Map(properties.map((p) => [p, (1 + (runs ?? p.defaultRuns)) * fc.sample(p.scenarios, { seed: 1, numRuns: 10 }).reduce((ms, s) => ms + caseMs(s) / 10, 0)]));
  return [...properties].sort((a, b) => estimate.get(b)! - estimate.get(a)!);
}

/**
 * Runs the targets side by side as far as the machine allows, each with its own report (each kind
 * opens as many instances as Target.sideBySide allows): the emulated ones in turn, the others
 * beside them. The exit status is the worst. A target that fails to run does not stop the
 * others: their reports complete, then its error is raised.
 */
export async function runConformance(options: RunOptions): Promise<number> {
  if (options.targets.length === 0) throw new UsageError('--target is empty');
  const repeated = options.targets.find((spec, i) => options.targets.indexOf(spec) !== i);
  if (repeated !== undefined) throw new UsageError(`--target names ${repeated} twice`);
  // Bad names fail before any lab is built.
  for (const spec of options.targets) if (!spec.startsWith('model:')) parseTargetSpec(spec);
  if (options.profile !== null && options.profile !== OWN_PROFILE) profileByName(options.profile);
  const properties = familyRows(selectProperties(options.suites), options.family);
  // Every report directory is proven writable before the first lab or VM is built.
  const runs = options.targets.map((spec) => {
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${randomBytes(2).toString('hex')}`;
    // Several targets: one report directory each, side by side under --out.
    const dir = options.out === null ? join('reports', runId) : options.targets.length > 1 ? join(options.out, spec.replace(/[^A-Za-z0-9.-]+/g, '_')) : options.out;
    prepareOutputDirectory(dir);
    return { spec, runId, dir };
  });
  const labelled = runs.length > 1;
  // Emulated targets (VMs under TCG, gVisor under ptrace) keep both cores busy: they run one after
  // another, each with its own instances side by side, while the others run beside them.
  let emulatedBefore: Promise<unknown> = Promise.resolve();
  const started = runs.map((run) => {
    if (run.spec.startsWith('model:') || !isEmulated(parseTargetSpec(run.spec))) return runTarget(run, properties, options, labelled);
    const next = emulatedBefore.catch(() => undefined).then(() => runTarget(run, properties, options, labelled));
    emulatedBefore = next;
    return next;
  });
  const outcomes = await Promise.allSettled(started);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return Math.max(...outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 2)));
}

/** The profile a target is judged by: --profile's; `own`: the one that describes it; else its default (ExecutorTarget). */
function judgingProfile(target: ExecutorTarget, choice: string | null): KernelProfile {
  return choice === null ? target.defaultProfile : choice === OWN_PROFILE ? target.ownProfile : profileByName(choice);
}

/** How often the report is rewritten while properties run (the check that it still can be). */
const REPORT_HEARTBEAT_MS = 1000;

async function runTarget({ spec, runId, dir }: { spec: string; runId: string; dir: string }, properties: readonly Property[], options: RunOptions, labelled: boolean): Promise<number> {
  const deadline = Date.now() + options.budgetSeconds * 1000;
  const progress = new Progress(properties.length, labelled ? spec : null);
  // One target per property where the target kind can make fresh ones (labs, VMs): properties then
  // run side by side, and timer-bound scenarios overlap instead of adding up.
  const first = await openExecutorTarget(spec, { allowRemote: options.allowRemote });
  const profile = judgingProfile(first, options.profile);
  const writer = new ReportWriter(dir);
  const report: RunReport = {
    schema: REPORT_SCHEMA,
    runId,
    tool: { name: 'tcpconform', version: TOOL_VERSION },
    command: options.command,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    target: { spec, kernel: first.kernel, sysctls: first.sysctls, mtu: first.executor.settings.mtu },
    profile,
    seed: options.seed,
    runsPerProperty: options.runs ?? 0,
    budgetSeconds: options.budgetSeconds,
    properties: [],
    exitCode: null,
    error: null,
  };
  const targets: ExecutorTarget[] = [first];
  let closing: Promise<unknown> | null = null;
  const closeTargets = (): Promise<unknown> => (closing ??= Promise.allSettled(targets.map((t) => t.close())));
  try {
    writer.start(report);
  } catch (error) {
    await closeTargets();
    throw error;
  }
  // Runs before the labs' own teardown (registered earlier): the report is marked interrupted first.
  const [, forgetInterrupt] = onTeardown(() => writer.interrupt());
  console.error(`tcpconform: target ${spec} (kernel ${first.kernel}, profile ${profile.name}), seed ${options.seed}, report in ${dir}`);

  // A report that cannot be written ends the run at once: no property is started after it, and
  // closing the targets makes those in flight fail fast instead of running to their budget.
  let writeFailure: unknown = null;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  try {
    const parallel = Math.min(first.parallel, properties.length);
    const extra = await Promise.all(Array.from({ length: parallel - 1 }, () => openExecutorTarget(spec, { allowRemote: options.allowRemote })));
    targets.push(...extra);
    // The report is rewritten now (opening the other labs takes seconds) and every second while
    // properties run: a directory removed or a disk filled ends the run within a second, not when
    // a property is done. Only now, with every target open: closing them closes them all.
    const rewrite = (): void => {
      try {
        writer.update(() => undefined);
      } catch (error) {
        writeFailure ??= error;
        void closeTargets();
      }
    };
    rewrite();
    heartbeat = setInterval(rewrite, REPORT_HEARTBEAT_MS);
    let next = 0;
    const queue = longestFirst(properties, options.runs);
    await Promise.all(
      targets.map(async (target) => {
        for (let i = next++; i < queue.length && writeFailure === null; i = next++) {
          const property = queue[i]!;
          try {
            const result = await runProperty(property, target, profile, options, deadline, dir, spec, progress);
            // The report lists properties in the suites' order, whatever order they ran in.
            const rank = (x: PropertyResult): number => properties.findIndex((q) => q.suite === x.suite && q.name === x.property && q.family === x.family);
            writer.update((r) => r.properties.splice(r.properties.filter((x) => rank(x) < rank(result)).length, 0, result));
            if (writeFailure === null) progress.done(property, result.status);
          } catch (error) {
            writeFailure ??= error;
            await closeTargets();
          }
        }
      }),
    );
    if (writeFailure !== null) throw writeFailure;
    const failed = report.properties.some((p) => p.status === 'fail' || p.status === 'error');
    const exitCode = failed ? 1 : 0;
    writer.finish({ status: 'complete', exitCode });
    progress.summary(report, dir);
    return exitCode;
  } catch (error) {
    writer.finish({ status: 'error', exitCode: 2, error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    clearInterval(heartbeat);
    forgetInterrupt();
    progress.stop();
    await closeTargets();
  }
}

async function runProperty(property: Property, target: ExecutorTarget, profile: KernelProfile, options: RunOptions, deadline: number, dir: string, spec: string, progress: Progress): Promise<PropertyResult> {
  const base = { suite: property.suite, property: property.name, family: property.family ?? 4, flags: [...propertyFlags(property)] };
  let check: PropertyCheck;
  const numRuns = options.runs ?? property.defaultRuns;
  progress.start(property, numRuns + 1); // + its canonical scenario
  try {
    check = await checkProperty(property, target.executor, profile, { seed: options.seed, numRuns, deadline, replays: options.replays, onCase: () => progress.caseDone(property) });
  } catch (error) {
    return { ...base, status: 'error', numRuns: 0, notApplicable: {}, durationMs: 0, silence: { barrier: 0, timeout: 0 }, signature: [], counterexample: null, error: error instanceof Error ? error.message : String(error) };
  }
  // A row the budget stopped before any case ran has checked nothing: an error, never a pass.
  if (check.interrupted && check.numRuns === 0 && check.status === 'pass') {
    return { ...base, status: 'error', numRuns: 0, notApplicable: check.notApplicable, durationMs: check.durationMs, silence: check.silence, signature: check.signature, counterexample: null, error: `the run's budget (--budget ${options.budgetSeconds} s) ran out before any case of this row ran` };
  }
  const counterexample = check.failure ? writeCounterexample(dir, property, check.failure, { seed: options.seed, spec, profile }) : null;
  return { ...base, status: check.status, numRuns: check.numRuns, notApplicable: check.notApplicable, durationMs: check.durationMs, silence: check.silence, signature: check.signature, counterexample, error: null };
}
