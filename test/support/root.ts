import { execFileSync } from 'node:child_process';

/** Lab tests need root: fail (never skip) with a message that says how to run them. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('this test drives network namespaces and raw sockets: run it as root (sudo npm test)');
}

/** Runs a command, returning stdout; throws with its stderr on failure. */
export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
}
