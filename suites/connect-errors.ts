/**
 * connect() failing: ETIMEDOUT after SYN retransmissions, ECONNREFUSED on RST, EHOSTUNREACH /
 * ENETUNREACH on ICMP (NOTES.md "connect() failures"; RFC 9293 §3.10.7.3; RFC 1122 §4.2.3.9).
 */
import * as fc from 'fast-check';
import { ICMP_UNREACHABLE_CODES, type Action, type SynAnswer } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, optionSysctls, rtoMaxSysctl, synOptions } from './arbitraries.ts';

const answer: fc.Arbitrary<SynAnswer> = fc.oneof(
  fc.record({ kind: fc.constant('synAck' as const), options: synOptions, window: clientWindow, ackValid: fc.boolean() }),
  fc.record({ kind: fc.constant('rst' as const), acceptable: fc.boolean() }),
  fc.record({ kind: fc.constant('icmpUnreachable' as const), code: fc.constantFrom(...ICMP_UNREACHABLE_CODES) }),
  fc.constant({ kind: 'packetTooBig' as const }),
);

export const connectErrorsSuite: Suite = {
  name: 'connect-errors',
  properties: [
    {
      suite: 'connect-errors',
      name: 'connect-answered',
      claim: 'connect() completes on a SYN-ACK, fails with ECONNREFUSED on an acceptable RST and at once on ICMP or ICMPv6 unreachable with its code\'s errno (Linux), carries on past a packet too big naming the link\'s MTU, and answers a wrong SYN-ACK with RST.',
      // Every answer comes before 900 ms, clear of the SYN's retransmission at 1 s: an answer at
      // that moment races the timer (gVisor's fires at 1.000 s), and the model fires it first.
      scenarios: fc
        .record({ delay: fc.integer({ min: 0, max: 700 }), answers: fc.array(answer, { minLength: 1, maxLength: 2 }), config: optionSysctls })
        .map(({ delay, answers, config }) => ({
          config,
          actions: [
            { kind: 'connect', conn: 0, syncnt: 2 } as Action,
            ...(delay > 0 ? [{ kind: 'wait', ms: delay } as Action] : []),
            // 50 ms after each answer: a SYN the kernel resends at once comes before the next one.
            ...answers.flatMap((a): Action[] => [{ kind: 'answerSyn', conn: 0, answer: a }, { kind: 'wait', ms: 50 }]),
          ],
        })),
      canonical: {
        config: {},
        actions: [{ kind: 'connect', conn: 0, syncnt: 2 }, { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: 1 } }, { kind: 'wait', ms: 50 }],
      },
      defaultRuns: 15,
    },
    {
      suite: 'connect-errors',
      name: 'connect-timeout',
      claim: 'A SYN nobody answers is retransmitted on the kernel schedule (its timeout at most tcp_rto_max_ms) and connect() fails with ETIMEDOUT when TCP_SYNCNT / tcp_syn_retries runs out.',
      scenarios: fc
        .record({ viaSysctl: fc.boolean(), rtoMax: rtoMaxSysctl })
        .map(({ viaSysctl, rtoMax }) => ({
          config: { ...rtoMax, ...(viaSysctl ? { 'net.ipv4.tcp_syn_retries': 1 } : {}) },
          actions: [{ kind: 'connect', conn: 0, syncnt: viaSysctl ? null : 1 } as Action, { kind: 'wait', ms: 3600 } as Action],
        })),
      canonical: { config: {}, actions: [{ kind: 'connect', conn: 0, syncnt: 1 }, { kind: 'wait', ms: 3600 }] },
      defaultRuns: 2,
    },
    {
      suite: 'connect-errors',
      name: 'closed-in-syn-sent',
      claim: 'close() in SYN-SENT sends nothing and stops the SYN retransmissions; an answer that comes later meets a closed port (a SYN-ACK gets RST).',
      // Before and after keep 300 ms off the 1 s retransmission the close cancels.
      scenarios: fc.record({ before: fc.constantFrom(0, 300), after: fc.constantFrom(100, 1300), late: answer }).map(({ before, after, late }) => ({
        config: {},
        actions: [
          { kind: 'connect', conn: 0, syncnt: 2 } as Action,
          ...(before > 0 ? [{ kind: 'wait', ms: before } as Action] : []),
          { kind: 'closeConnection', conn: 0 } as Action,
          { kind: 'wait', ms: after } as Action,
          { kind: 'answerSyn', conn: 0, answer: late } as Action,
          { kind: 'wait', ms: 50 } as Action,
        ],
      })),
      canonical: {
        config: {},
        actions: [{ kind: 'connect', conn: 0, syncnt: 2 }, { kind: 'closeConnection', conn: 0 }, { kind: 'wait', ms: 1300 }, { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 29200, ackValid: true } }, { kind: 'wait', ms: 50 }],
      },
      defaultRuns: 6,
    },
  ],
};
