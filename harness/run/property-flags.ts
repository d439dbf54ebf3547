/**
 * The profile flags a property depends on, found rather than kept by hand: the flags of every
 * rule its scenarios fire in the model, under every profile. A report names them beside a
 * verdict; `compare` explains a difference between kernels by the ones whose values differ.
 */
import * as fc from 'fast-check';
import { predict } from '../model/predict.ts';
import { DEFAULT_SETTINGS, PROFILES, withConfig, type ProfileFlagName } from '../model/profiles.ts';
import { schedule } from '../model/schedule.ts';
import type { Property } from './property.ts';

/** Enough samples to reach every rule a suite's generator can reach (checked by test/run/property-flags). */
const SAMPLES = 300;

const found = new Map<Property, readonly ProfileFlagName[]>();

export function propertyFlags(property: Property): readonly ProfileFlagName[] {
  const known = found.get(property);
  if (known) return known;
  const flags = new Set<ProfileFlagName>();
  for (const scenario of [property.canonical, ...fc.sample(property.scenarios, { seed: 1, numRuns: SAMPLES })]) {
    const { timed, end } = schedule(scenario.actions);
    const settings = withConfig(DEFAULT_SETTINGS, scenario);
    // Horizon past every timer a scenario arms (SYN-ACK and SYN retransmissions, BSD's 75 s).
    for (const profile of PROFILES) for (const e of predict({ profile, settings, actions: timed, horizon: end + 200_000 })) e.rule.flags.forEach((f) => flags.add(f));
  }
  const sorted = [...flags].sort();
  found.set(property, sorted);
  return sorted;
}
