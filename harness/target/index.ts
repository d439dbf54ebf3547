/** Opening a target by its spec: one opener per kind. */
import { openGvisorTarget } from './gvisor.ts';
import { openLabTarget } from './lab-target.ts';
import { openLwipTarget } from './lwip.ts';
import { openQemuTarget } from './qemu.ts';
import { openSshTarget } from './ssh.ts';
import { parseTargetSpec, type TargetSpec } from './spec.ts';
import type { Target } from './target.ts';

type Opener<K extends TargetSpec['kind']> = (spec: Extract<TargetSpec, { kind: K }>, text: string) => Promise<Target>;

const openers: { [K in TargetSpec['kind']]: Opener<K> } = {
  local: (_, text) => openLabTarget({ kind: 'fresh' }, text),
  gvisor: (_, text) => openGvisorTarget(text),
  lwip: (_, text) => openLwipTarget(text),
  netns: (spec, text) => openLabTarget({ kind: 'attach', name: spec.name }, text),
  qemu: (spec, text) => openQemuTarget(spec.kernel, text),
  ssh: (spec, text) => openSshTarget(spec.user, spec.host, text),
};

export async function openTarget(text: string): Promise<Target> {
  const spec = parseTargetSpec(text);
  const opener = openers[spec.kind] as Opener<typeof spec.kind>;
  return opener(spec as never, text);
}

export type { Target } from './target.ts';
