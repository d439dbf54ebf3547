/**
 * Directories and files the user asked reports in. Every failure to write one is a single
 * UsageError line naming the path and the reason, so a run ends with exit 2 instead of a
 * stack trace, and a run checks its directory before it builds anything it must tear down.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../cli/errors.ts';

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code} (${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '')})` : String(error);
}

/**
 * mkdir -p, one level at a time. Node's own `recursive: true` loops forever on some paths
 * (e.g. under /proc, where every level answers ENOENT), and with it the whole event loop.
 */
export function makeDirectory(path: string, what = 'report directory'): void {
  const missing: string[] = [];
  for (let dir = resolve(path); !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  try {
    for (const dir of missing.reverse()) mkdirSync(dir);
  } catch (error) {
    throw new UsageError(`cannot create ${what} ${path}: ${reason(error)}`);
  }
}

/** Makes the directory and proves a file can be written in it; before any lab or VM exists. */
export function prepareOutputDirectory(path: string): void {
  makeDirectory(path);
  const probe = join(path, `.tcpconform-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'probe\n');
  } catch (error) {
    throw new UsageError(`cannot write in report directory ${path}: ${reason(error)}`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * Writes a whole file or nothing (temp file + rename): a reader never sees half a report, and a
 * failed write (disk full, directory gone) leaves the previous version in place.
 */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new UsageError(`cannot write ${path}: ${reason(error)}`);
  }
}
