/**
 * Simultaneous open (RFC 9293 §3.5): the remote answers connect()'s SYN with a SYN of its own.
 * The target goes to SYN-RECEIVED and sends its SYN again with an ACK; an ACK completes
 * connect(), and so does a SYN-ACK on Linux since 2024 (else a challenge ACK). A bare ACK in
 * SYN-SENT is dropped.
 */
import * as fc from 'fast-check';
import { ICMP_UNREACHABLE_CODES, type Action, type SynAnswer } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, synOptions } from './arbitraries.ts';

/** What the remote sends after its SYN crossed the target's. */
const followUp: fc.Arbitrary<SynAnswer> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'ack' } as const) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('synAck' as const), options: synOptions, window: clientWindow, ackValid: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('syn' as const), options: synOptions, window: clientWindow }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rst' as const), acceptable: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('icmpUnreachable' as const), code: fc.constantFrom(...ICMP_UNREACHABLE_CODES) }) },
);

const answer = (a: SynAnswer): Action[] => [{ kind: 'answerSyn', conn: 0, answer: a }, { kind: 'wait', ms: 50 }];

export const simultaneousOpenSuite: Suite = {
  name: 'simultaneous-open',
  properties: [
    {
      suite: 'simultaneous-open',
      name: 'crossed-syns',
      claim: "When the remote's SYN crosses connect()'s, the target answers with its SYN and an ACK (its SYN options, the remote's TSval echoed), and the remote's ACK completes connect(); what else comes gets what RFC 9293 §3.10.7.4 and RFC 5961 say.",
      // A bare ACK first (dropped in SYN-SENT) or not; the SYN early or after 300 ms; the SYN-ACK
      // retransmission at 1 s stays 250 ms away from every answer.
      scenarios: fc
        .record({
          ackFirst: fc.boolean(),
          delay: fc.constantFrom(0, 300),
          syn: fc.record({ kind: fc.constant('syn' as const), options: synOptions, window: clientWindow }),
          retransmitted: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          after: fc.array(followUp, { minLength: 0, maxLength: 2 }),
        })
        .map(({ ackFirst, delay, syn, retransmitted, after }) => ({
          config: {},
          actions: [
            { kind: 'connect', conn: 0, syncnt: 3 } as Action,
            ...(ackFirst ? answer({ kind: 'ack' }) : []),
            ...(delay > 0 ? [{ kind: 'wait', ms: delay } as Action] : []),
            ...answer(syn),
            // Past the SYN-ACK's retransmission at 1 s, before the next at 3 s.
            ...(retransmitted ? [{ kind: 'wait', ms: 1250 } as Action] : []),
            ...after.flatMap(answer),
          ],
        })),
      // A SYN-ACK completes it: where kernels differ (synAckCompletesSimultaneousOpen).
      canonical: {
        config: {},
        actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, ...answer({ kind: 'syn', options: fullOptions, window: 29200 }), ...answer({ kind: 'synAck', options: fullOptions, window: 29200, ackValid: true })],
      },
      defaultRuns: 12,
    },
  ],
};
