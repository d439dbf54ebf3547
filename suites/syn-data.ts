/**
 * Data in a SYN to a listener without Fast Open (RFC 9293 §3.10.7.2; Linux drops it, the client
 * resends it): the SYN-ACK acknowledges only the SYN, a retransmitted SYN with data is answered
 * alike, and a port nobody listens on acknowledges the SYN and its data in its RST.
 */
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { fullOptions, synOptions } from './arbitraries.ts';

const dataSyn = (data: number): fc.Arbitrary<Action> =>
  fc.record({ options: synOptions, window: fc.integer({ min: 1, max: 65535 }) }).map(({ options, window }) => ({ kind: 'syn', client: 0, options, window, data }));

export const synDataSuite: Suite = {
  name: 'syn-data',
  properties: [
    {
      suite: 'syn-data',
      name: 'syn-data-without-fastopen',
      claim: 'Data in a SYN is not acknowledged without Fast Open: the SYN-ACK (and the one a retransmitted SYN gets) acks only the SYN, the handshake completes, and a closed port acks the SYN and its data in its RST.',
      scenarios: fc
        .record({ data: fc.integer({ min: 1, max: 1400 }), retransmitted: fc.boolean(), listening: fc.boolean() })
        .chain(({ data, retransmitted, listening }) =>
          dataSyn(data).map((syn) => ({
            config: {},
            actions: [
              { kind: 'listen', backlog: 1 } as Action,
              ...(listening ? [] : [{ kind: 'closeListener' } as Action]),
              syn,
              ...(retransmitted ? [syn] : []),
              ...(listening ? [{ kind: 'finalAck', client: 0 } as Action, { kind: 'accept', max: 1 } as Action] : []),
            ],
          })),
        ),
      canonical: {
        config: {},
        actions: [{ kind: 'listen', backlog: 1 }, { kind: 'syn', client: 0, options: fullOptions, window: 64240, data: 100 }, { kind: 'finalAck', client: 0 }, { kind: 'accept', max: 1 }],
      },
      defaultRuns: 15,
    },
  ],
};
