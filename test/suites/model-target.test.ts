/**
 * The suites against the model itself: the reference model as the target must conform to its
 * own profile, and every deliberately mutated model (a profile flag flipped, a setting off by
 * one) must be caught with a shrunk counterexample.
 */
import { describe, expect, it } from 'vitest';
import { modelTarget } from '../../harness/executor/model-target.ts';
import { profileByName, type KernelProfile, type ProfileFlagName, type TargetSettings } from '../../harness/model/profiles.ts';
import { checkProperty } from '../../harness/run/check-property.ts';
import type { Property } from '../../harness/run/property.ts';
import { SUITES } from '../../suites/index.ts';
import { DEFAULT_SETTINGS, withConfig } from '../../harness/model/profiles.ts';
import type { Action, Scenario } from '../../harness/model/actions.ts';

const properties: Property[] = SUITES.flatMap((s) => s.properties);
const linux = profileByName('linux-6.18');
const options = { seed: 42, numRuns: 60, deadline: Date.now() + 10 * 60_000, replays: 1 };

const flipped = (profile: KernelProfile, flag: ProfileFlagName): KernelProfile => ({ name: `${profile.name}-without-${flag}`, flags: { ...profile.flags, [flag]: !profile.flags[flag] } });

describe('suites against the model as the target', () => {
  for (const property of properties) {
    it(`${property.suite}/${property.name}: the model conforms to itself`, async () => {
      const check = await checkProperty(property, modelTarget(linux, DEFAULT_SETTINGS), linux, options);
      expect(check.failure?.verdict.deviations.map((d) => d.message) ?? []).toEqual([]);
      expect(check.status).toBe('pass');
      expect(check.numRuns).toBe(options.numRuns);
    });
  }
});

/** A kernel that ignores part of what a scenario asks: it runs each action rewritten, and is judged on the original. */
const ignoring = (rewrite: (a: Action) => Action) => (s: Scenario): Scenario => ({ ...s, actions: s.actions.map(rewrite) });
const withoutMaxseg = ignoring((a) => (a.kind === 'listen' || a.kind === 'connect' ? { ...a, maxseg: undefined } : a));
const withoutSynData = ignoring((a) => (a.kind === 'syn' ? { ...a, data: 0 } : a));
const withoutEcnRequest = ignoring((a) => (a.kind === 'syn' ? { ...a, ecn: undefined } : a));
const withoutIpEcn = ignoring((a) => (a.kind === 'syn' ? { ...a, ipEcn: undefined } : a));
const withoutClientIcmp = ignoring((a) => (a.kind === 'clientUnreachable' ? { kind: 'wait', ms: 0 } : a));
const withoutTimestampsSwitch = (s: Scenario): Scenario => ({ ...s, config: { ...s.config, 'net.ipv4.tcp_timestamps': 1 } });
const withoutFastOpenOption = ignoring((a) => (a.kind === 'syn' ? { ...a, fastOpen: undefined } : a));
const withoutFastOpenQueue = ignoring((a) => (a.kind === 'listen' ? { ...a, fastOpen: undefined } : a));
const rfc1337Flipped = (s: Scenario): Scenario => ({ ...s, config: { ...s.config, 'net.ipv4.tcp_rfc1337': 1 - (s.config['net.ipv4.tcp_rfc1337'] ?? 0) } });
const withoutEcnFallback = (s: Scenario): Scenario => ({ ...s, config: { ...s.config, 'net.ipv4.tcp_ecn_fallback': 0 } });
const withoutRtoMax = (s: Scenario): Scenario => ({ ...s, config: { ...s.config, 'net.ipv4.tcp_rto_max_ms': 120_000 } });
const withoutLinkSettings = (s: Scenario): Scenario => ({ config: s.config, actions: s.actions });
const withoutCookieCache = ignoring((a) => (a.kind === 'connect' ? { ...a, sameHostAs: undefined } : a));
const withoutCloseAccepted = ignoring((a) => (a.kind === 'closeAccepted' ? { kind: 'wait', ms: 0 } : a));
const finTakenAsAck = ignoring((a) => (a.kind === 'clientFin' ? { kind: 'finalAck', client: a.client } : a));
const synDataAlwaysAcked = ignoring((a) => (a.kind === 'answerSyn' && a.answer.kind === 'synAck' ? { ...a, answer: { ...a.answer, dataAcked: 'all' } } : a));

