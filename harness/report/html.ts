/**
 * report.html: one self-contained page (inline CSS and SVG, no script) with the run's summary
 * and, for each counterexample, expected and observed exchanges as ladder diagrams side by side.
 */
import { describeAction, describeExpectedSegment, describePeer, describeSegment } from '../diff/describe.ts';
import type { Deviation } from '../diff/deviation.ts';
import type { Expectation } from '../model/expectations.ts';
import type { Peer } from '../model/actions.ts';
import { escapeXml as x } from './escape.ts';
import type { Counterexample, PropertyResult, RunReport } from './schema.ts';

/** One arrow or note of a ladder. */
interface Rung {
  readonly at: string;
  readonly sortAt: number;
  readonly dir: 'in' | 'out' | 'note';
  readonly peer: string;
  readonly label: string;
  readonly bad: boolean;
}

const ROW = 34;
const WIDTH = 660;
const LEFT = 110;
const RIGHT = WIDTH - 50;

const ms = (t: number): string => (t >= 1000 ? `${(t / 1000).toFixed(3)} s` : `${t.toFixed(1)} ms`);
const samePeer = (a: Peer | null, b: Peer): boolean => a !== null && describePeer(a) === describePeer(b);

function ladder(title: string, rungs: Rung[]): string {
  // At equal times, what the harness sent comes before what it caused.
  const rank = { note: 0, in: 1, out: 2 } as const;
  const sorted = [...rungs].sort((a, b) => a.sortAt - b.sortAt || rank[a.dir] - rank[b.dir]);
  const height = 60 + sorted.length * ROW;
  const items = sorted.map((r, i) => {
    const y = 50 + i * ROW + ROW / 2;
    const color = r.bad ? '#c62828' : r.dir === 'note' ? '#555' : '#1a237e';
    const time = `<text x="4" y="${y + 4}" class="t">${x(r.at)}</text>`;
    if (r.dir === 'note') return `${time}<text x="${RIGHT - 6}" y="${y + 4}" text-anchor="end" class="n" fill="${color}">${x(r.label)}</text>`;
    const [from, to] = r.dir === 'in' ? [LEFT, RIGHT] : [RIGHT, LEFT];
    const head = r.dir === 'in' ? `${to - 8},${y - 4} ${to},${y} ${to - 8},${y + 4}` : `${to + 8},${y - 4} ${to},${y} ${to + 8},${y + 4}`;
    return `${time}<line x1="${from}" y1="${y}" x2="${to}" y2="${y}" stroke="${color}" stroke-width="${r.bad ? 2.5 : 1.5}"/><polygon points="${head}" fill="${color}"/><text x="${(LEFT + RIGHT) / 2}" y="${y - 5}" text-anchor="middle" class="l" fill="${color}">${x(`${r.peer}: ${r.label}`)}</text>`;
  });
  return `<figure class="ladder"><figcaption>${x(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${x(title)} ladder diagram">
<text x="${LEFT}" y="20" text-anchor="middle" class="h">harness</text><text x="${RIGHT}" y="20" text-anchor="middle" class="h">target</text>
<line x1="${LEFT}" y1="28" x2="${LEFT}" y2="${height - 6}" stroke="#999"/><line x1="${RIGHT}" y1="28" x2="${RIGHT}" y2="${height - 6}" stroke="#999"/>
${items.join('\n')}</svg></figure>`;
}

function isBadExpectation(e: Expectation, deviations: readonly Deviation[]): boolean {
  if (e.kind === 'counter' || e.kind === 'drop') return false;
  return deviations.some((d) => d.step === e.cause && d.kind !== 'unexpected-segment' && (e.kind === 'segment' ? samePeer(d.peer, e.to) : d.peer === null));
}

function ladders(c: Counterexample): string {
  // Inputs are placed at their action's time, the clock the model's intervals count from.
  const inputs: Rung[] = c.sent.map((s) => ({ at: ms(s.at), sortAt: c.actions[s.cause]?.at ?? s.at, dir: 'in', peer: describePeer(s.from), label: describeSegment(s.segment), bad: false }));
  const calls: Rung[] = c.actions
    .filter(({ action }) => !['syn', 'finalAck', 'badAck', 'rst', 'clientFin', 'synToClosedPort', 'ackToClosedPort', 'answerSyn'].includes(action.kind))
    .map(({ at, action }) => ({ at: ms(at), sortAt: at, dir: 'note', peer: '', label: describeAction(action), bad: false }));
  const expected: Rung[] = c.expected.flatMap((e): Rung[] => {
    if (e.kind === 'counter') return [];
    if (e.kind === 'drop') return [{ at: ms(e.at.earliest), sortAt: e.at.earliest, dir: 'note', peer: describePeer(e.to), label: `drops it (${e.rule.id})`, bad: false }];
    const at = `${ms(e.at.earliest)}…${ms(e.at.latest)}`;
    const bad = isBadExpectation(e, c.deviations);
    if (e.kind === 'segment') return [{ at, sortAt: e.at.earliest, dir: 'out', peer: describePeer(e.to), label: `${describeExpectedSegment(e.segment)}${e.optional ? ' (may come)' : ''}`, bad }];
    return [{ at, sortAt: e.at.earliest, dir: 'note', peer: '', label: `returns ${JSON.stringify(e.result)}`, bad }];
  });
  const observed: Rung[] = c.observed.flatMap((o): Rung[] => {
    if (o.kind === 'segment') {
      const text = describeSegment(o.segment);
      const bad = c.deviations.some((d) => samePeer(d.peer, o.to) && (d.observed.includes(text) || (d.kind === 'field-mismatch' && Math.abs(c.actions[d.step]?.at ?? -1e9) <= o.at)));
      return [{ at: ms(o.at), sortAt: o.at, dir: 'out', peer: describePeer(o.to), label: text, bad }];
    }
    if (o.kind === 'result') return [{ at: ms(o.at), sortAt: o.at, dir: 'note', peer: '', label: `returns ${JSON.stringify(o.result)}`, bad: c.deviations.some((d) => d.kind === 'wrong-result' && d.step === o.cause) }];
    if (o.kind === 'icmp') return [{ at: ms(o.at), sortAt: o.at, dir: 'out', peer: describePeer(o.to), label: o.summary, bad: true }];
    return [];
  });
  return `<div class="ladders">${ladder('Expected (reference model)', [...calls, ...inputs, ...expected])}${ladder('Observed (target)', [...calls, ...inputs, ...observed])}</div>`;
}

