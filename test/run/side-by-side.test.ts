/** Several targets run side by side, one report each, each judged by the profile asked for. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../harness/report/json-writer.ts';
import { runConformance } from '../../harness/run/run.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

describe('--target a,b', () => {
  it('runs the targets at once, a report directory each; --profile own judges each by its own profile', async () => {
    const out = tempDir('tcpc-side-');
    const targets = ['model:linux-5.10', 'model:gvisor-20221219'];
    const code = await runConformance({ targets, suites: ['closed-ports', 'handshake'], runs: 2, seed: 4, budgetSeconds: 60, profile: 'own', out, replays: 1, allowRemote: false, family: 4, command: ['test'] });
    expect(code).toBe(0);
    const [a, b] = targets.map((t) => readReport(join(out, t.replace(/[^A-Za-z0-9.-]+/g, '_'), 'report.json')));
    expect([a!.profile.name, b!.profile.name]).toEqual(['linux-5.10', 'gvisor-20221219']);
    expect(a!.properties.length).toBeGreaterThan(0);
    // Side by side: each started before the other finished.
    expect(Date.parse(a!.startedAt)).toBeLessThan(Date.parse(b!.finishedAt!));
    expect(Date.parse(b!.startedAt)).toBeLessThan(Date.parse(a!.finishedAt!));
  }, 60_000);
});
