/** Properties of the model itself, over any sequence of actions the suites can generate. */
import { schedule } from '../../harness/model/schedule.ts';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Context } from '../../harness/model/context.ts';
import { Listener } from '../../harness/model/listener.ts';
import { predict } from '../../harness/model/predict.ts';
import { optionsOn, PROFILES, profileFor, receiveSpaceOf, settingsFrom, windowScaleOf } from '../../harness/model/profiles.ts';
import type { Action } from '../../harness/model/actions.ts';
import { DEFAULT_SETTINGS, DEFAULT_SYSCTLS } from '../../harness/model/profiles.ts';
import { clientStep, synOptions } from '../../suites/arbitraries.ts';

const action: fc.Arbitrary<Action> = fc.oneof(
  clientStep(5),
  fc.integer({ min: 0, max: 3000 }).map((ms): Action => ({ kind: 'wait', ms })),
  fc.constantFrom<Action>({ kind: 'closeListener' }, { kind: 'synToClosedPort', client: 1 }, { kind: 'ackToClosedPort', client: 2 }, { kind: 'connect', conn: 0, syncnt: 1 }),
  fc.record({ kind: fc.constant('sysctl' as const), name: fc.constantFrom('net.ipv4.tcp_syncookies' as const, 'net.ipv4.tcp_abort_on_overflow' as const), value: fc.nat(2) }),
  synOptions.map((options): Action => ({ kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options, window: 1000, ackValid: true } })),
);
const scenario = fc.record({ backlog: fc.nat(4), profile: fc.constantFrom(...PROFILES), actions: fc.array(action, { maxLength: 25 }) }).map(({ backlog, profile, actions }) => {
  const { timed, end } = schedule([{ kind: 'listen', backlog } as Action, ...actions]);
  return { profile, timed, horizon: end + 10 };
});

describe('model invariants', () => {
  it('property: deterministic, sorted in time, never before its cause, every segment caused by an action', () => {
    fc.assert(
      fc.property(scenario, ({ profile, timed, horizon }) => {
        const input = { profile, settings: DEFAULT_SETTINGS, actions: timed, horizon };
        const out = predict(input);
        expect(predict(input)).toEqual(out);
        let last = -Infinity;
        for (const e of out) {
          if (e.kind === 'counter') continue;
          expect(e.at.earliest).toBeGreaterThanOrEqual(last);
          last = e.at.earliest;
          expect(e.at.latest).toBeGreaterThanOrEqual(e.at.earliest);
          const cause = timed[e.cause];
          expect(cause).toBeDefined();
          expect(e.at.earliest).toBeGreaterThanOrEqual(cause!.at);
          expect(e.at.earliest).toBeLessThanOrEqual(horizon);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: queue bounds are never exceeded (accept queue <= max+1 on Linux, SYN queue <= max+1 without cookies)', () => {
    fc.assert(
      fc.property(fc.nat(4), fc.array(fc.tuple(fc.constantFrom('syn', 'ack', 'rst', 'accept'), fc.nat(7)), { maxLength: 40 }), fc.constantFrom(0, 1, 2), (backlog, ops, cookies) => {
        const ctx = new Context(PROFILES[3]!, { ...DEFAULT_SETTINGS, sysctls: { ...DEFAULT_SETTINGS.sysctls, 'net.ipv4.tcp_syncookies': cookies } });
        const listener = new Listener(ctx, { kind: 'listen', backlog }, new Map());
        ops.forEach(([op, client], i) => {
          const now = { earliest: i, latest: i };
          if (op === 'syn') listener.receive(client, { kind: 'syn', options: { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 }, data: 0 }, now);
          else if (op === 'ack') listener.receive(client, { kind: 'ack', bad: false }, now);
          else if (op === 'rst') listener.receive(client, { kind: 'rst' }, now);
          else listener.accept(1, now);
          expect(listener.acceptQueueLength).toBeLessThanOrEqual(listener.max + 1);
          expect(listener.synQueueLength).toBeLessThanOrEqual(listener.max + 1);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('property: a request yields at most 1 + tcp_synack_retries timer SYN-ACKs, then nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), (retries) => {
        const out = predict({ profile: PROFILES[3]!, settings: { ...DEFAULT_SETTINGS, sysctls: { ...DEFAULT_SETTINGS.sysctls, 'net.ipv4.tcp_synack_retries': retries } }, actions: [{ at: 0, action: { kind: 'listen', backlog: 1 } }, { at: 1, action: { kind: 'syn', client: 0, options: { mss: null, sackPermitted: false, timestamps: false, windowScale: null }, window: 1 } }], horizon: 200_000 });
        expect(out.filter((e) => e.kind === 'segment')).toHaveLength(1 + retries);
      }),
    );
  });

  it('profiles: detected from the release and the sysctls present; settings parsed from live values', () => {
    expect(profileFor('6.18.44-fc', new Set(['net.ipv4.tcp_syn_linear_timeouts'])).name).toBe('linux-6.18');
    expect(profileFor('6.1.0-27-amd64', new Set()).name).toBe('linux-6.1');
    expect(profileFor('5.10.0-30-amd64', new Set()).name).toBe('linux-5.10');
    expect(profileFor('6.12.9', new Set())).toMatchObject({ name: 'linux-6.12-linear', flags: { linearSynTimeouts: false } });
    const s = settingsFrom({ ...DEFAULT_SYSCTLS, 'net.ipv4.tcp_rmem': '4096 131072 6291456', 'net.core.rmem_max': '212992', 'net.ipv4.tcp_sack': '0' }, 9000);
    expect({ windowScale: windowScaleOf(s, { windowFromInitialCwnd: false, windowIsTcpWnd: false }), receiveSpace: receiveSpaceOf(s, { windowHalfRoundsUp: false }), mtu: s.mtu }).toEqual({ windowScale: 7, receiveSpace: 65536, mtu: 9000 });
    // tcp_win_from_space: an odd buffer's half rounds up before 6.6, down since.
    const odd = { ...s, rmem: [4096, 1045, 2048] as const };
    expect([receiveSpaceOf(odd, { windowHalfRoundsUp: true }), receiveSpaceOf(odd, { windowHalfRoundsUp: false })]).toEqual([523, 522]);
    expect(optionsOn(s).sack).toBe(false);
    // netstack FindWndScale: the fewest shifts that bring tcp_rmem[2] within 16 bits (4 MiB: 7; 131070: 1), rmem_max aside.
    const netstack = { windowFromInitialCwnd: true, windowIsTcpWnd: false };
    expect([windowScaleOf({ ...s, rmem: [4096, 1048576, 4194304] }, netstack), windowScaleOf({ ...s, rmem: [4096, 1300, 131070] }, netstack), windowScaleOf({ ...s, rmem: [4096, 1300, 65535] }, netstack)]).toEqual([7, 1, 0]);
  });
});
