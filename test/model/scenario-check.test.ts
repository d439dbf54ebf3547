/** Scenarios read from files people may edit: every generated scenario passes as it is, and the first bad field is named. */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAction, checkScenario, ScenarioError } from '../../harness/model/scenario-check.ts';
import { SUITES } from '../../suites/index.ts';

const properties = SUITES.flatMap((s) => s.properties);

describe('scenario check', () => {
  it('every scenario a suite generates survives JSON and the check unchanged', () => {
    for (const property of properties) {
      fc.assert(
        fc.property(property.scenarios, (scenario) => {
          expect(checkScenario(JSON.parse(JSON.stringify(scenario)), 'scenario')).toEqual(scenario);
        }),
        { numRuns: 50 },
      );
    }
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown kind', { kind: 'teleport' }, /a\.kind "teleport" is not an action/],
    ['not an object', 7, /a is not an object/],
    ['a client beyond the peers a case has', { kind: 'finalAck', client: 8 }, /a\.client must be a whole number from 0 to 7, not 8/],
    ['a fractional wait', { kind: 'wait', ms: 1.5 }, /a\.ms must be a whole number/],
    ['a SYN without options', { kind: 'syn', client: 0, window: 1 }, /a\.options is not an object/],
    ['a window scale beyond 14', { kind: 'syn', client: 0, window: 1, options: { mss: null, sackPermitted: false, timestamps: false, windowScale: 15 } }, /a\.options\.windowScale must be a whole number from 0 to 14/],
    ['an ICMP code that does not exist', { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: 16 } }, /a\.answer\.code must be a whole number from 0 to 15/],
    ['an unknown answer', { kind: 'answerSyn', conn: 0, answer: { kind: 'shrug' } }, /a\.answer\.kind must be synAck, syn, ack, fin, rst, rstInWindow, icmpUnreachable or packetTooBig/],
    ['a sysctl no scenario sets', { kind: 'sysctl', name: 'kernel.panic', value: 1 }, /a\.name is not a sysctl a scenario may set/],
    ['an ECN request of no kind', { kind: 'syn', client: 0, options: { mss: null, sackPermitted: false, timestamps: false, windowScale: null }, window: 1, ecn: 'l4s' }, /a\.ecn must be one of ecn, accecn, not "l4s"/],
    ['a TCP_MAXSEG below 88', { kind: 'listen', backlog: 1, maxseg: 20 }, /a\.maxseg must be a whole number from 88 to 32767, not 20/],
    ['a boolean as a string', { kind: 'answerSyn', conn: 0, answer: { kind: 'rst', acceptable: 'yes' } }, /a\.answer\.acceptable must be true or false/],
  ];
  for (const [what, value, message] of bad) {
    it(`rejects ${what}, naming the field`, () => {
      expect(() => checkAction(value, 'a')).toThrow(ScenarioError);
      expect(() => checkAction(value, 'a')).toThrow(message);
    });
  }

  it('listen(-1) is a valid backlog (somaxconn); -2 is not', () => {
    expect(checkAction({ kind: 'listen', backlog: -1 }, 'a')).toEqual({ kind: 'listen', backlog: -1 });
    expect(() => checkAction({ kind: 'listen', backlog: -2 }, 'a')).toThrow(/from -1 to 65535/);
  });

  it('a config names only sysctls a scenario may set, with whole values', () => {
    const scenario = (config: unknown) => ({ config, actions: [] });
    expect(() => checkScenario(scenario({ 'net.core.somaxconn': 'lots' }), 's')).toThrow(/s\.config\.net\.core\.somaxconn must be a whole number/);
    expect(() => checkScenario(scenario([]), 's')).toThrow(/s\.config is not an object/);
  });

  it('tcp_rmem is three sizes smallest first; the MTU is one a link can have', () => {
    expect(checkScenario({ config: {}, rmem: [4096, 87380, 6291456], mtu: 1280, actions: [] }, 's')).toEqual({ config: {}, rmem: [4096, 87380, 6291456], mtu: 1280, actions: [] });
    expect(() => checkScenario({ config: {}, rmem: [87380, 4096, 6291456], actions: [] }, 's')).toThrow(/s\.rmem must be three whole numbers from 1 to 2\^30, smallest first/);
    expect(() => checkScenario({ config: {}, rmem: [4096, 87380], actions: [] }, 's')).toThrow(/s\.rmem must be three/);
    expect(() => checkScenario({ config: {}, mtu: 68, actions: [] }, 's')).toThrow(/s\.mtu must be a whole number from 576 to 9000, not 68/);
    expect(() => checkScenario({ config: {} }, 's')).toThrow(/s\.actions is not a list/);
  });
});
