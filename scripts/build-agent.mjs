// Builds the static C binaries: the target agent (the same file runs in the lab, in a
// library-less VM initramfs, or copied to a remote host) and the raw link's capture.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binaries = [
  { output: 'build/tcpconform-agent', sources: ['harness/agent/agent.c', 'harness/agent/json.c', 'harness/agent/json.h', 'harness/agent/link.c', 'harness/agent/link.h'] },
  { output: 'build/tcpconform-capture', sources: ['harness/link/capture.c'] },
];

function isFresh(output, sources) {
  try {
    const built = statSync(output).mtimeMs;
    return sources.every((s) => built >= statSync(s).mtimeMs);
  } catch {
    return false;
  }
}

for (const binary of binaries) {
  const output = join(root, binary.output);
  const sources = binary.sources.map((s) => join(root, s));
  if (isFresh(output, sources)) continue;
  mkdirSync(dirname(output), { recursive: true });
  try {
    execFileSync('cc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', output, ...sources.filter((s) => s.endsWith('.c'))], { stdio: 'inherit' });
  } catch {
    console.error(`tcpconform: building ${binary.output} failed; install a C compiler and static libc (apt-get install gcc libc6-dev) and run \`npm run build:agent\`.`);
    process.exit(1);
  }
}
