// Builds the target agent: a static C binary, so the same file runs in the lab, in a
// library-less VM initramfs, or copied to a remote host.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'harness/agent/agent.c');
const output = join(root, 'build/tcpconform-agent');

function isFresh() {
  try {
    return statSync(output).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    return false;
  }
}

if (!isFresh()) {
  mkdirSync(dirname(output), { recursive: true });
  try {
    execFileSync('cc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', output, source], {
      stdio: 'inherit',
    });
  } catch {
    console.error('tcpconform: building the agent failed; install a C compiler and static libc (apt-get install gcc libc6-dev) and run `npm run build:agent`.');
    process.exit(1);
  }
}
