/**
 * Kernels and stacks side by side: a matrix of properties x targets (verdict and behaviour signature), and
 * every property whose behaviour differs, explained by the profile flags that differ between
 * those targets and that the property depends on.
 */
import { escapeXml as x } from './escape.ts';
import { rowName } from '../run/families.ts';
import type { PropertyResult, RunReport } from './schema.ts';

export interface Comparison {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<{ readonly property: string; readonly cells: ReadonlyArray<PropertyResult | null> }>;
  readonly differences: ReadonlyArray<{ readonly property: string; readonly explanation: string }>;
}

const column = (r: RunReport): string => `${r.target.spec} (${r.target.kernel}, ${r.profile.name})`;

/**
 * Column order: Linux kernels by version (5.10 before 6.1 before 6.12), then every other target
 * (the model, other stacks) by name; ties keep the order they were given in.
 */
function columnOrder(r: RunReport): [number, number, number, string] {
  const version = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.target.kernel);
  return version ? [0, Number(version[1]) * 1000 + Number(version[2]), Number(version[3] ?? 0), ''] : [1, 0, 0, r.target.kernel];
}

export function sortByKernelVersion(reports: readonly RunReport[]): RunReport[] {
  const compare = (a: RunReport, b: RunReport): number => {
    const [x, y] = [columnOrder(a), columnOrder(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3].localeCompare(y[3]);
  };
  return [...reports].sort(compare);
}

export function compareReports(given: readonly RunReport[]): Comparison {
  const reports = sortByKernelVersion(given);
  // A row per property and IP version: the families are compared apart (reports before IPv6 ran IPv4 only).
  const row = (p: PropertyResult): string => rowName({ suite: p.suite, name: p.property, family: p.family ?? 4 });
  const names = [...new Set(reports.flatMap((r) => r.properties.map(row)))].sort();
  const rows = names.map((property) => ({ property, cells: reports.map((r) => r.properties.find((p) => row(p) === property) ?? null) }));
  const differences = rows.flatMap(({ property, cells }) => {
    // A target that could not run the row has no behaviour to compare.
    const present = cells.map((c, i) => ({ c, r: reports[i]! })).filter((e): e is { c: PropertyResult; r: RunReport } => e.c !== null && e.c.status !== 'not-applicable');
    const signatures = new Set(present.map((e) => e.c.signature.join(' | ')));
    // A flaky property conformed on replay: only a failure or an error is a verdict of its own.
    const verdicts = new Set(present.map((e) => (e.c.status === 'flaky' ? 'pass' : e.c.status)));
    if (signatures.size <= 1 && verdicts.size <= 1) return [];
    const flags = [...new Set(present.flatMap((e) => e.c.flags))];
    const value = (e: (typeof present)[number], f: string): string => String((e.r.profile.flags as unknown as Record<string, boolean>)[f]);
    const differing = flags.filter((f) => new Set(present.map((e) => value(e, f))).size > 1);
    // A flag explains the difference where targets that behaved alike agree on it; else every differing flag is named.
    const alike = (a: (typeof present)[number], b: (typeof present)[number]): boolean => a.c.signature.join(' | ') === b.c.signature.join(' | ');
    const consistent = differing.filter((f) => present.every((a) => present.every((b) => !alike(a, b) || value(a, f) === value(b, f))));
    const named = consistent.length ? consistent : differing;
    const by = named.length
      ? `explained by ${named.join(', ')}: ${present.map((e) => `${e.r.profile.name} (${named.map((f) => `${f}=${value(e, f)}`).join(', ')})`).join(' vs ')}`
      : 'no profile flag of this property differs between these targets: a difference the profiles do not explain';
    const what = present.map((e) => `${column(e.r)}: ${e.c.status}, ${e.c.signature.join('; ') || 'no signature'}`).join(' | ');
    return [{ property, explanation: `${by}. ${what}` }];
  });
  return { columns: reports.map(column), rows, differences };
}

const cellText = (c: PropertyResult | null): string => (c === null ? 'not run' : c.status === 'not-applicable' ? `n/a: ${Object.keys(c.notApplicable).join('; ')}` : `${c.status.toUpperCase()}: ${c.signature.join('; ') || '-'}`);

export function renderComparisonMarkdown(c: Comparison): string {
  const md = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    '# tcpconform: targets compared',
    '',
    `| property | ${c.columns.map(md).join(' | ')} |`,
    `|---|${c.columns.map(() => '---').join('|')}|`,
    ...c.rows.map((r) => `| ${md(r.property)} | ${r.cells.map((cell) => md(cellText(cell))).join(' | ')} |`),
    '',
    '## Differences',
    '',
    ...(c.differences.length ? c.differences.map((d) => `- **${md(d.property)}**: ${d.explanation}`) : ['None: every property behaves the same on every target.']),
    '',
  ];
  return lines.join('\n');
}

export function renderComparisonHtml(c: Comparison): string {
  const cell = (p: PropertyResult | null): string => `<td class="${p?.status ?? 'none'}"><b>${x(p?.status ?? 'not run')}</b>${p ? `<br>${p.signature.map(x).join('<br>')}` : ''}</td>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tcpconform: targets compared</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.fail{background:#fde7e7}td.flaky{background:#fff6d6}td.error{background:#f3e5f5}td.pass b{color:#2e7d32}li{margin:6px 0}</style></head><body>
<h1>Kernels compared</h1>
<table><thead><tr><th>property</th>${c.columns.map((h) => `<th>${x(h)}</th>`).join('')}</tr></thead><tbody>
${c.rows.map((r) => `<tr><td>${x(r.property)}</td>${r.cells.map(cell).join('')}</tr>`).join('\n')}
</tbody></table>
<h2>Differences</h2>
<ul>${c.differences.length ? c.differences.map((d) => `<li><b>${x(d.property)}</b>: ${x(d.explanation)}</li>`).join('') : '<li>None: every property behaves the same on every target.</li>'}</ul>
</body></html>
`;
}
