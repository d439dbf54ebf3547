/**
 * Half-open connections completing or dying: SYN-ACK retransmission (tcp_synack_retries) and
 * the request's expiry; a late final ACK still completes (NOTES.md: a handshake whose final
 * ACK never arrives never reaches accept()); an ICMP error about the SYN-ACK kills the request
 * only when it says net or host unreachable (Linux tcp_req_err).
 */
import * as fc from 'fast-check';
import { ICMP_UNREACHABLE_CODES, type Action } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { fullOptions, synFrom } from './arbitraries.ts';

/**
 * Waits stay short (every case pays them in real time) and off the timer marks: an ACK that
 * lands while a 1 s or 3 s timer may or may not have fired has no single right answer. Sums of
 * these never come within 100 ms of a whole second.
 */
const wait = fc.constantFrom(400, 900, 1400, 1900).map((ms): Action => ({ kind: 'wait', ms }));

const halfOpen = fc
  .record({
    retries: fc.constantFrom(1, 2),
    backlog: fc.integer({ min: 1, max: 4 }),
    first: synFrom(0),
    second: fc.option(synFrom(1), { nil: null }),
    waits: fc.tuple(wait, wait),
    completes: fc.boolean(),
  })
  .map(({ retries, backlog, first, second, waits, completes }) => ({
    config: { 'net.ipv4.tcp_synack_retries': retries },
    actions: [
      { kind: 'listen', backlog } as Action,
      first,
      waits[0],
      ...(second ? [second] : []),
      ...(completes ? [{ kind: 'finalAck', client: 0 } as Action] : []),
      waits[1],
      { kind: 'accept', max: 2 } as Action,
    ],
  }));

export const halfOpenSuite: Suite = {
  name: 'half-open',
  properties: [
    {
      suite: 'half-open',
      name: 'synack-retransmit-and-expiry',
      claim: 'An unanswered SYN-ACK is retransmitted after 1 s, 2 s, ... tcp_synack_retries times, then the request dies silently; accept() never returns it.',
      scenarios: halfOpen,
      canonical: {
        config: { 'net.ipv4.tcp_synack_retries': 2 },
        actions: [{ kind: 'listen', backlog: 1 }, { kind: 'syn', client: 0, options: fullOptions, window: 4128 }, { kind: 'wait', ms: 3500 }, { kind: 'accept', max: 1 }],
      },
      defaultRuns: 5,
    },
    {
      suite: 'half-open',
      name: 'icmp-about-synack',
      claim: "ICMP net or host unreachable about a SYN-ACK drops the request (its retransmissions stop, its late ACK meets the listener, ListenDrops counts it); other codes, and any code about an established connection or a stranger, change nothing.",
      scenarios: fc
        .record({
          first: synFrom(0),
          about: fc.constantFrom(0, 1),
          code: fc.constantFrom(...ICMP_UNREACHABLE_CODES),
          completedFirst: fc.boolean(),
          pause: fc.constantFrom(0, 1400),
        })
        .map(({ first, about, code, completedFirst, pause }) => ({
          config: {},
          actions: [
            { kind: 'listen', backlog: 2 } as Action,
            first,
            ...(completedFirst ? [{ kind: 'finalAck', client: 0 } as Action] : []),
            { kind: 'clientUnreachable', client: about, code } as Action,
            ...(pause > 0 ? [{ kind: 'wait', ms: pause } as Action] : []),
            { kind: 'finalAck', client: 0 } as Action,
            { kind: 'accept', max: 2 } as Action,
          ],
        })),
      canonical: {
        config: {},
        actions: [{ kind: 'listen', backlog: 2 }, { kind: 'syn', client: 0, options: fullOptions, window: 4128 }, { kind: 'clientUnreachable', client: 0, code: 1 }, { kind: 'finalAck', client: 0 }, { kind: 'accept', max: 2 }],
      },
      defaultRuns: 12,
    },
  ],
};