/** Each mutation, and a property that must catch it. */
const mutations: Array<{ name: string; truth: KernelProfile; settings: TargetSettings; catchBy: string; rewrite?: (s: Scenario) => Scenario }> = [
  { name: 'accept queue admits only backlog', truth: flipped(linux, 'acceptQueueAdmitsBacklogPlusOne'), settings: DEFAULT_SETTINGS, catchBy: 'listen-queues/accept-queue-overflow' },
  { name: 'SYN answered while the accept queue is full', truth: flipped(linux, 'synDroppedWhenAcceptQueueFull'), settings: DEFAULT_SETTINGS, catchBy: 'listen-queues/accept-queue-overflow' },
  { name: 'SYN queue full check off by one', truth: flipped(linux, 'synQueueFullInclusive'), settings: DEFAULT_SETTINGS, catchBy: 'listen-queues/syn-queue-and-cookies' },
  { name: 'exponential SYN retransmits', truth: flipped(linux, 'linearSynTimeouts'), settings: DEFAULT_SETTINGS, catchBy: 'connect-errors/connect-timeout' },
  { name: 'ICMP unreachable remembered until timeout (BSD)', truth: flipped(linux, 'icmpUnreachableAbortsConnect'), settings: DEFAULT_SETTINGS, catchBy: 'connect-errors/connect-answered' },
  { name: 'ACK of unsent data dropped silently (6.12 and older)', truth: flipped(linux, 'challengeAckForUnsentData'), settings: DEFAULT_SETTINGS, catchBy: 'syn-rcvd/syn-rcvd-edge-cases' },
  { name: 'MSS advertised from a 1400-byte MTU', truth: linux, settings: { ...DEFAULT_SETTINGS, mtu: 1400 }, catchBy: 'handshake/options-negotiated' },
  { name: 'window scale off by one', truth: linux, settings: { ...DEFAULT_SETTINGS, rmem: [4096, 131072, 2 * DEFAULT_SETTINGS.rmem[2]] }, catchBy: 'handshake/options-negotiated' },
  { name: "half an odd tcp_rmem[1] rounded up (before 6.6)", truth: flipped(linux, 'windowHalfRoundsUp'), settings: DEFAULT_SETTINGS, catchBy: 'handshake/options-negotiated' },
  { name: 'a SYN-ACK in SYN-RECEIVED of a simultaneous open draws a challenge ACK (before 2024)', truth: flipped(linux, 'synAckCompletesSimultaneousOpen'), settings: DEFAULT_SETTINGS, catchBy: 'simultaneous-open/crossed-syns' },
  { name: 'tcp_timestamps 0 ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'handshake/options-negotiated', rewrite: withoutTimestampsSwitch },
  { name: 'ICMP host unreachable about a SYN-ACK ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'half-open/icmp-about-synack', rewrite: withoutClientIcmp },
  { name: 'tcp_rfc1337 read the other way round', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'time-wait/active-close', rewrite: rfc1337Flipped },
  { name: 'the Fast Open option ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'fastopen/fastopen-server', rewrite: withoutFastOpenOption },
  { name: 'TCP_FASTOPEN on the listener ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'fastopen/fastopen-server', rewrite: withoutFastOpenQueue },
  { name: 'no AccECN on a SYN-ACK with AccECN flags (6.12 and older)', truth: flipped(linux, 'accEcnFromSynAck'), settings: DEFAULT_SETTINGS, catchBy: 'ecn/ecn-connect' },
  { name: 'a SYN asking for ECN answered without ECE', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'ecn/ecn-listener', rewrite: withoutEcnRequest },
  { name: 'ECN granted to an ECN-capable SYN', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'ecn/ecn-listener', rewrite: withoutIpEcn },
  { name: 'retransmitted SYNs keep asking for ECN whatever tcp_ecn_fallback says', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'ecn/ecn-connect', rewrite: withoutEcnFallback },
  { name: "TCP_MAXSEG ignored by a listener's SYN-ACK", truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'mss/mss-listener', rewrite: withoutMaxseg },
  { name: 'TCP_MAXSEG ignored by the SYN of connect()', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'mss/mss-connect', rewrite: withoutMaxseg },
  { name: 'tcp_rto_max_ms ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'connect-errors/connect-timeout', rewrite: withoutRtoMax },
  { name: 'tcp_rmem and the MTU ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'handshake/options-negotiated', rewrite: withoutLinkSettings },
  { name: 'Fast Open cookies not cached per host', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'fastopen/fastopen-client', rewrite: withoutCookieCache },
  { name: 'SYN data the SYN-ACK leaves is not sent again', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'fastopen/fastopen-client', rewrite: synDataAlwaysAcked },
  { name: 'close() on an accepted connection ignored', truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'time-wait/accepted-close', rewrite: withoutCloseAccepted },
  { name: "a client's FIN taken as a bare ACK", truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'time-wait/accepted-close', rewrite: finTakenAsAck },
  { name: "a closed port's RST acknowledges the SYN but not its data", truth: linux, settings: DEFAULT_SETTINGS, catchBy: 'syn-data/syn-data-without-fastopen', rewrite: withoutSynData },
];

describe('suites catch mutated models', () => {
  for (const m of mutations) {
    it(`${m.catchBy} catches: ${m.name}`, async () => {
      const property = properties.find((p) => `${p.suite}/${p.name}` === m.catchBy)!;
      // The mutated model plays the kernel; the run judges it with the unmutated profile and live settings.
      const mutant = modelTarget(m.truth, m.settings);
      const judgedAs = {
        ...mutant,
        execute: async (s: Scenario) => {
          const execution = await mutant.execute(m.rewrite?.(s) ?? s);
          // Judged on the actions the scenario asked for, whatever the mutant did with them.
          return { ...execution, timed: execution.timed.map((t, i) => ({ ...t, action: s.actions[i]! })), settings: withConfig(DEFAULT_SETTINGS, s) };
        },
      };
      const check = await checkProperty(property, judgedAs, linux, options);
      expect(check.status).toBe('fail');
      const failure = check.failure!;
      expect(failure.verdict.deviations.length).toBeGreaterThan(0);
      // Shrunk: a handful of steps, not the generator's worst.
      expect(failure.scenario.actions.length).toBeLessThanOrEqual(12);
      expect(failure.replays.reproduced).toBe(1);
    });
  }
});
