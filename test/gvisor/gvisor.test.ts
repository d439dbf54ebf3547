/**
 * gVisor's netstack as a target, judged against Linux: the run completes without a harness error,
 * reports what netstack does differently (each reproduced on replay), marks what it lacks not
 * applicable, and leaves no sandbox or namespace behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNSC_ROOT, runscBundle } from '../../harness/lab/lab.ts';
import { readReport } from '../../harness/report/json-writer.ts';
import { runConformance } from '../../harness/run/run.ts';
import { requireRoot } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

describe('--target gvisor (runsc)', () => {
  beforeAll(() => {
    requireRoot();
    try {
      execFileSync('runsc', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('runsc is not installed: run scripts/setup.sh (apt-get install runsc)');
    }
  });

  it('judged by linux-6.18: deviations with shrunk, reproduced counterexamples; n/a for what it lacks; nothing left behind', async () => {
    const out = tempDir('tcpc-gvisor-');
    const code = await runConformance({ targets: ['gvisor'], suites: ['handshake', 'syn-rcvd', 'listen-queues', 'simultaneous-open'], runs: 6, seed: 5, budgetSeconds: 50, profile: 'linux-6.18', out, replays: 2, allowRemote: false, family: 'both', command: ['test'] });
    expect(code).toBe(1);
    const report = readReport(join(out, 'report.json'));
    // No error: crossed SYNs leave SYN-RECEIVED sockets that the agent's reset must close without crashing netstack (google/gvisor#12567).
    expect(report.properties.filter((p) => p.status === 'error')).toEqual([]);
    const row = (property: string, family: 4 | 6) => report.properties.find((p) => p.property === property && p.family === family)!;
    for (const family of [4, 6] as const) {
      // netstack's first window does not follow the tcp_rmem it shows (Linux: 65535).
      const options = row('options-negotiated', family);
      expect(options.status).toBe('fail');
      expect(options.counterexample!.deviations.some((d) => d.field === 'window' && d.rule?.id === 'listener.synAck')).toBe(true);
      expect(options.counterexample!.replays.reproduced).toBe(options.counterexample!.replays.attempts);
      // A SYN again in SYN-RECEIVED: netstack answers a bare ACK where Linux sends the SYN-ACK again.
      const synRcvd = row('syn-rcvd-edge-cases', family);
      expect(synRcvd.status).toBe('fail');
      // Its listen queues follow no tcp_syncookies: not applicable, never passed.
      expect(row('syn-queue-and-cookies', family)).toMatchObject({ status: 'not-applicable', numRuns: 0 });
    }
    expect(execFileSync('runsc', ['--root', RUNSC_ROOT, 'list', '-quiet'], { encoding: 'utf8' }).trim()).toBe('');
    // Every sandbox's bundle went with it.
    const bundles = dirname(runscBundle('any'));
    expect(existsSync(bundles) ? readdirSync(bundles) : []).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/tcpc-[0-9a-f]{6}-/);
  }, 180_000);

  it('judged by its own profile (gvisor-20221219): conformant, a regression test for netstack', async () => {
    const out = tempDir('tcpc-gvisor-own-');
    const code = await runConformance({ targets: ['gvisor'], suites: ['handshake', 'syn-rcvd', 'half-open', 'simultaneous-open', 'time-wait'], runs: 6, seed: 9, budgetSeconds: 90, profile: 'own', out, replays: 2, allowRemote: false, family: 'both', command: ['test'] });
    const report = readReport(join(out, 'report.json'));
    expect(report.profile.name).toBe('gvisor-20221219');
    expect(report.properties.filter((p) => p.status === 'fail' || p.status === 'error').map((p) => `${p.property} IPv${p.family}: ${p.counterexample?.deviations[0]?.message ?? p.error}`)).toEqual([]);
    expect(code).toBe(0);
  }, 180_000);
});
