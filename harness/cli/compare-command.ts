import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareReports, renderComparisonHtml, renderComparisonMarkdown } from '../report/compare.ts';
import { readReport } from '../report/json-writer.ts';
import { prepareOutputDirectory, writeFileAtomically } from '../report/output-dir.ts';
import { UsageError } from './errors.ts';

const HELP = `usage: tcpconform compare <report.json> [<report.json> ...] [--out <dir>]
Writes compare.md and compare.html: properties x targets (Linux kernels by version, then the
others), and every behaviour difference explained by the profile flags that differ.
example:
  npx tcpconform compare reports/kernels/*/report.json --out reports/kernels/compare`;

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`compare needs at least one report.json\n${HELP}`);
  const comparison = compareReports(positionals.map(readReport));
  const out = values.out ?? join('reports', `compare-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  prepareOutputDirectory(out);
  writeFileAtomically(join(out, 'compare.md'), renderComparisonMarkdown(comparison));
  writeFileAtomically(join(out, 'compare.html'), renderComparisonHtml(comparison));
  console.log(`${comparison.rows.length} properties x ${comparison.columns.length} targets, ${comparison.differences.length} differences: ${join(out, 'compare.html')}`);
  return 0;
}
