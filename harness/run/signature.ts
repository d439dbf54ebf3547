/**
 * A property's behaviour signature: what the target did in the canonical scenario, in a few
 * lines a person can compare across kernels ("client 0: [S.] at 0, 1.02, 3.05 s").
 */
import { describePeer } from '../diff/describe.ts';
import { flagString } from '../packet/packet.ts';
import type { Execution } from '../executor/execution.ts';

export function signature(execution: Execution): string[] {
  const segments = new Map<string, number[]>();
  const results: string[] = [];
  for (const o of execution.observed) {
    if (o.kind === 'segment') {
      const key = `${describePeer(o.to)}: [${flagString(o.segment.flags)}]`;
      segments.set(key, [...(segments.get(key) ?? []), o.at]);
    } else if (o.kind === 'result' && o.result.call !== 'listen') {
      const action = execution.timed[o.cause]?.action.kind ?? '?';
      const r = o.result;
      const value = r.call === 'accept' ? `${r.accepted.length} accepted` : r.call === 'sendto' ? `${r.sent} bytes in the SYN` : (r.errno ?? 'connected');
      results.push(`${action} -> ${value} at ${seconds(o.at)}`);
    }
  }
  const lines = [...segments].map(([key, times]) => `${key} at ${times.map(seconds).join(', ')}`);
  if (lines.length === 0) lines.push('no segment from the target');
  return [...lines, ...results];
}

/**
 * Whole seconds: kernel schedules differ by seconds, while a VM under emulation answers tens of
 * milliseconds later than the host, which is no difference in behaviour.
 */
function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
