/**
 * A property per IP version: every suite's property runs once over IPv4 (with IPv4-mapped
 * IPv6 sockets as a generated variant) and once over IPv6, each a row of its own in the report.
 * The family is generated input of the scenario, so a counterexample shrinks toward plain IPv4.
 */
import * as fc from 'fast-check';
import type { AddressFamily, Scenario } from '../model/actions.ts';
import { IPV6_MIN_MTU } from '../packet/ipv6.ts';
import type { IpFamily } from '../packet/address.ts';
import type { Property } from './property.ts';

/** What `--family` selects. */
export type FamilyChoice = IpFamily | 'both';

export function parseFamilyChoice(text: string): FamilyChoice | null {
  return text === '4' ? 4 : text === '6' ? 6 : text === 'both' ? 'both' : null;
}

/** IPv4's row tries an IPv4-mapped listener or connect() one case in three. */
const FAMILIES: Readonly<Record<IpFamily, fc.Arbitrary<AddressFamily>>> = {
  4: fc.constantFrom<AddressFamily>('ipv4', 'ipv4', 'ipv4-mapped'),
  6: fc.constant<AddressFamily>('ipv6'),
};

/** The scenario over that family; a generated MTU below IPv6's minimum becomes the minimum (below it the link has no IPv6). */
export function inFamily(scenario: Scenario, family: AddressFamily): Scenario {
  const mtu = family === 'ipv6' && scenario.mtu !== undefined ? Math.max(scenario.mtu, IPV6_MIN_MTU) : scenario.mtu;
  return { ...scenario, family, ...(mtu === undefined ? {} : { mtu }) };
}

/**
 * Each property once per selected IP version, next to each other. With both, the property's
 * default cases are shared out (IPv4 takes the odd one; each row at least one), so a default
 * run tries as many cases as one over a single version.
 */
export function familyRows(properties: readonly Property[], choice: FamilyChoice): Property[] {
  const versions: readonly IpFamily[] = choice === 'both' ? [4, 6] : [choice];
  return properties.flatMap((p) =>
    versions.map((version) => ({
      ...p,
      family: version,
      scenarios: fc.tuple(p.scenarios, FAMILIES[version]).map(([s, family]) => inFamily(s, family)),
      canonical: inFamily(p.canonical, version === 4 ? 'ipv4' : 'ipv6'),
      defaultRuns: versions.length === 1 ? p.defaultRuns : Math.max(1, (version === 4 ? Math.ceil : Math.floor)(p.defaultRuns / 2)),
    })),
  );
}

/** A row's name in reports and on the terminal: suite/property, and its IP version. */
export const rowName = (p: { readonly suite: string; readonly name: string; readonly family?: IpFamily }): string => `${p.suite}/${p.name}${p.family === undefined ? '' : ` (IPv${p.family})`}`;
