/**
 * The MSS a target advertises: its link's, clamped by TCP_MAXSEG on a listener (the SYN-ACK) or
 * on a connecting socket (the SYN), whatever MSS the peer offers, also one below
 * net.ipv4.tcp_min_snd_mss (RFC 9293 §3.7.1; Linux tcp_mss_clamp, tcp_openreq_init_rwin).
 */
import * as fc from 'fast-check';
import { MAXSEG_RANGE, type Action, type SynOptions } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, linkSettings, synOptions } from './arbitraries.ts';

/** TCP_MAXSEG: unset, below the link's MSS, or above it (no effect). */
const maxseg: fc.Arbitrary<number | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: MAXSEG_RANGE.min, max: 1460 }),
  fc.constantFrom(MAXSEG_RANGE.min, 536, 1000, 1400, 1460, 1500, 9000, MAXSEG_RANGE.max),
);

/** What a peer offers: the usual options with an MSS anywhere, tiny ones (below tcp_min_snd_mss) included. */
const peerOptions: fc.Arbitrary<SynOptions> = fc.record({
  options: synOptions,
  mss: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 101, max: 65535 })),
}).map(({ options, mss }) => ({ ...options, mss }));

const withMaxseg = <A extends Action>(action: A, value: number | undefined): A => (value === undefined ? action : { ...action, maxseg: value });

export const mssSuite: Suite = {
  name: 'mss',
  properties: [
    {
      suite: 'mss',
      name: 'mss-listener',
      claim: "A listener's SYN-ACK advertises its link's MSS, or TCP_MAXSEG where lower, with a window of whole such segments, whatever MSS the client offers; the handshake completes.",
      scenarios: fc
        .record({ maxseg, options: peerOptions, window: clientWindow, again: fc.boolean(), link: linkSettings })
        .map(({ maxseg, options, window, again, link }) => {
          const syn: Action = { kind: 'syn', client: 0, options, window };
          return {
            config: {},
            ...link,
            actions: [withMaxseg<Action>({ kind: 'listen', backlog: 2 }, maxseg), syn, ...(again ? [syn] : []), { kind: 'finalAck', client: 0 } as Action, { kind: 'accept', max: 1 } as Action],
          };
        }),
      canonical: {
        config: {},
        actions: [{ kind: 'listen', backlog: 2, maxseg: 1000 }, { kind: 'syn', client: 0, options: fullOptions, window: 64240 }, { kind: 'finalAck', client: 0 }, { kind: 'accept', max: 1 }],
      },
      defaultRuns: 15,
    },
    {
      suite: 'mss',
      name: 'mss-connect',
      claim: "connect()'s SYN advertises its link's MSS, or TCP_MAXSEG where lower, with a window of whole such segments; a SYN-ACK offering any MSS completes it.",
      scenarios: fc.record({ maxseg, options: peerOptions, window: clientWindow, link: linkSettings }).map(({ maxseg, options, window, link }) => ({
        config: {},
        ...link,
        actions: [
          withMaxseg<Action>({ kind: 'connect', conn: 0, syncnt: 2 }, maxseg),
          { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options, window, ackValid: true } } as Action,
          { kind: 'wait', ms: 50 } as Action,
        ],
      })),
      canonical: {
        config: {},
        actions: [{ kind: 'connect', conn: 0, syncnt: 2, maxseg: 1000 }, { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: fullOptions, window: 29200, ackValid: true } }, { kind: 'wait', ms: 50 }],
      },
      defaultRuns: 15,
    },
  ],
};
