/**
 * ECN negotiation (RFC 3168 §6.1.1): a listener answers a SYN that asks for ECN (ECE and CWR;
 * AccECN's adds AE) with ECE in its SYN-ACK as net.ipv4.tcp_ecn and the SYN's IP ECN field say,
 * also from a SYN cookie; connect() asks for it with tcp_ecn 1, and its retransmitted SYN stops
 * asking with tcp_ecn_fallback; 6.18 reads a SYN-ACK's AE, CWR and ECE as AccECN feedback.
 * No kernel here grants or requests AccECN by sysctl: tcp_ecn 3-5 are refused up to 6.18.
 */
import * as fc from 'fast-check';
import { ECN_FLAGS, IP_ECN, type Action, type EcnRequest } from '../harness/model/actions.ts';
import type { Suite } from '../harness/run/property.ts';
import { clientWindow, fullOptions, synOptions } from './arbitraries.ts';

/** tcp_ecn values every kernel has: off, on both ways, on for incoming only (the default). */
const tcpEcn = fc.constantFrom(0, 1, 2);

const request: fc.Arbitrary<EcnRequest | undefined> = fc.constantFrom(undefined, 'ecn', 'accecn');

export const ecnSuite: Suite = {
  name: 'ecn',
  properties: [
    {
      suite: 'ecn',
      name: 'ecn-listener',
      claim: "A SYN asking for ECN gets ECE in the SYN-ACK (and its retransmissions) while tcp_ecn is on and the SYN is not ECN-capable (unless it sets AE), a cookie's only with timestamps; the SYN-ACK is not-ECT.",
      scenarios: fc
        .record({ tcpEcn, cookies: fc.boolean(), ecn: request, ipEcn: fc.constantFrom(...IP_ECN), options: synOptions, window: clientWindow, again: fc.boolean(), expire: fc.boolean() })
        .map(({ tcpEcn, cookies, ecn, ipEcn, options, window, again, expire }) => {
          const syn: Action = { kind: 'syn', client: 0, options, window, ...(ecn ? { ecn } : {}), ...(ipEcn === 'notEct' ? {} : { ipEcn }) };
          return {
            config: { 'net.ipv4.tcp_ecn': tcpEcn, ...(cookies ? { 'net.ipv4.tcp_syncookies': 2 } : {}) },
            actions: [
              { kind: 'listen', backlog: 2 } as Action,
              syn,
              ...(again ? [syn] : []),
              // Past the first SYN-ACK retransmission at 1 s, 300 ms before the next.
              ...(expire ? [{ kind: 'wait', ms: 1300 } as Action] : []),
              { kind: 'finalAck', client: 0 } as Action,
              { kind: 'accept', max: 1 } as Action,
            ],
          };
        }),
      canonical: {
        config: { 'net.ipv4.tcp_ecn': 2 },
        actions: [{ kind: 'listen', backlog: 2 }, { kind: 'syn', client: 0, options: fullOptions, window: 64240, ecn: 'ecn' }, { kind: 'finalAck', client: 0 }, { kind: 'accept', max: 1 }],
      },
      defaultRuns: 15,
    },
    {
      suite: 'ecn',
      name: 'ecn-connect',
      claim: "connect()'s SYN asks for ECN with tcp_ecn 1 only, its retransmission no longer with tcp_ecn_fallback on; a SYN-ACK with any ECN flags completes it, and on 6.18 one that reads as AccECN makes the third ACK ECT(0) with CWR.",
      scenarios: fc
        .record({ tcpEcn, fallback: fc.constantFrom(0, 1), retransmitted: fc.boolean(), ecn: fc.subarray([...ECN_FLAGS]), options: synOptions, window: clientWindow })
        .map(({ tcpEcn, fallback, retransmitted, ecn, options, window }) => ({
          config: { 'net.ipv4.tcp_ecn': tcpEcn, 'net.ipv4.tcp_ecn_fallback': fallback },
          actions: [
            { kind: 'connect', conn: 0, syncnt: 2 } as Action,
            ...(retransmitted ? [{ kind: 'wait', ms: 1300 } as Action] : []),
            { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options, window, ackValid: true, ecn } } as Action,
            { kind: 'wait', ms: 50 } as Action,
          ],
        })),
      canonical: {
        config: { 'net.ipv4.tcp_ecn': 1 },
        // A SYN-ACK that reads as AccECN: where kernels differ (accEcnFromSynAck).
        actions: [{ kind: 'connect', conn: 0, syncnt: 2 }, { kind: 'wait', ms: 1300 }, { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: fullOptions, window: 29200, ackValid: true, ecn: ['CWR'] } }, { kind: 'wait', ms: 50 }],
      },
      defaultRuns: 10,
    },
  ],
};
