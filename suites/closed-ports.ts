/** RST from a closed port (RFC 9293 §3.10.7.1), also once a listener is closed (NOTES.md connect() failure 2). */
import { applicable } from '../harness/model/preconditions.ts';
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientStep } from './arbitraries.ts';

const probe = fc.nat({ max: 3 }).chain((client) =>
  fc.constantFrom<Action>({ kind: 'synToClosedPort', client }, { kind: 'ackToClosedPort', client }),
);

export const closedPortsSuite: Suite = {
  name: 'closed-ports',
  properties: [
    {
      suite: 'closed-ports',
      name: 'rst-from-closed-port',
      claim: 'A SYN to a closed port gets RST+ACK with seq 0 and ack = ISN+1; a bare ACK gets RST with seq = its ack.',
      scenarios: fc.array(probe, { minLength: 1, maxLength: 6 }).map((actions) => ({ config: {}, actions })),
      canonical: { config: {}, actions: [{ kind: 'synToClosedPort', client: 0 }, { kind: 'ackToClosedPort', client: 1 }] },
      defaultRuns: 10,
    },
    {
      suite: 'closed-ports',
      name: 'listener-closed',
      claim: 'Closing a listener resets its queued connections; afterwards its port answers as a closed port.',
      scenarios: fc
        .record({
          backlog: fc.integer({ min: 1, max: 4 }),
          before: fc.array(clientStep(3), { minLength: 1, maxLength: 6 }),
          after: fc.array(clientStep(4), { minLength: 1, maxLength: 4 }),
        })
        .map(({ backlog, before, after }) => ({
          config: {},
          actions: applicable([{ kind: 'listen', backlog }, ...before, { kind: 'closeListener' }, ...after]),
        })),
      canonical: {
        config: {},
        actions: [
          { kind: 'listen', backlog: 1 },
          { kind: 'syn', client: 0, options: { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 }, window: 64240 },
          { kind: 'finalAck', client: 0 },
          { kind: 'closeListener' },
          { kind: 'synToClosedPort', client: 1 },
        ],
      },
      defaultRuns: 15,
    },
  ],
};
