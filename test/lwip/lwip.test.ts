/**
 * lwIP as a target, judged against Linux: the agent built against Debian's liblwip runs its
 * stack on a tap in the tester namespace; the run completes without a harness error over both IP
 * versions, reports what lwIP does differently (reproduced on replay), marks as not applicable
 * what its socket API lacks, and leaves no namespace behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../harness/report/json-writer.ts';
import { runConformance } from '../../harness/run/run.ts';
import { requireRoot } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

describe('--target lwip (liblwip 2.1.3)', () => {
  beforeAll(() => {
    requireRoot();
    if (!existsSync(join(import.meta.dirname, '../../build/tcpconform-agent-lwip'))) throw new Error('the lwIP agent is not built: run scripts/setup.sh (apt-get install liblwip-dev, then npm run build:agent)');
  });

  it('judged by linux-6.18: its deviations reproduced, its missing socket options not applicable, nothing left behind', async () => {
    const out = tempDir('tcpc-lwip-');
    const code = await runConformance({ targets: ['lwip'], suites: ['handshake', 'closed-ports', 'connect-errors'], runs: 4, seed: 5, budgetSeconds: 60, profile: 'linux-6.18', out, replays: 2, allowRemote: false, family: 'both', command: ['test'] });
    expect(code).toBe(1);
    const report = readReport(join(out, 'report.json'));
    expect(report.target.kernel).toBe('lwIP 2.1.3');
    expect(report.properties.filter((p) => p.status === 'error')).toEqual([]);
    const row = (property: string, family: 4 | 6) => report.properties.find((p) => p.property === property && p.family === family)!;
    for (const family of [4, 6] as const) {
      // Its SYN-ACK offers TCP_WND (65535) where Linux offers whole segments of half tcp_rmem[1].
      const options = row('options-negotiated', family);
      expect(options.status).toBe('fail');
      expect(options.counterexample!.deviations.some((d) => d.field === 'window' && d.observed === '65535')).toBe(true);
      expect(options.counterexample!.replays.reproduced).toBe(options.counterexample!.replays.attempts);
      // tcp_rst byte-swaps the window twice: every RST says 65407, not 0.
      const closed = row('rst-from-closed-port', family);
      expect(closed.status).toBe('fail');
      expect(closed.counterexample!.deviations.some((d) => d.field === 'window' && d.observed === '65407')).toBe(true);
      // Every connect() scenario sets TCP_SYNCNT, which lwip_setsockopt does not know (or a setting lwIP lacks).
      expect(row('connect-timeout', family)).toMatchObject({ status: 'not-applicable', numRuns: 0 });
      expect(Object.keys(row('connect-timeout', family).notApplicable)).toContain("the target's stack has no TCP_SYNCNT");
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/tcpc-[0-9a-f]{6}-/);
  }, 180_000);
});
