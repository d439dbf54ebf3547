import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** Reads a JSON file the user named; any problem is one UsageError line saying what. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON (truncated, or not a ${what})`);
  }
}
