/** A property's profile flags are those of the rules its scenarios fire, drops included: found, not kept by hand. */
import { describe, expect, it } from 'vitest';
import { PROFILES, type ProfileFlagName } from '../../harness/model/profiles.ts';
import { propertyFlags } from '../../harness/run/property-flags.ts';
import { SUITES } from '../../suites/index.ts';

const flagsOf = (name: string): readonly ProfileFlagName[] => propertyFlags(SUITES.flatMap((s) => s.properties).find((p) => `${p.suite}/${p.name}` === name)!);

describe('property flags', () => {
  it('name the flags behind the differences compare must explain', () => {
    expect(flagsOf('connect-errors/connect-timeout')).toContain('linearSynTimeouts');
    expect(flagsOf('listen-queues/accept-queue-overflow')).toEqual(expect.arrayContaining(['acceptQueueAdmitsBacklogPlusOne', 'synDroppedWhenAcceptQueueFull', 'queuesShareBacklog']));
    // Only a silent drop fires this flag's rule on the older kernels: drops are outcomes too.
    expect(flagsOf('syn-rcvd/syn-rcvd-edge-cases')).toContain('challengeAckForUnsentData');
    // A closed port's RST differs only in lwIP's (RST+ACK, window 65407).
    expect(flagsOf('closed-ports/rst-from-closed-port')).toEqual(['resetsAckAndSayWindow65407']);
  });

  it('every flag a profile has is behind some property, so no kernel difference goes unexplained', () => {
    const all = Object.keys(PROFILES[0]!.flags).sort();
    const covered = new Set(SUITES.flatMap((s) => s.properties).flatMap((p) => propertyFlags(p)));
    expect(all.filter((f) => !covered.has(f as ProfileFlagName))).toEqual([]);
  });
});
