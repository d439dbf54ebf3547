/**
 * Targets as the run sees them: a scenario executor plus what the report says about the kernel.
 * `model:<profile>` runs the suites against the reference model itself (no kernel, no root).
 */
import { UsageError } from '../cli/errors.ts';
import { modelTarget } from '../executor/model-target.ts';
import type { ScenarioExecutor } from '../executor/execution.ts';
import { wireExecutor } from '../executor/wire-executor.ts';
import { profileByName, SETTINGS_SYSCTLS, settingsFrom, type KernelProfile, type TargetSettings } from '../model/profiles.ts';
import { openTarget } from '../target/index.ts';


export interface ExecutorTarget {
  readonly executor: ScenarioExecutor & { readonly settings: TargetSettings };
  readonly kernel: string;
  /** The target's live values of the sysctls the model reads (absent ones left out). */
  readonly sysctls: Readonly<Record<string, string>>;
  readonly sysctlsPresent: ReadonlySet<string>;
  /** Whether more targets of this spec can run side by side (fresh labs and VMs can; a given namespace cannot). */
  readonly parallel: boolean;
  /** The profile the target itself declares (the model as a target); null: detect it from the kernel. */
  readonly profile: KernelProfile | null;
  close(): Promise<void>;
}

/** A fresh Linux 6.18 network namespace's values, as read on the development machine. */
export const DEFAULT_SYSCTLS: Readonly<Record<string, string>> = {
  'net.core.somaxconn': '4096',
  'net.ipv4.tcp_max_syn_backlog': '2048',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_abort_on_overflow': '0',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_syn_retries': '6',
  'net.ipv4.tcp_syn_linear_timeouts': '4',
  'net.ipv4.tcp_rmem': '4096\t131072\t33554432',
  'net.core.rmem_max': '4194304',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_sack': '1',
  'net.ipv4.tcp_window_scaling': '1',
};
export const DEFAULT_SETTINGS: TargetSettings = settingsFrom(DEFAULT_SYSCTLS, 1500);

export async function openExecutorTarget(spec: string, options: { allowRemote: boolean }): Promise<ExecutorTarget> {
  if (spec.startsWith('model:')) {
    const profile = profileByName(spec.slice('model:'.length));
    const executor = Object.assign(modelTarget(profile, DEFAULT_SETTINGS), { settings: DEFAULT_SETTINGS });
    return { executor, kernel: `model ${profile.name}`, sysctls: DEFAULT_SYSCTLS, sysctlsPresent: new Set(Object.keys(DEFAULT_SYSCTLS)), parallel: true, profile, close: () => executor.close() };
  }
  if (spec.startsWith('ssh://') && !options.allowRemote) throw new UsageError(`target ${spec} is a remote host: packets would leave this machine; pass --allow-remote to allow it`);
  const target = await openTarget(spec);
  try {
    const present = await target.agent.sysctlGet([...SETTINGS_SYSCTLS]);
    const executor = await wireExecutor({ description: spec, agent: target.agent, wire: target.link, targetAddr: target.addresses.target, routerAddr: target.addresses.tester, peers: target.addresses.peers, mtu: target.mtu });
    return {
      executor,
      kernel: target.kernel,
      sysctls: present,
      sysctlsPresent: new Set(Object.keys(present)),
      parallel: !spec.startsWith('netns:') && !spec.startsWith('ssh://'),
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
