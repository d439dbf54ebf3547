/**
 * What a run is doing, on stderr. On a terminal a live line is redrawn: properties done of all,
 * each running property with its cases done of planned, and the elapsed time. Elsewhere (CI
 * logs) only a plain line per finished property. With several targets side by side, each line
 * names its target and no live line is drawn (they would overwrite each other).
 */
import type { RunReport } from '../report/schema.ts';
import { rowName as name } from './families.ts';
import type { Property } from './property.ts';

export class Progress {
  private finished = 0;
  private readonly running = new Map<string, { done: number; planned: number }>();
  private readonly started = Date.now();
  private readonly live: boolean;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly total: number,
    private readonly label: string | null = null,
  ) {
    this.live = process.stderr.isTTY === true && label === null;
    this.timer = this.live ? setInterval(() => this.draw(), 500) : null;
  }

  start(property: Property, plannedCases: number): void {
    this.running.set(name(property), { done: 0, planned: plannedCases });
  }

  /** One more case of the property has run (exploring, shrinking or replaying). */
  caseDone(property: Property): void {
    const entry = this.running.get(name(property));
    if (entry) entry.done++;
  }

  done(property: Property, status: string): void {
    this.finished++;
    this.running.delete(name(property));
    const line = `${status.toUpperCase().padEnd(5)} ${this.label === null ? '' : `[${this.label}] `}${name(property)}`;
    if (this.live) process.stderr.write(`\r\x1b[K${line}\n`);
    else console.error(line);
    this.draw();
  }

  summary(report: RunReport, dir: string): void {
    const count = (s: string): number => report.properties.filter((p) => p.status === s).length;
    if (this.live) process.stderr.write('\r\x1b[K');
    console.error(`${this.label === null ? '' : `[${this.label}] `}${count('pass')} passed, ${count('fail')} failed, ${count('flaky')} flaky, ${count('error')} errors${count('not-applicable') ? `, ${count('not-applicable')} not applicable` : ''} in ${this.seconds()} s; report: ${dir}/report.html`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) process.stderr.write('\r\x1b[K');
  }

  /** The live line, cut to the terminal's width so it never wraps. */
  line(): string {
    const cases = [...this.running].map(([p, { done, planned }]) => `${p} ${done}/${planned}${done > planned ? ' shrinking' : ''}`);
    return `[${this.finished}/${this.total}] ${cases.join(' · ') || (this.finished === 0 ? 'starting' : 'finishing')} · ${this.seconds()} s`;
  }

  private draw(): void {
    if (this.live) process.stderr.write(`\r\x1b[K${this.line().slice(0, Math.max(20, (process.stderr.columns || 100) - 1))}`);
  }

  private seconds(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }
}
