import type { Observation, SentSegment, SilenceProof } from '../diff/observation.ts';
import type { Millis, Scenario, TimedAction } from '../model/actions.ts';
import type { TargetSettings } from '../model/profiles.ts';

/** A packet of the run, raw, for the counterexample's pcap (absolute monotonic ms). */
export interface RawPacket {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** What running a scenario on a target produced. */
export interface Execution {
  /** The actions with the scenario time each was performed at. */
  readonly timed: readonly TimedAction[];
  /** The target's settings at the start of the case (live values merged with the scenario's config). */
  readonly settings: TargetSettings;
  readonly observed: readonly Observation[];
  readonly sent: readonly SentSegment[];
  /** The executor watched until this time; later expectations are not judged. */
  readonly horizon: Millis;
  readonly silence: Record<SilenceProof, number>;
  readonly packets: readonly RawPacket[];
}

/** Runs scenarios on one target, each from a fresh, known state. */
export interface ScenarioExecutor {
  /** e.g. 'local', 'netns:foo', 'model:linux-6.18'. */
  readonly description: string;
  /** Why this target cannot run the scenario (it lacks a sysctl the scenario sets, ...), or null. */
  notApplicable(scenario: Scenario): string | null;
  execute(scenario: Scenario): Promise<Execution>;
  close(): Promise<void>;
}
