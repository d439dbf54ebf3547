/** What --target names. */
import { UsageError } from '../cli/errors.ts';
import { familyOf } from '../packet/address.ts';

export type TargetSpec =
  | { readonly kind: 'local' }
  | { readonly kind: 'gvisor' }
  | { readonly kind: 'lwip' }
  | { readonly kind: 'netns'; readonly name: string }
  | { readonly kind: 'qemu'; readonly kernel: string }
  | { readonly kind: 'ssh'; readonly user: string; readonly host: string };

/** Whether a kind's instances emulate a machine or trap every system call (qemu's TCG, gVisor's ptrace), keeping the cores busy. */
export const isEmulated = (spec: TargetSpec): boolean => spec.kind === 'qemu' || spec.kind === 'gvisor';

const FORMS = 'local, gvisor, lwip, netns:<name>, qemu:<kernel version or vmlinuz path>, ssh://user@host (an IPv6 host in brackets: ssh://user@[fd00::1])';

export function parseTargetSpec(spec: string): TargetSpec {
  if (spec === 'local') return { kind: 'local' };
  if (spec === 'gvisor') return { kind: 'gvisor' };
  if (spec === 'lwip') return { kind: 'lwip' };
  // An address where a name belongs (netns:fd00::1, qemu:10.0.0.1): say so, not just "bad".
  const named = /^(netns|qemu):(.+)$/.exec(spec);
  if (named && familyOf(named[2]!) !== null) throw new UsageError(`bad target '${spec}': ${named[1]}: takes a ${named[1] === 'netns' ? 'network namespace name' : 'kernel series or vmlinuz path'}, not an IP address`);
  const netns = /^netns:([A-Za-z0-9_.-]{1,64})$/.exec(spec);
  if (netns) return { kind: 'netns', name: netns[1]! };
  const qemu = /^qemu:(\S+)$/.exec(spec);
  if (qemu) return { kind: 'qemu', kernel: qemu[1]! };
  const ssh = /^ssh:\/\/([A-Za-z0-9_.-]+)@(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))$/.exec(spec);
  if (ssh && (ssh[2] === undefined || familyOf(ssh[2]) === 6)) return { kind: 'ssh', user: ssh[1]!, host: ssh[2] ?? ssh[3]! };
  throw new UsageError(`bad target '${spec}': expected ${FORMS}`);
}
