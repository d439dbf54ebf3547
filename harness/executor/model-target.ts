/**
 * The reference model as a target: a profile's predictions turned into concrete observations.
 * The project's tests run the suites against it (must conform) and against mutated profiles
 * (must be caught), with no kernel involved.
 */
import type { Observation } from '../diff/observation.ts';
import { predict } from '../model/predict.ts';
import type { Expected32, ExpectedSegment } from '../model/expectations.ts';
import { withConfig, type KernelProfile, type TargetSettings } from '../model/profiles.ts';
import type { TimedAction, Scenario } from '../model/actions.ts';
import { type Execution, type ScenarioExecutor } from './execution.ts';

/** Simulated cost of a step that does not wait: real targets take about this long too. */
const STEP_MS = 1;
/** What a real executor watches after the last action (its final barrier). */
const SETTLE_MS = 5;

export function modelTarget(profile: KernelProfile, baseSettings: TargetSettings): ScenarioExecutor {
  return {
    description: `model:${profile.name}`,
    // The model has every setting a scenario may change.
    notApplicable: () => null,
    async execute(scenario: Scenario): Promise<Execution> {
      const settings = withConfig(baseSettings, scenario);
      const timed: TimedAction[] = [];
      let now = 0;
      for (const action of scenario.actions) {
        timed.push({ at: now, action });
        now += action.kind === 'wait' ? action.ms : STEP_MS;
      }
      const horizon = now + SETTLE_MS;
      const expected = predict({ profile, settings, actions: timed, horizon });
      return { timed, settings, observed: concretize(expected), sent: [], horizon, silence: { barrier: 0, timeout: 0 }, packets: [] };
    },
    async close() {},
  };
}

/** What a kernel that behaves exactly as predicted would show: kernel-chosen values drawn per name. */
function concretize(expected: ReturnType<typeof predict>): Observation[] {
  const values = new Map<string, number>();
  const pick = (name: string): number => {
    let v = values.get(name);
    if (v === undefined) {
      v = hash(name);
      values.set(name, v);
    }
    return v;
  };
  const value = (e: Expected32): number => ('exact' in e ? e.exact : 'any' in e ? pick(e.any) : 'atLeast' in e ? (pick(e.atLeast) + 1) >>> 0 : (pick(e.bind) + e.plus) >>> 0);
  const segment = (s: ExpectedSegment) => ({
    flags: s.flags,
    seq: value(s.seq),
    ack: s.flags.includes('ACK') ? value(s.ack) : 0,
    window: value(s.window),
    payloadLength: s.payloadLength,
    ipEcn: s.ipEcn,
    options: {
      mss: s.options.mss,
      sackPermitted: s.options.sackPermitted,
      timestamps: s.options.timestamps && { tsval: value(s.options.timestamps.tsval), tsecr: value(s.options.timestamps.tsecr) },
      windowScale: s.options.windowScale && value(s.options.windowScale),
      fastOpen: s.options.fastOpen && ('hex' in s.options.fastOpen ? s.options.fastOpen.hex : pick(s.options.fastOpen.cookie).toString(16).padStart(8, '0').repeat(2)),
    },
  });
  const observed: Observation[] = [];
  for (const e of expected) {
    if (e.kind === 'segment' && !e.optional) observed.push({ kind: 'segment', to: e.to, at: e.at.earliest, segment: segment(e.segment) });
    else if (e.kind === 'result' && !e.optional) observed.push({ kind: 'result', cause: e.cause, at: e.at.earliest, result: e.result });
    else if (e.kind === 'counter' && !e.optional) observed.push({ kind: 'counter', name: e.name, delta: e.delta });
  }
  return observed;
}

/** FNV-1a: a fixed, well-spread 32-bit value per symbol name. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
