/** What tcpconform needs to build labs and send raw packets, and how to get it. */
import { existsSync, readFileSync } from 'node:fs';
import { EnvironmentError } from '../cli/errors.ts';

const CAP_NET_ADMIN = 12n;
const CAP_NET_RAW = 13n;
const CAP_SYS_ADMIN = 21n;

function effectiveCapabilities(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0';
  return BigInt(`0x${hex}`);
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => existsSync(`${dir}/${tool}`));
}

/**
 * Throws an EnvironmentError naming what is missing. Named network namespaces (`ip netns add`)
 * need CAP_SYS_ADMIN to mount under /run/netns, so in practice: root.
 */
export function checkPrivileges(): void {
  const caps = effectiveCapabilities();
  const has = (cap: bigint): boolean => (caps & (1n << cap)) !== 0n;
  const missing = [
    has(CAP_NET_ADMIN) ? null : 'CAP_NET_ADMIN',
    has(CAP_NET_RAW) ? null : 'CAP_NET_RAW',
    has(CAP_SYS_ADMIN) ? null : 'CAP_SYS_ADMIN',
  ].filter((c) => c !== null);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `missing ${missing.join(', ')}: tcpconform creates network namespaces and sends raw packets. Run it as root: sudo npx tcpconform ... (named network namespaces are mounted under /run/netns, which a user namespace from unshare -rn cannot write)`,
    );
  }
  const tools = (['ip', 'nft', 'ethtool'] as const).filter((t) => !onPath(t));
  if (tools.length > 0) throw new EnvironmentError(`missing ${tools.join(', ')}: run \`bash scripts/setup.sh\` as root (apt-get install iproute2 nftables ethtool)`);
}
