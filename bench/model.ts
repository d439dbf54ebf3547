/** Reference-model speed: actions predicted per second over the suites' own scenarios. */
import { schedule } from '../harness/model/schedule.ts';
import * as fc from 'fast-check';
import { predict } from '../harness/model/predict.ts';
import { profileByName } from '../harness/model/profiles.ts';
import { DEFAULT_SETTINGS } from '../harness/model/profiles.ts';
import { SUITES } from '../suites/index.ts';
import { median, nowMs } from './measure.ts';

export function benchModel(): { model_steps_per_s: number } {
  const profile = profileByName('linux-6.18');
  const inputs = SUITES.flatMap((s) => s.properties).flatMap((p) =>
    fc.sample(p.scenarios, { seed: 42, numRuns: 200 }).map((scenario) => {
      const { timed, end } = schedule(scenario.actions);
      return { profile, settings: { ...DEFAULT_SETTINGS, sysctls: { ...DEFAULT_SETTINGS.sysctls, ...scenario.config } }, actions: timed, horizon: end + 5 };
    }),
  );
  const steps = inputs.reduce((n, i) => n + i.actions.length, 0);
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = nowMs();
    for (let repeat = 0; repeat < 20; repeat++) for (const input of inputs) predict(input);
    rates.push((steps * 20) / ((nowMs() - started) / 1000));
  }
  return { model_steps_per_s: Math.round(median(rates)) };
}
