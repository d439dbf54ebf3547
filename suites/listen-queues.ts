/**
 * A listener's SYN (incomplete) and accept (completed) queues: overflow, the silent SYN drop,
 * tcp_abort_on_overflow, accept() freeing room, SYN cookies (NOTES.md "The pending-connection
 * queue"; the article's BSD bound on both queues is the bsd-article profile).
 */
import { applicable } from '../harness/model/preconditions.ts';
import * as fc from 'fast-check';
import type { Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientStep, fullOptions } from './arbitraries.ts';

const syn = (client: number): Action => ({ kind: 'syn', client, options: fullOptions, window: 64240 });
const ack = (client: number): Action => ({ kind: 'finalAck', client });

const queueScenario = (clients: number, config: fc.Arbitrary<Record<string, number>>) =>
  fc.record({
    config,
    // -1: listen() compares the backlog unsigned, so it means somaxconn.
    backlog: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constant(-1) }),
    steps: fc.array(clientStep(clients), { minLength: 1, maxLength: 14 }),
  }).map(({ config, backlog, steps }) => ({ config, actions: applicable([{ kind: 'listen', backlog }, ...steps]) }));

export const listenQueuesSuite: Suite = {
  name: 'listen-queues',
  properties: [
    {
      suite: 'listen-queues',
      name: 'accept-queue-overflow',
      claim: 'listen(N) queues min(N, somaxconn)+1 completed connections; then SYNs are dropped silently and final ACKs are dropped or reset per tcp_abort_on_overflow.',
      scenarios: queueScenario(
        6,
        fc.record({
          'net.core.somaxconn': fc.constantFrom(1, 2, 3, 4, 4096),
          'net.ipv4.tcp_abort_on_overflow': fc.constantFrom(0, 1),
          'net.ipv4.tcp_syncookies': fc.constantFrom(0, 1),
        }),
      ),
      canonical: {
        config: { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_abort_on_overflow': 0 },
        actions: [{ kind: 'listen', backlog: 1 }, syn(0), ack(0), syn(1), ack(1), syn(2), { kind: 'accept', max: 2 }, syn(3), ack(3), { kind: 'accept', max: 2 }],
      },
      defaultRuns: 30,
    },
    {
      suite: 'listen-queues',
      name: 'syn-queue-and-cookies',
      claim: 'When the SYN queue is full a SYN gets a cookie SYN-ACK (syncookies 1), always with syncookies 2, or is dropped (0); a cookie ACK completes the connection.',
      scenarios: queueScenario(
        8,
        fc.record({
          'net.ipv4.tcp_syncookies': fc.constantFrom(0, 1, 2),
          'net.ipv4.tcp_max_syn_backlog': fc.constantFrom(4, 8, 128),
        }),
      ),
      canonical: {
        config: { 'net.ipv4.tcp_syncookies': 1 },
        actions: [{ kind: 'listen', backlog: 0 }, syn(0), syn(1), ack(0), ack(1), { kind: 'accept', max: 2 }],
      },
      defaultRuns: 30,
    },
    {
      suite: 'listen-queues',
      name: 'abort-on-overflow',
      claim: 'With tcp_abort_on_overflow 1 a final ACK that finds the accept queue full is answered with RST; with 0 it is dropped and the SYN-ACK retransmitted.',
      scenarios: fc.constantFrom(0, 1).chain((abort) =>
        queueScenario(4, fc.constant({ 'net.ipv4.tcp_abort_on_overflow': abort, 'net.ipv4.tcp_syncookies': 0 })),
      ),
      // listen(1): the third connection's final ACK finds two queued (2 > 1) and is reset.
      canonical: {
        config: { 'net.ipv4.tcp_abort_on_overflow': 1, 'net.ipv4.tcp_syncookies': 0 },
        actions: [{ kind: 'listen', backlog: 1 }, syn(0), syn(1), ack(0), syn(2), ack(1), ack(2), { kind: 'accept', max: 3 }],
      },
      defaultRuns: 20,
    },
  ],
};
