/** Runs system tools by argument list, never through a shell; failures carry the command and its stderr. */
import { execFile, execFileSync } from 'node:child_process';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: readonly string[],
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} failed: ${stderr.trim() || 'no message'}`);
  }
}

export function run(command: readonly string[], input?: string): Promise<string> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = execFile(file!, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new CommandError(command, stderr || error.message));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The synchronous form, for teardown from a signal handler where nothing may wait. */
export function runSync(command: readonly string[]): string | null {
  const [file, ...args] = command;
  try {
    return execFileSync(file!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}
