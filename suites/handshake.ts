/** Three-way handshake and option negotiation (NOTES.md "Three-way handshake"; RFC 9293 §3.5). */
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { fullOptions, linkSettings, optionSysctls, synFrom } from './arbitraries.ts';

const handshakes = fc.integer({ min: 1, max: 3 }).chain((clients) =>
  fc.record({
    backlog: fc.integer({ min: clients, max: 8 }),
    syns: fc.tuple(...Array.from({ length: clients }, (_, c) => synFrom(c))),
    interleave: fc.boolean(),
    config: optionSysctls,
    link: linkSettings,
  }).map(({ backlog, syns, interleave, config, link }) => {
    const acks: Action[] = syns.map((_, c) => ({ kind: 'finalAck', client: c }));
    const body = interleave ? syns.flatMap((syn, c) => [syn, acks[c]!]) : [...syns, ...acks];
    return { config, ...link, actions: [{ kind: 'listen', backlog } as Action, ...body, { kind: 'accept', max: clients } as Action] };
  }),
);

/**
 * A blocking accept() sleeping through the handshake: woken by the final ACK if it comes in time,
 * else returning nothing at its timeout. Times keep 300 ms or more from each other and from the
 * 1 s SYN-ACK retransmission, so no case sits on a timer's edge.
 */
const blockingAccepts = fc
  .record({ backlog: fc.integer({ min: 0, max: 4 }), options: synFrom(0), timeoutMs: fc.constantFrom(700, 1700), ackAfter: fc.constantFrom(100, 400), completes: fc.boolean() })
  .map(({ backlog, options, timeoutMs, ackAfter, completes }) => ({
    config: {},
    actions: [
      { kind: 'listen', backlog } as Action,
      options,
      { kind: 'blockingAccept', timeoutMs } as Action,
      { kind: 'wait', ms: ackAfter } as Action,
      ...(completes ? [{ kind: 'finalAck', client: 0 } as Action] : []),
      { kind: 'wait', ms: timeoutMs - ackAfter + 300 } as Action,
    ],
  }));

export const handshakeSuite: Suite = {
  name: 'handshake',
  properties: [
    {
      suite: 'handshake',
      name: 'options-negotiated',
      claim: "A SYN gets SYN-ACK with ack = ISN+1, the options the kernel negotiates (as tcp_timestamps, tcp_sack and tcp_window_scaling allow), the MSS of its link's MTU and the window and scale tcp_rmem gives; the final ACK makes accept() return the peer.",
      scenarios: handshakes,
      canonical: {
        config: {},
        actions: [
          { kind: 'listen', backlog: 1 },
          { kind: 'syn', client: 0, options: fullOptions, window: 4128 },
          { kind: 'finalAck', client: 0 },
          { kind: 'accept', max: 1 },
        ],
      },
      defaultRuns: 15,
    },
    {
      suite: 'handshake',
      name: 'blocking-accept',
      claim: 'A blocking accept() sleeps through the handshake and returns the connection when its final ACK arrives, or nothing when its timeout runs out first.',
      scenarios: blockingAccepts,
      canonical: {
        config: {},
        actions: [{ kind: 'listen', backlog: 1 }, { kind: 'syn', client: 0, options: fullOptions, window: 4128 }, { kind: 'blockingAccept', timeoutMs: 700 }, { kind: 'wait', ms: 100 }, { kind: 'finalAck', client: 0 }, { kind: 'wait', ms: 900 }],
      },
      defaultRuns: 6,
    },
  ],
};
