/**
 * The active close of connect()'s socket: close() sends a FIN (FIN-WAIT-1), the remote's FIN
 * leads to TIME-WAIT and its ACK; then an in-window RST kills TIME-WAIT unless tcp_rfc1337
 * (RFC 1337), an old SYN or a stray segment gets the final ACK again (SYNs at most one per
 * 500 ms), and once TIME-WAIT is gone the port answers as a closed one (RFC 9293 §3.10.7.1).
 */
import * as fc from 'fast-check';
import type { Action, SynAnswer } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, rtoMaxSysctl, synOptions } from './arbitraries.ts';

/** What the remote sends after the FINs crossed, and how long it waits after each. */
const later = fc.record({
  answer: fc.oneof(
    { weight: 3, arbitrary: fc.constant<SynAnswer>({ kind: 'rstInWindow' }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('syn' as const), options: synOptions, window: clientWindow }) },
    { weight: 2, arbitrary: fc.constant<SynAnswer>({ kind: 'fin' }) },
    { weight: 1, arbitrary: fc.constant<SynAnswer>({ kind: 'ack' }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('synAck' as const), options: synOptions, window: clientWindow, ackValid: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('rst' as const), acceptable: fc.boolean() }) },
  ),
  // Past the 500 ms out-of-window rate limit, or well within it.
  pause: fc.constantFrom(20, 20, 700),
});

const answer = (a: SynAnswer, ms: number): Action[] => [{ kind: 'answerSyn', conn: 0, answer: a }, { kind: 'wait', ms }];

export const timeWaitSuite: Suite = {
  name: 'time-wait',
  properties: [
    {
      suite: 'time-wait',
      name: 'active-close',
      claim: "close() on an established connect() sends a FIN; the remote's FIN brings TIME-WAIT and its ACK; an in-window RST kills TIME-WAIT unless tcp_rfc1337, other segments get the final ACK again as Linux tcp_timewait_state_process says, and a killed one leaves a closed port.",
      // Mostly the remote's FIN comes at once; else the target's FIN is retransmitted on its RTO meanwhile.
      scenarios: fc
        .record({ rfc1337: fc.constantFrom(0, 1), options: synOptions, window: clientWindow, finFirst: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), after: fc.array(later, { minLength: 1, maxLength: 3 }), rtoMax: rtoMaxSysctl })
        .map(({ rfc1337, options, window, finFirst, after, rtoMax }) => ({
          config: { ...rtoMax, 'net.ipv4.tcp_rfc1337': rfc1337 },
          actions: [
            { kind: 'connect', conn: 0, syncnt: 3 } as Action,
            ...answer({ kind: 'synAck', options, window, ackValid: true }, 20),
            { kind: 'closeConnection', conn: 0 } as Action,
            { kind: 'wait', ms: 10 } as Action,
            ...(finFirst ? answer({ kind: 'fin' }, 20) : []),
            ...after.flatMap(({ answer: a, pause }) => answer(a, pause)),
          ],
        })),
      canonical: {
        config: {},
        actions: [
          { kind: 'connect', conn: 0, syncnt: 3 },
          ...answer({ kind: 'synAck', options: fullOptions, window: 29200, ackValid: true }, 20),
          { kind: 'closeConnection', conn: 0 },
          { kind: 'wait', ms: 10 },
          ...answer({ kind: 'fin' }, 20),
          ...answer({ kind: 'rstInWindow' }, 20),
          ...answer({ kind: 'syn', options: fullOptions, window: 29200 }, 20),
        ],
      },
      defaultRuns: 15,
    },
  ],
};
