/** A live progress line on a terminal; plain lines otherwise (CI logs). */
import type { RunReport } from '../report/schema.ts';
import type { Property } from './property.ts';

export class Progress {
  private finished = 0;
  private readonly started = Date.now();
  private readonly live = process.stderr.isTTY === true;
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly total: number) {
    this.timer = this.live ? setInterval(() => this.draw(), 500) : null;
  }

  done(property: Property, status: string): void {
    this.finished++;
    const line = `${status.toUpperCase().padEnd(5)} ${property.suite}/${property.name}`;
    if (this.live) process.stderr.write(`\r\x1b[K${line}\n`);
    else console.error(line);
    this.draw();
  }

  summary(report: RunReport, dir: string): void {
    const count = (s: string): number => report.properties.filter((p) => p.status === s).length;
    console.error(`${count('pass')} passed, ${count('fail')} failed, ${count('flaky')} flaky, ${count('error')} errors in ${this.seconds()} s; report: ${dir}/report.html`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) process.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    if (this.live) process.stderr.write(`\r\x1b[K[${this.finished}/${this.total}] ${this.seconds()} s`);
  }

  private seconds(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }
}
