/**
 * Targets as the run sees them: a scenario executor plus what the report says about the kernel.
 * `model:<profile>` runs the suites against the reference model itself (no kernel, no root).
 */
import { UsageError } from '../cli/errors.ts';
import { modelTarget } from '../executor/model-target.ts';
import type { ScenarioExecutor } from '../executor/execution.ts';
import { wireExecutor } from '../executor/wire-executor.ts';
import { DEFAULT_SETTINGS, DEFAULT_SYSCTLS, profileByName, SETTINGS_SYSCTLS, type KernelProfile, type TargetSettings } from '../model/profiles.ts';
import { openTarget } from '../target/index.ts';


export interface ExecutorTarget {
  readonly executor: ScenarioExecutor & { readonly settings: TargetSettings };
  readonly kernel: string;
  /** The target's live values of the sysctls the model reads (absent ones left out). */
  readonly sysctls: Readonly<Record<string, string>>;
  readonly sysctlsPresent: ReadonlySet<string>;
  /** How many targets of this spec may run side by side (Target.sideBySide; the model's as many as fresh labs). */
  readonly parallel: number;
  /** The profile the target itself declares (the model as a target); null: detect it from the kernel. */
  readonly profile: KernelProfile | null;
  close(): Promise<void>;
}

export async function openExecutorTarget(spec: string, options: { allowRemote: boolean }): Promise<ExecutorTarget> {
  if (spec.startsWith('model:')) {
    const profile = profileByName(spec.slice('model:'.length));
    const executor = Object.assign(modelTarget(profile, DEFAULT_SETTINGS), { settings: DEFAULT_SETTINGS });
    return { executor, kernel: `model ${profile.name}`, sysctls: DEFAULT_SYSCTLS, sysctlsPresent: new Set(Object.keys(DEFAULT_SYSCTLS)), parallel: 6, profile, close: () => executor.close() };
  }
  if (spec.startsWith('ssh://') && !options.allowRemote) throw new UsageError(`target ${spec} is a remote host: packets would leave this machine; pass --allow-remote to allow it`);
  const target = await openTarget(spec);
  try {
    const present = await target.agent.sysctlGet([...SETTINGS_SYSCTLS]);
    const executor = await wireExecutor({ description: spec, agent: target.agent, wire: target.link, addresses: target.addresses, mtu: target.mtu, ownsLink: target.ownsLink });
    return {
      executor,
      kernel: target.kernel,
      sysctls: present,
      sysctlsPresent: new Set(Object.keys(present)),
      parallel: target.sideBySide,
      profile: null,
      close: async () => {
        await executor.close().catch(() => undefined);
        await target.close();
      },
    };
  } catch (error) {
    await target.close();
    throw error;
  }
}
