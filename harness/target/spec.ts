/** What --target names. */
import { UsageError } from '../cli/errors.ts';

export type TargetSpec =
  | { readonly kind: 'local' }
  | { readonly kind: 'netns'; readonly name: string }
  | { readonly kind: 'qemu'; readonly kernel: string }
  | { readonly kind: 'ssh'; readonly user: string; readonly host: string };

const FORMS = 'local, netns:<name>, qemu:<kernel version or vmlinuz path>, ssh://user@host';

export function parseTargetSpec(spec: string): TargetSpec {
  if (spec === 'local') return { kind: 'local' };
  const netns = /^netns:([A-Za-z0-9_.-]{1,64})$/.exec(spec);
  if (netns) return { kind: 'netns', name: netns[1]! };
  const qemu = /^qemu:(\S+)$/.exec(spec);
  if (qemu) return { kind: 'qemu', kernel: qemu[1]! };
  const ssh = /^ssh:\/\/([A-Za-z0-9_.-]+)@([A-Za-z0-9_.:-]+)$/.exec(spec);
  if (ssh) return { kind: 'ssh', user: ssh[1]!, host: ssh[2]! };
  throw new UsageError(`bad target '${spec}': expected ${FORMS}`);
}
