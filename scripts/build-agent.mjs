// Builds the C binaries: the static target agent (the same file runs in the lab, in a
// library-less VM initramfs, in a gVisor sandbox, or copied to a remote host), the raw link's
// capture, and the agent built against lwIP (Debian's liblwip ships only a shared library).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = ['harness/agent/agent.c', 'harness/agent/json.c', 'harness/agent/json.h', 'harness/agent/stack.h'];
const binaries = [
  { output: 'build/tcpconform-agent', sources: [...common, 'harness/agent/stack-kernel.c', 'harness/agent/link.c', 'harness/agent/link.h'], flags: ['-static'], libs: [] },
  { output: 'build/tcpconform-capture', sources: ['harness/link/capture.c'], flags: ['-static'], libs: [] },
  { output: 'build/tcpconform-agent-lwip', sources: [...common, 'harness/agent/stack-lwip.c'], flags: ['-I/usr/include/lwip'], libs: ['-llwip', '-lpthread'], package: 'liblwip-dev' },
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
    execFileSync('cc', [...binary.flags, '-O2', '-Wall', '-Wextra', '-Werror', '-o', output, ...sources.filter((s) => s.endsWith('.c')), ...binary.libs], { stdio: 'inherit' });
  } catch {
    console.error(`tcpconform: building ${binary.output} failed; install a C compiler and static libc (apt-get install gcc libc6-dev${binary.package ? ` ${binary.package}` : ''}) and run \`npm run build:agent\`.`);
    process.exit(1);
  }
}
