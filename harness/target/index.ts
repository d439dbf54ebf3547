/** Opening a target by its spec: one opener per kind. */
import { UsageError } from '../cli/errors.ts';
import { openLabTarget } from './lab-target.ts';
import { openQemuTarget } from './qemu.ts';
import { parseTargetSpec, type TargetSpec } from './spec.ts';
import type { Target } from './target.ts';

type Opener<K extends TargetSpec['kind']> = (spec: Extract<TargetSpec, { kind: K }>, text: string) => Promise<Target>;

const openers: { [K in TargetSpec['kind']]: Opener<K> | null } = {
  local: (_, text) => openLabTarget({ kind: 'fresh' }, text),
  netns: (spec, text) => openLabTarget({ kind: 'attach', name: spec.name }, text),
  qemu: (spec, text) => openQemuTarget(spec.kernel, text),
  ssh: null,
};

export async function openTarget(text: string): Promise<Target> {
  const spec = parseTargetSpec(text);
  const opener = openers[spec.kind] as Opener<typeof spec.kind> | null;
  if (!opener) throw new UsageError(`target kind '${spec.kind}' is not supported yet`);
  return opener(spec as never, text);
}

export type { Target } from './target.ts';
