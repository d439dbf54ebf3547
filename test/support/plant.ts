/**
 * Deviations planted in a namespace a run is pointed at (netns:<name>): nftables rules of the
 * given table family (inet, ip or ip6) in the namespace the target's kernel runs in.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readReport } from '../../harness/report/json-writer.ts';
import { runConformance, type RunOptions } from '../../harness/run/run.ts';
import { sh } from './root.ts';
import { temporaryDirectories } from './temp-dir.ts';

const tempDir = temporaryDirectories();

export const plantNamespace = `tcpc-plant-${process.pid}`;

export function plant(rules: string, table: 'inet' | 'ip' | 'ip6' = 'inet'): void {
  sh('ip', ['netns', 'add', plantNamespace]);
  sh('ip', ['netns', 'exec', plantNamespace, 'nft', '-f', '-'], `table ${table} plant {\n${rules}\n}\n`);
}

export function removePlant(): void {
  if (execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(plantNamespace)) sh('ip', ['netns', 'del', plantNamespace]);
}

/** Runs suites against the plant, judged by this host's profile. */
export async function runAgainstPlant(suites: string[], options: Partial<RunOptions> = {}) {
  const out = tempDir('tcpc-plant-');
  const code = await runConformance({ targets: [`netns:${plantNamespace}`], suites, runs: 8, seed: 3, budgetSeconds: 50, profile: 'linux-6.18', out, replays: 2, allowRemote: false, family: 4, command: ['test'], ...options });
  const report = readReport(join(out, 'report.json'));
  return { code, out, report, result: (property: string) => report.properties.find((p) => p.property === property)! };
}
