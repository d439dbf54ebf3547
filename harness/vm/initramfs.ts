/**
 * The VM's whole userland: busybox, the static agent, the NIC module and an /init that sets the
 * target's addresses (IPv4 and IPv6) and runs the agent on the second serial port (the first carries the kernel's
 * log, so the two never mix).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentBinaryPath } from '../agent/client.ts';
import { LAB_NETS } from '../lab/addresses.ts';
import { run } from '../lab/command.ts';

export const AGENT_PORT = '/dev/ttyS1';

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m"; done
ip link set lo up
# IPv6 addresses usable at once (no duplicate address detection), and no router solicitations.
echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad
echo 0 > /proc/sys/net/ipv6/conf/eth0/router_solicitations
ip link set eth0 up
${Object.values(LAB_NETS).map((net) => `ip addr add ${net.target}/${net.prefixLength} dev eth0\nip route add ${net.clientRange} via ${net.tester}`).join('\n')}
stty -F ${AGENT_PORT} raw -echo 115200
echo "tcpconform: agent on ${AGENT_PORT}"
exec /agent < ${AGENT_PORT} > ${AGENT_PORT}
`;

/** Builds a newc cpio archive (uncompressed: every kernel takes it) and returns its path. */
export async function buildInitramfs(kernelDirectory: string, modules: readonly string[], output: string): Promise<string> {
  const stage = mkdtempSync(join(tmpdir(), 'tcpc-initramfs-'));
  try {
    for (const d of ['bin', 'proc', 'sys', 'dev', 'modules']) mkdirSync(join(stage, d));
    copyFileSync('/bin/busybox', join(stage, 'bin/busybox'));
    copyFileSync(agentBinaryPath(), join(stage, 'agent'));
    modules.forEach((m, i) => copyFileSync(join(kernelDirectory, m), join(stage, 'modules', `${String(i).padStart(2, '0')}-${m}`)));
    writeFileSync(join(stage, 'init'), INIT);
    for (const f of ['bin/busybox', 'agent', 'init']) chmodSync(join(stage, f), 0o755);
    await run(['sh', '-c', `cd '${stage}' && find . | cpio -o -H newc --quiet > '${output}'`]);
    return output;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
