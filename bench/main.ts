/**
 * `npm run bench`: prints what it measures as it goes, then one JSON object on its last line.
 * Goals (from the issues): model_steps_per_s >= 1000000, scenarios_per_s >= 200 (and
 * scenarios_per_s_v6 alike), barrier_median_ms <= 2, default_run_s <= 30 (every suite, both IP
 * versions); vm_boot_s and six_target_run_s (three VM kernels, the host, gVisor and lwIP side by side) are reported.
 */
import { benchModel } from './model.ts';
import { benchBarrier, benchDefaultRun, benchScenarios } from './kernel.ts';
import { benchTargetsSideBySide, benchVmBoot } from './vm.ts';

const results: Record<string, number> = {};
for (const step of [async () => benchModel(), benchScenarios, benchBarrier, benchDefaultRun, benchVmBoot, benchTargetsSideBySide]) {
  const figures = await step();
  console.error(JSON.stringify(figures));
  Object.assign(results, figures);
}
console.log(JSON.stringify(results));