function counterexample(p: PropertyResult, c: Counterexample): string {
  return `<section class="cx" id="${x(c.id)}"><h3>${x(`${p.suite}/${p.property} (IPv${p.family})`)}: counterexample</h3>
<p>Reproduced in ${c.replays.reproduced} of ${c.replays.attempts} replays on fresh state. Replay: <code>${x(c.replayCommand)}</code></p>
<p>Files: <a href="${x(c.pcap)}">pcap</a> · <a href="${x(c.packetdrill)}">packetdrill script</a></p>
<h4>Steps</h4><ol start="0">${c.actions.map((a) => `<li><span class="t">${x(ms(a.at))}</span> ${x(describeAction(a.action))}</li>`).join('')}</ol>
<h4>Deviations</h4><ul class="dev">${c.deviations.map((d) => `<li>${x(d.message)}</li>`).join('')}</ul>
${ladders(c)}</section>`;
}

/** Cases the target could not run, after the count of those it ran: " (+3 n/a: the target has no …)". */
function notApplicableText(p: PropertyResult): string {
  const entries = Object.entries(p.notApplicable);
  return entries.length === 0 ? '' : `<br><span class="na">+${entries.reduce((n, [, c]) => n + c, 0)} n/a: ${entries.map(([why]) => x(why)).join('; ')}</span>`;
}

export function renderHtml(r: RunReport): string {
  const count = (s: string): number => r.properties.filter((p) => p.status === s).length;
  const rows = r.properties
    .map((p) => `<tr class="${p.status}"><td>${x(p.suite)}</td><td>${p.counterexample ? `<a href="#${x(p.counterexample.id)}">${x(p.property)}</a>` : x(p.property)}</td><td>IPv${p.family}</td><td>${x(p.status)}</td><td>${p.numRuns}${notApplicableText(p)}</td><td>${(p.durationMs / 1000).toFixed(1)} s</td><td>${p.silence.barrier} barrier / ${p.silence.timeout} timeout</td><td>${p.signature.map(x).join('<br>')}</td><td>${x(p.error ?? '')}</td></tr>`)
    .join('\n');
  const flags = Object.entries(r.profile.flags).map(([k, v]) => `<tr><td>${x(k)}</td><td>${v}</td></tr>`).join('');
  const sysctls = Object.entries(r.target.sysctls).map(([k, v]) => `<tr><td>${x(k)}</td><td>${x(v)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tcpconform: ${x(r.target.spec)} (${x(r.target.kernel)})</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
tr.fail td{background:#fde7e7}tr.flaky td{background:#fff6d6}tr.error td{background:#f3e5f5}tr.not-applicable td{color:#777;background:#f4f4f4}tr.pass td:nth-child(4){color:#2e7d32}
.ladders{display:flex;gap:16px;flex-wrap:wrap}.ladder{margin:0;border:1px solid #ddd;padding:6px}figcaption{font-weight:600}
svg .t{font:10px monospace;fill:#666}svg .l{font:11px monospace}svg .n{font:11px monospace}svg .h{font:600 12px sans-serif}
ul.dev li{color:#c62828;font-family:monospace}code{background:#f4f4f4;padding:1px 4px}.cx{border-top:2px solid #ccc;margin-top:24px}
details{margin:8px 0}
</style></head><body>
<h1>tcpconform report</h1>
<p><b>Target</b> ${x(r.target.spec)} · <b>kernel</b> ${x(r.target.kernel)} · <b>profile</b> ${x(r.profile.name)} · <b>seed</b> ${r.seed} · <b>status</b> ${x(r.status)}${r.error ? ` (${x(r.error)})` : ''} · started ${x(r.startedAt)}${r.finishedAt ? `, finished ${x(r.finishedAt)}` : ''}</p>
<p>${count('pass')} passed, ${count('fail')} failed, ${count('flaky')} flaky, ${count('error')} errors${count('not-applicable') ? `, ${count('not-applicable')} not applicable` : ''}.</p>
<table><thead><tr><th>suite</th><th>property</th><th>IP</th><th>verdict</th><th>cases</th><th>time</th><th>silence proven by</th><th>behaviour signature</th><th>error</th></tr></thead><tbody>
${rows}
</tbody></table>
<details><summary>Profile flags</summary><table>${flags}</table></details>
<details><summary>Target sysctls</summary><table>${sysctls}</table></details>
${r.properties.filter((p) => p.counterexample).map((p) => counterexample(p, p.counterexample!)).join('\n')}
</body></html>
`;
}
