/** VM targets: boot-to-agent-ready, and one command over three VM kernels, the host, gVisor and lwIP, side by side. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance } from '../harness/run/run.ts';
import { openTarget } from '../harness/target/index.ts';
import { fetchKernel } from '../harness/vm/kernels.ts';
import { median, nowMs } from './measure.ts';

const TARGETS = ['qemu:5.10', 'qemu:6.1', 'qemu:6.12', 'local', 'gvisor', 'lwip'];

export async function benchVmBoot(): Promise<{ vm_boot_s: number }> {
  await fetchKernel('6.1');
  const boots: number[] = [];
  for (let i = 0; i < 3; i++) {
    const target = await openTarget('qemu:6.1');
    boots.push(target.bootMs! / 1000);
    await target.close();
  }
  return { vm_boot_s: Number(median(boots).toFixed(2)) };
}

/** The targets side by side, each judged by its own profile (--profile own), as one command. */
export async function benchTargetsSideBySide(): Promise<{ six_target_run_s: number }> {
  for (const series of ['5.10', '6.1', '6.12']) await fetchKernel(series);
  const started = nowMs();
  const out = mkdtempSync(join(tmpdir(), 'tcpc-targets-'));
  const code = await runConformance({ targets: TARGETS, suites: null, runs: null, seed: 11, budgetSeconds: 300, profile: 'own', out, replays: 3, allowRemote: false, family: 'both', command: ['bench'] });
  // Kept only when it found something to look at.
  if (code !== 0) console.error(`the side-by-side run found deviations (exit ${code}): reports in ${out}`);
  else rmSync(out, { recursive: true, force: true });
  return { six_target_run_s: Number(((nowMs() - started) / 1000).toFixed(1)) };
}
