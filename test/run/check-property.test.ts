/** One property against one target: fast-check's time limit must never leave two cases running on it at once. */
import { describe, expect, it } from 'vitest';
import { modelTarget } from '../../harness/executor/model-target.ts';
import { DEFAULT_SETTINGS, profileByName } from '../../harness/model/profiles.ts';
import type { Scenario } from '../../harness/model/actions.ts';
import { checkProperty } from '../../harness/run/check-property.ts';
import { handshakeSuite } from '../../suites/handshake.ts';

describe('checkProperty', () => {
  it('a case the time limit abandons still ends before the next one starts, and before checkProperty returns', async () => {
    const linux = profileByName('linux-6.18');
    const model = modelTarget(linux, DEFAULT_SETTINGS);
    let running = 0;
    let most = 0;
    const slow = {
      ...model,
      async execute(scenario: Scenario) {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 40));
        try {
          return await model.execute(scenario);
        } finally {
          running--;
        }
      },
    };
    const check = await checkProperty(handshakeSuite.properties[0]!, slow, linux, { seed: 1, numRuns: 1000, deadline: Date.now() + 150, replays: 1 });
    expect(check.interrupted).toBe(true);
    expect(running).toBe(0);
    expect(most).toBe(1);
  });
});
