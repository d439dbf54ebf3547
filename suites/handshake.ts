/** Three-way handshake and option negotiation (NOTES.md "Three-way handshake"; RFC 9293 §3.5). */
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { fullOptions, synFrom } from './arbitraries.ts';

const handshakes = fc.integer({ min: 1, max: 3 }).chain((clients) =>
  fc.record({
    backlog: fc.integer({ min: clients, max: 8 }),
    syns: fc.tuple(...Array.from({ length: clients }, (_, c) => synFrom(c))),
    interleave: fc.boolean(),
  }).map(({ backlog, syns, interleave }) => {
    const acks: Action[] = syns.map((_, c) => ({ kind: 'finalAck', client: c }));
    const body = interleave ? syns.flatMap((syn, c) => [syn, acks[c]!]) : [...syns, ...acks];
    return { config: {}, actions: [{ kind: 'listen', backlog } as Action, ...body, { kind: 'accept', max: clients } as Action] };
  }),
);

export const handshakeSuite: Suite = {
  name: 'handshake',
  properties: [
    {
      suite: 'handshake',
      name: 'options-negotiated',
      claim: 'A SYN gets SYN-ACK with ack = ISN+1 and the options the kernel negotiates; the final ACK makes accept() return the peer.',
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
  ],
};
