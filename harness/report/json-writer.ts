/**
 * Owns a run's report directory. Every update rewrites report.json, junit.xml and report.html
 * atomically (temp file + rename), so an interrupted run always leaves valid files of what
 * finished. The first write that fails is thrown once (a UsageError naming the path); later
 * updates are not attempted, so the files keep the last state that was written whole.
 */
import { join } from 'node:path';
import { UsageError } from '../cli/errors.ts';
import { readJsonFile } from '../cli/read-json.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { makeDirectory, writeFileAtomically } from './output-dir.ts';
import { REPORT_SCHEMA, type RunReport } from './schema.ts';

export class ReportWriter {
  private report: RunReport | null = null;
  private failed = false;

  constructor(readonly dir: string) {}

  start(report: RunReport): void {
    makeDirectory(this.dir);
    this.report = report;
    this.flush();
  }

  update(change: (report: RunReport) => void): void {
    if (!this.report || this.failed) return;
    change(this.report);
    this.flush();
  }

  finish(end: Partial<Pick<RunReport, 'status' | 'exitCode' | 'error'>>): void {
    this.update((r) => {
      Object.assign(r, end);
      r.finishedAt = new Date().toISOString();
    });
  }

  /** From a signal handler: synchronous, marks the report interrupted and leaves it valid. */
  interrupt(): void {
    if (this.report?.status === 'running') this.finish({ status: 'interrupted', exitCode: 2, error: 'interrupted by a signal' });
  }

  private flush(): void {
    const report = this.report!;
    try {
      writeFileAtomically(join(this.dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileAtomically(join(this.dir, 'junit.xml'), renderJunit(report));
      writeFileAtomically(join(this.dir, 'report.html'), renderHtml(report));
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }
}

/** Reads and checks a report.json; any problem is a UsageError with one line saying what. */
export function readReport(path: string): RunReport {
  const r = readJsonFile(path, 'report') as Partial<RunReport> | null;
  if (r === null || typeof r !== 'object') throw new UsageError(`${path} is not a report object`);
  if (r.schema !== REPORT_SCHEMA) throw new UsageError(`${path} has schema ${JSON.stringify(r.schema)}, expected ${REPORT_SCHEMA}`);
  for (const field of ['runId', 'target', 'profile', 'properties', 'status'] as const) {
    if (r[field] === undefined) throw new UsageError(`${path} lacks '${field}'`);
  }
  if (!Array.isArray(r.properties)) throw new UsageError(`${path}: 'properties' is not a list`);
  return r as RunReport;
}
