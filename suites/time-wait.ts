/**
 * The active close of connect()'s socket and of accept()'s: close() sends a FIN (FIN-WAIT-1, or
 * LAST-ACK after the peer's FIN), the peer's FIN leads to TIME-WAIT and its ACK; then an
 * in-window RST kills TIME-WAIT unless tcp_rfc1337 (RFC 1337), an old SYN or a stray segment gets
 * the final ACK again (SYNs at most one per 500 ms), and once the connection is gone the port
 * answers as a closed one, or as the listener (RFC 9293 §3.10.7.1, §3.10.7.2).
 */
import * as fc from 'fast-check';
import type { Action, SynAnswer } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, rtoMaxSysctl, synFrom, synOptions } from './arbitraries.ts';

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

/** What the client sends after close() on its accepted connection, and how long it waits after each. */
const clientLater = fc.record({
  action: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Action>({ kind: 'finalAck', client: 0 }) },
    { weight: 3, arbitrary: fc.constant<Action>({ kind: 'clientFin', client: 0 }) },
    { weight: 2, arbitrary: synFrom(0) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: 'rst', client: 0 }) },
  ),
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
    {
      suite: 'time-wait',
      name: 'accepted-close',
      claim: "close() on an accepted connection sends a FIN (FIN-WAIT-1, or LAST-ACK after the client's FIN) retransmitted on the RTO; the client's ACK, FIN, RST and old SYNs get what they get on connect()'s side, and a connection gone leaves the listener to answer.",
      scenarios: fc
        .record({ rfc1337: fc.constantFrom(0, 1), syn: synFrom(0), finFirst: fc.boolean(), after: fc.array(clientLater, { minLength: 1, maxLength: 4 }), rtoMax: rtoMaxSysctl })
        .map(({ rfc1337, syn, finFirst, after, rtoMax }) => ({
          config: { ...rtoMax, 'net.ipv4.tcp_rfc1337': rfc1337 },
          actions: [
            { kind: 'listen', backlog: 1 } as Action,
            syn,
            { kind: 'finalAck', client: 0 } as Action,
            ...(finFirst ? [{ kind: 'clientFin', client: 0 } as Action] : []),
            { kind: 'accept', max: 1 } as Action,
            { kind: 'closeAccepted', client: 0 } as Action,
            { kind: 'wait', ms: 10 } as Action,
            ...after.flatMap(({ action, pause }) => [action, { kind: 'wait', ms: pause } as Action]),
          ],
        })),
      canonical: {
        config: {},
        actions: [
          { kind: 'listen', backlog: 1 },
          { kind: 'syn', client: 0, options: fullOptions, window: 64240 },
          { kind: 'finalAck', client: 0 },
          { kind: 'accept', max: 1 },
          { kind: 'closeAccepted', client: 0 },
          { kind: 'wait', ms: 10 },
          { kind: 'finalAck', client: 0 },
          { kind: 'wait', ms: 20 },
          { kind: 'clientFin', client: 0 },
          { kind: 'wait', ms: 20 },
        ],
      },
      defaultRuns: 6,
    },
  ],
};
