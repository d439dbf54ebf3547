// Builds the target agent: a static C binary, so the same file runs in the lab, in a
// library-less VM initramfs, or copied to a remote host.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['agent.c', 'json.c', 'json.h', 'link.c', 'link.h'].map((f) => join(root, 'harness/agent', f));
const output = join(root, 'build/tcpconform-agent');

function isFresh() {
  try {
    const built = statSync(output).mtimeMs;
    return sources.every((s) => built >= statSync(s).mtimeMs);
  } catch {
    return false;
  }
}

if (!isFresh()) {
  mkdirSync(dirname(output), { recursive: true });
  try {
    execFileSync('cc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', output, ...sources.filter((s) => s.endsWith('.c'))], {
      stdio: 'inherit',
    });
  } catch {
    console.error('tcpconform: building the agent failed; install a C compiler and static libc (apt-get install gcc libc6-dev) and run `npm run build:agent`.');
    process.exit(1);
  }
}
