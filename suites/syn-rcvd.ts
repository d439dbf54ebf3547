/** SYN_RCVD edge cases: duplicate SYN, a wrong ACK, RST, then completion (RFC 9293 §3.10.7.4, RFC 5961). */
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { fullOptions, synFrom } from './arbitraries.ts';

const step: fc.Arbitrary<Action> = fc.oneof(
  synFrom(0),
  fc.constant<Action>({ kind: 'badAck', client: 0 }),
  fc.constant<Action>({ kind: 'rst', client: 0 }),
  fc.constant<Action>({ kind: 'finalAck', client: 0 }),
  fc.constant<Action>({ kind: 'accept', max: 1 }),
  fc.integer({ min: 100, max: 700 }).map((ms): Action => ({ kind: 'wait', ms })),
);

export const synRcvdSuite: Suite = {
  name: 'syn-rcvd',
  properties: [
    {
      suite: 'syn-rcvd',
      name: 'syn-rcvd-edge-cases',
      claim: 'In SYN_RCVD a duplicate SYN gets the SYN-ACK again (at most every 500 ms), a wrong ACK gets RST while the request lives on, and an RST kills the request silently.',
      scenarios: fc
        .record({ first: synFrom(0), steps: fc.array(step, { minLength: 1, maxLength: 6 }) })
        .map(({ first, steps }) => ({ config: {}, actions: [{ kind: 'listen', backlog: 2 } as Action, first, ...steps] })),
      canonical: {
        config: {},
        actions: [
          { kind: 'listen', backlog: 2 },
          { kind: 'syn', client: 0, options: fullOptions, window: 64240 },
          { kind: 'syn', client: 0, options: fullOptions, window: 64240 },
          { kind: 'badAck', client: 0 },
          { kind: 'finalAck', client: 0 },
          { kind: 'accept', max: 1 },
        ],
      },
      defaultRuns: 15,
    },
  ],
};
