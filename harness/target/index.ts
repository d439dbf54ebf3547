/**
 * Opening a target by its spec. Kinds register themselves, so a new kind (a VM, a remote host)
 * is a module of its own, not another branch here.
 */
import { UsageError } from '../cli/errors.ts';
import { parseTargetSpec, type TargetSpec } from './spec.ts';
import type { Target } from './target.ts';
import { openLabTarget } from './lab-target.ts';

export type TargetOpener<K extends TargetSpec['kind']> = (spec: Extract<TargetSpec, { kind: K }>, text: string) => Promise<Target>;

const openers: { [K in TargetSpec['kind']]?: TargetOpener<K> } = {
  local: (_, text) => openLabTarget({ kind: 'fresh' }, text),
  netns: (spec, text) => openLabTarget({ kind: 'attach', name: spec.name }, text),
};

export function registerTargetKind<K extends TargetSpec['kind']>(kind: K, opener: TargetOpener<K>): void {
  (openers as Record<string, unknown>)[kind] = opener;
}

export async function openTarget(text: string): Promise<Target> {
  const spec = parseTargetSpec(text);
  const opener = openers[spec.kind] as TargetOpener<typeof spec.kind> | undefined;
  if (!opener) throw new UsageError(`target kind '${spec.kind}' is not supported by this build`);
  return opener(spec as never, text);
}

export type { Target } from './target.ts';
