/**
 * Targets as the run sees them: a scenario executor plus what the report says about the kernel.
 * `model:<profile>` runs the suites against the reference model itself (no kernel, no root).
 */
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { UsageError } from '../cli/errors.ts';
import { modelTarget } from '../executor/model-target.ts';
import type { ScenarioExecutor } from '../executor/execution.ts';
import { wireExecutor } from '../executor/wire-executor.ts';
import { DEFAULT_SETTINGS, DEFAULT_SYSCTLS, profileByName, profileFor, SETTINGS_SYSCTLS, stackProfile, type KernelProfile, type TargetSettings } from '../model/profiles.ts';
import { openTarget } from '../target/index.ts';

/** This machine's kernel's profile: what a stack other than Linux is judged by unless told. */
const hostKernelProfile = (): KernelProfile => profileFor(release(), new Set(existsSync('/proc/sys/net/ipv4/tcp_syn_linear_timeouts') ? ['net.ipv4.tcp_syn_linear_timeouts'] : []));

export interface ExecutorTarget {
  readonly executor: ScenarioExecutor & { readonly settings: TargetSettings };
  readonly kernel: string;
  /** The target's live values of the sysctls the model reads (absent ones left out). */
  readonly sysctls: Readonly<Record<string, string>>;
  /** How many targets of this spec may run side by side (Target.sideBySide; the model's as many as fresh labs). */
  readonly parallel: number;
  /** The profile that describes the target: its kernel version's, its stack's, or the model's own. */
  readonly ownProfile: KernelProfile;
  /**
   * What it is judged by without --profile: its own profile for a Linux kernel or the model; a
   * stack other than Linux by this machine's kernel's, as both aim at Linux's socket behaviour.
   */
  readonly defaultProfile: KernelProfile;
  close(): Promise<void>;
}

export async function openExecutorTarget(spec: string, options: { allowRemote: boolean }): Promise<ExecutorTarget> {
  if (spec.startsWith('model:')) {
    const profile = profileByName(spec.slice('model:'.length));
    const executor = Object.assign(modelTarget(profile, DEFAULT_SETTINGS), { settings: DEFAULT_SETTINGS });
    return { executor, kernel: `model ${profile.name}`, sysctls: DEFAULT_SYSCTLS, parallel: 6, ownProfile: profile, defaultProfile: profile, close: () => executor.close() };
  }
  if (spec.startsWith('ssh://') && !options.allowRemote) throw new UsageError(`target ${spec} is a remote host: packets would leave this machine; pass --allow-remote to allow it`);
  const target = await openTarget(spec);
  try {
    const present = await target.agent.sysctlGet([...SETTINGS_SYSCTLS]);
    const executor = await wireExecutor({ description: spec, agent: target.agent, wire: target.link, addresses: target.addresses, mtu: target.mtu, ownsLink: target.ownsLink, barrierSettleMs: target.barrierSettleMs, lacks: target.lacks });
    const kernelProfile = profileFor(target.kernel, new Set(Object.keys(present)));
    return {
      executor,
      kernel: target.kernel,
      sysctls: present,
      parallel: target.sideBySide,
      ownProfile: target.stack === 'linux' ? kernelProfile : stackProfile(target.stack),
      defaultProfile: target.stack === 'linux' ? kernelProfile : hostKernelProfile(),
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
