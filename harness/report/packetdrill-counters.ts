/**
 * Counter deviations as packetdrill shell lines: nstat's history is reset as the script starts,
 * and at the scenario's end a check compares the deltas of the deviating counters with the ones
 * the script asserts, failing it with the counter's name otherwise. Counters are the
 * namespace's, so only a script that holds its whole scenario can assert them.
 */
import { peerOfAction, type Action, type Peer } from '../model/actions.ts';
import type { CounterName, Expectation } from '../model/expectations.ts';
import type { Observation } from '../diff/observation.ts';

/** 'TcpExt.SyncookiesSent' -> 'TcpExtSyncookiesSent', as nstat names it. */
const nstatName = (name: CounterName): string => name.replace('.', '');

export interface CounterCheck {
  /** Shell commands: one for the script's setup (before its first event), one for a line at the end. */
  readonly reset: string;
  readonly check: string;
}

/** The deltas each named counter must show, per side, or why they cannot be asserted. */
export function counterValues(names: readonly CounterName[], side: 'expected' | 'observed', expected: readonly Expectation[], observed: readonly Observation[]): Map<CounterName, number> | string {
  const values = new Map<CounterName, number>(names.map((n) => [n, 0]));
  if (side === 'observed') {
    for (const o of observed) if (o.kind === 'counter' && values.has(o.name)) values.set(o.name, values.get(o.name)! + o.delta);
    return values;
  }
  for (const e of expected) {
    if (e.kind !== 'counter' || !values.has(e.name)) continue;
    if (e.optional) return `${e.name} may or may not have been counted by the end (a timer at the horizon)`;
    values.set(e.name, values.get(e.name)! + e.delta);
  }
  return values;
}

export function counterCheck(file: string, values: ReadonlyMap<CounterName, number>): CounterCheck {
  const history = `NSTAT_HISTORY=${file}`;
  const names = [...values.keys()].map(nstatName);
  const want = [...values].map(([name, delta]) => `w["${nstatName(name)}"]=${delta}`).join('; ');
  const awk = `BEGIN { ${want} } $1 in w { seen[$1] = 1; if ($2 != w[$1]) { print $1 " expected +" w[$1] " observed +" $2; bad = 1 } } END { for (n in w) if (!(n in seen)) { print n " missing"; bad = 1 } exit bad }`;
  // The check removes nstat's history file whatever it finds.
  return { reset: `${history} nstat -n`, check: `${history} nstat -z ${names.join(' ')} | awk '${awk}'; ok=$?; rm -f ${file}; exit $ok` };
}

/** Whether every peer the scenario names is the script's: else counters count what the script does not drive. */
export function holdsWholeScenario(actions: readonly Action[], peer: Peer | null): boolean {
  return actions.every((a) => {
    const about = peerOfAction(a);
    return about === null || JSON.stringify(about) === JSON.stringify(peer);
  });
}
