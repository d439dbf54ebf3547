/**
 * report.json, version 1. Written as the run goes (status 'running' until the end), so an
 * interrupted run still leaves a valid report. Documented for users in docs/report-schema.md.
 */
import type { Deviation } from '../diff/deviation.ts';
import type { Observation, SentSegment, SilenceProof } from '../diff/observation.ts';
import type { Expectation } from '../model/expectations.ts';
import type { KernelProfile, TargetSettings } from '../model/profiles.ts';
import type { SysctlName, TimedAction } from '../model/actions.ts';
import type { IpFamily } from '../packet/address.ts';

export const REPORT_SCHEMA = 'tcpconform/report@1';

export interface RunReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly runId: string;
  readonly tool: { readonly name: 'tcpconform'; readonly version: string };
  readonly command: readonly string[];
  readonly startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete' | 'interrupted' | 'error';
  readonly target: TargetInfo;
  readonly profile: KernelProfile;
  readonly seed: number;
  readonly runsPerProperty: number;
  readonly budgetSeconds: number | null;
  readonly properties: PropertyResult[];
  /** Exit status the run ends with: 0 conformant, 1 deviations, 2 usage or environment error. */
  exitCode: 0 | 1 | 2 | null;
  error: string | null;
}

export interface TargetInfo {
  /** As given on the command line: 'local', 'netns:foo', 'qemu:6.1', ... */
  readonly spec: string;
  readonly kernel: string;
  readonly sysctls: Readonly<Record<string, string>>;
  readonly mtu: number;
}

/** 'not-applicable': the target could run none of the row's cases (an IP version it lacks): not counted as passed. */
export type PropertyStatus = 'pass' | 'fail' | 'flaky' | 'error' | 'not-applicable';

export interface PropertyResult {
  readonly suite: string;
  readonly property: string;
  /** The IP version the row ran over (IPv4 rows include IPv4-mapped IPv6 sockets). */
  readonly family: IpFamily;
  status: PropertyStatus;
  /** Cases fast-check ran (each on fresh target state). */
  numRuns: number;
  /** Generated cases the target could not run, by reason (e.g. 'the target has no net.ipv4.tcp_rto_max_ms'): not counted as passed. */
  notApplicable: Record<string, number>;
  durationMs: number;
  /** How "nothing came back" was proven, counted over all steps of all cases. */
  silence: Record<SilenceProof, number>;
  /** What this target does in the property's canonical scenario, e.g. ['SYN -> silence', 'SYN retransmits at 0, 1.0, 2.0 s']. */
  signature: string[];
  /** Profile flags the property's expectations depend on. */
  flags: string[];
  counterexample: Counterexample | null;
  error: string | null;
}

export interface Counterexample {
  /** Directory-safe id, unique in the run: '<suite>-<property>-ipv<4|6>'. */
  readonly id: string;
  readonly seed: number;
  /** fast-check's replay path. */
  readonly path: string;
  /** The sysctls the scenario starts from (its config), and every setting of the target the model judged by. */
  readonly config: Readonly<Partial<Record<SysctlName, number>>>;
  readonly settings: TargetSettings;
  readonly actions: readonly TimedAction[];
  readonly expected: readonly Expectation[];
  readonly observed: readonly Observation[];
  readonly sent: readonly SentSegment[];
  readonly deviations: readonly Deviation[];
  /** Replays of the shrunk case on fresh state before reporting it. */
  readonly replays: { readonly attempts: number; readonly reproduced: number };
  /** Paths relative to the report's directory. */
  readonly pcap: string;
  /** packetdrill scripts: the expected behaviour (fails on the deviating stack), and the observed one. */
  readonly packetdrill: string;
  readonly packetdrillObserved: string;
  /** Shell command that re-runs exactly this case. */
  readonly replayCommand: string;
}
