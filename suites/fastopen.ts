/**
 * TCP Fast Open on the server (RFC 7413): a cookie request gets the client's cookie in the
 * SYN-ACK; the cookie with data makes a child at once whose SYN-ACK acknowledges the data and
 * that accept() returns before the final ACK; an invalid cookie falls back and gets the valid
 * one; tcp_fastopen 0x200 takes data without a cookie; a listener without TCP_FASTOPEN, or
 * tcp_fastopen without the server bit, takes none. RST, SYN, ACKs and close() on the child.
 */
import * as fc from 'fast-check';
import type { Action, FastOpenOption } from '../harness/model/actions.ts';
import { applicable } from '../harness/model/preconditions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, synOptions } from './arbitraries.ts';

/** net.ipv4.tcp_fastopen: client only (the default), client and server, server without cookies. */
const mode = fc.constantFrom(1, 3, 0x203);
const option: fc.Arbitrary<FastOpenOption | undefined> = fc.constantFrom(undefined, 'request', 'cookie', 'cookie', 'badCookie');
const data = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 }));

/** What client 0 does next to the connection its Fast Open SYN made. */
const followUp = fc.constantFrom<Action>(
  { kind: 'accept', max: 1 },
  { kind: 'finalAck', client: 0 },
  { kind: 'finalAck', client: 0 },
  { kind: 'badAck', client: 0 },
  { kind: 'rst', client: 0 },
  { kind: 'closeListener' },
);

export const fastOpenSuite: Suite = {
  name: 'fastopen',
  properties: [
    {
      suite: 'fastopen',
      name: 'fastopen-server',
      claim: "A Fast Open SYN gets what RFC 7413 and Linux tcp_try_fastopen say: a cookie for a request or an invalid cookie, a child that holds the data and is accept()ed before the final ACK for a valid one (or none, with tcp_fastopen 0x200), nothing special where the listener or the sysctl has Fast Open off.",
      // The client asks for a cookie in a first handshake, resets it, and comes back on the same address.
      scenarios: fc
        .record({
          mode,
          queue: fc.constantFrom(undefined, 5),
          ask: fc.boolean(),
          completeFirst: fc.boolean(),
          options: synOptions,
          window: clientWindow,
          second: option,
          secondData: data,
          again: fc.boolean(),
          after: fc.array(followUp, { maxLength: 3 }),
        })
        .map(({ mode, queue, ask, completeFirst, options, window, second, secondData, again, after }) => {
          const syn = (fastOpen: FastOpenOption | undefined, bytes: number): Action => ({ kind: 'syn', client: 0, options, window, ...(bytes > 0 ? { data: bytes } : {}), ...(fastOpen ? { fastOpen } : {}) });
          const comeBack = syn(second, secondData);
          return {
            config: { 'net.ipv4.tcp_fastopen': mode },
            actions: applicable([
              { kind: 'listen', backlog: 2, ...(queue === undefined ? {} : { fastOpen: queue }) } as Action,
              ...(ask ? [syn('request', 0), ...(completeFirst ? [{ kind: 'finalAck', client: 0 } as Action, { kind: 'accept', max: 1 } as Action] : []), { kind: 'rst', client: 0 } as Action] : []),
              comeBack,
              ...(again ? [comeBack] : []),
              ...after,
              { kind: 'accept', max: 2 } as Action,
            ]),
          };
        }),
      canonical: {
        config: { 'net.ipv4.tcp_fastopen': 3 },
        actions: [
          { kind: 'listen', backlog: 2, fastOpen: 5 },
          { kind: 'syn', client: 0, options: fullOptions, window: 64240, fastOpen: 'request' },
          { kind: 'rst', client: 0 },
          { kind: 'syn', client: 0, options: fullOptions, window: 64240, data: 100, fastOpen: 'cookie' },
          { kind: 'accept', max: 1 },
          { kind: 'finalAck', client: 0 },
        ],
      },
      defaultRuns: 20,
    },
  ],
};
