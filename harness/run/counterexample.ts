/**
 * A counterexample on disk: the scenario to replay it, its pcap and its packetdrill script,
 * beside report.json so the report can link them.
 */
import { join } from 'node:path';
import { UsageError } from '../cli/errors.ts';
import { readJsonFile } from '../cli/read-json.ts';
import type { Scenario } from '../model/actions.ts';
import { makeDirectory, writeFileAtomically } from '../report/output-dir.ts';
import { checkScenario, ScenarioError } from '../model/scenario-check.ts';
import { encodePcap } from '../packet/pcap.ts';
import { packetdrillScripts } from '../report/packetdrill.ts';
import type { KernelProfile } from '../model/profiles.ts';
import type { Counterexample } from '../report/schema.ts';
import type { FailingCase } from './check-property.ts';
import type { Property } from './property.ts';

export const COUNTEREXAMPLE_SCHEMA = 'tcpconform/counterexample@1';

/** What `tcpconform replay` needs to run a counterexample again. */
export interface ReplayFile {
  readonly schema: typeof COUNTEREXAMPLE_SCHEMA;
  readonly suite: string;
  readonly property: string;
  readonly target: string;
  readonly profile: string;
  readonly scenario: Scenario;
}

export function writeCounterexample(reportDir: string, property: Property, failure: FailingCase, run: { seed: number; spec: string; profile: KernelProfile }): Counterexample {
  const id = `${property.suite}-${property.name}-ipv${property.family ?? 4}`;
  const dir = join('counterexamples', id);
  makeDirectory(join(reportDir, dir));
  const replay: ReplayFile = { schema: COUNTEREXAMPLE_SCHEMA, suite: property.suite, property: property.name, target: run.spec, profile: run.profile.name, scenario: failure.scenario };
  writeFileAtomically(join(reportDir, dir, 'counterexample.json'), `${JSON.stringify(replay, null, 2)}\n`);
  writeFileAtomically(join(reportDir, dir, 'counterexample.pcap'), encodePcap(failure.execution.packets.map((p) => ({ timestampMs: p.at, bytes: p.bytes }))));
  const counterexample: Counterexample = {
    id,
    seed: run.seed,
    path: failure.path,
    config: failure.scenario.config,
    settings: failure.execution.settings,
    actions: failure.execution.timed,
    expected: failure.verdict.expected,
    observed: failure.execution.observed,
    sent: failure.execution.sent,
    deviations: failure.verdict.deviations,
    replays: failure.replays,
    pcap: join(dir, 'counterexample.pcap'),
    packetdrill: join(dir, 'counterexample.pkt'),
    packetdrillObserved: join(dir, 'observed.pkt'),
    replayCommand: `npx tcpconform replay ${join(reportDir, dir, 'counterexample.json')}`,
  };
  const scripts = packetdrillScripts(counterexample, run.profile);
  writeFileAtomically(join(reportDir, counterexample.packetdrill), scripts.expected);
  writeFileAtomically(join(reportDir, counterexample.packetdrillObserved), scripts.observed);
  return counterexample;
}

export function readReplayFile(path: string): ReplayFile {
  const file = readJsonFile(path, 'counterexample') as Partial<ReplayFile> | null;
  if (file === null || typeof file !== 'object' || file.schema !== COUNTEREXAMPLE_SCHEMA) throw new UsageError(`${path} is not a ${COUNTEREXAMPLE_SCHEMA} file`);
  if (typeof file.target !== 'string' || typeof file.profile !== 'string' || typeof file.suite !== 'string' || typeof file.property !== 'string') {
    throw new UsageError(`${path} lacks target, profile, suite or property`);
  }
  try {
    return { ...(file as ReplayFile), scenario: checkScenario(file.scenario, 'scenario') };
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}
