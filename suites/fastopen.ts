/**
 * TCP Fast Open (RFC 7413). On the server: a cookie request gets the client's cookie in the
 * SYN-ACK; the cookie with data makes a child at once whose SYN-ACK acknowledges the data and
 * that accept() returns before the final ACK; an invalid cookie falls back and gets the valid
 * one; tcp_fastopen 0x200 takes data without a cookie; a listener without TCP_FASTOPEN, or
 * tcp_fastopen without the server bit, takes none. RST, FIN, SYN and ACKs on the child, before and after accept(), and the listener closed over it.
 * On the client: sendto(MSG_FASTOPEN) asks a host for a cookie, caches it, and brings it with
 * data next time; the SYN-ACK acknowledges all, half or none of the data.
 */
import * as fc from 'fast-check';
import type { Action, FastOpenOption, SynAnswer } from '../harness/model/actions.ts';
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
  { kind: 'clientFin', client: 0 },
  { kind: 'closeAccepted', client: 0 },
  { kind: 'closeListener' },
);

/** One connect() with Fast Open: its data, whether its remote is on the first one's host, and the remote's answers. */
const fastOpenConnect = fc.record({
  data: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
  sameHost: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  // Mostly at once; sometimes after the SYN was retransmitted (without its data or option).
  delay: fc.constantFrom(0, 0, 0, 0, 0, 1100),
  // Windows that take the data (a smaller one splits its retransmission, and the rest follows the remote's ACKs, which the model does not follow).
  answer: fc.record({ options: synOptions, window: fc.oneof(fc.constantFrom(29200, 64240, 65535), fc.integer({ min: 1024, max: 65535 })), cookie: fc.boolean(), dataAcked: fc.constantFrom(undefined, 'all', 'half') }),
  // The remote's ACK of everything, after a pause that lets the data's RTO fire, or none.
  ackAfter: fc.constantFrom(undefined, 20, 700),
});

function fastOpenConnects(connects: ReadonlyArray<typeof fastOpenConnect extends fc.Arbitrary<infer T> ? T : never>): Action[] {
  return connects.flatMap(({ data, sameHost, delay, answer, ackAfter }, conn): Action[] => {
    const synAck: SynAnswer = { kind: 'synAck', options: answer.options, window: answer.window, ackValid: true, ...(answer.cookie ? { cookie: true } : {}), ...(answer.dataAcked ? { dataAcked: answer.dataAcked } : {}) };
    return [
      { kind: 'connect', conn, syncnt: 2, fastOpen: data, ...(conn > 0 && sameHost ? { sameHostAs: 0 } : {}) },
      ...(delay > 0 ? [{ kind: 'wait', ms: delay } as Action] : []),
      { kind: 'answerSyn', conn, answer: synAck },
      { kind: 'wait', ms: ackAfter ?? 20 },
      ...(ackAfter === undefined ? [] : [{ kind: 'answerSyn', conn, answer: { kind: 'ack' } } as Action, { kind: 'wait', ms: 20 } as Action]),
    ];
  });
}

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
    {
      suite: 'fastopen',
      name: 'fastopen-client',
      claim: "sendto(MSG_FASTOPEN) sends a SYN asking for a cookie (the experimental option after an unanswered request), or with the host's cached cookie and the data; data the SYN-ACK leaves is sent again at once and on the RTO; EOPNOTSUPP without tcp_fastopen's client bit (Linux tcp_send_syn_data, tcp_rcv_fastopen_synack).",
      scenarios: fc.record({ client: fc.constantFrom(true, true, true, false), connects: fc.array(fastOpenConnect, { minLength: 1, maxLength: 3 }) }).map(({ client, connects }) => ({
        config: client ? {} : { 'net.ipv4.tcp_fastopen': 0 },
        // Without the client bit sendto fails and nothing goes out: there is nothing to answer.
        actions: client ? fastOpenConnects(connects) : [{ kind: 'connect', conn: 0, syncnt: 2, fastOpen: connects[0]!.data } as Action, { kind: 'wait', ms: 20 } as Action],
      })),
      canonical: {
        config: {},
        actions: [
          { kind: 'connect', conn: 0, syncnt: 2, fastOpen: 100 },
          { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: fullOptions, window: 29200, ackValid: true, cookie: true } },
          { kind: 'wait', ms: 20 },
          { kind: 'connect', conn: 1, syncnt: 2, fastOpen: 300, sameHostAs: 0 },
          { kind: 'answerSyn', conn: 1, answer: { kind: 'synAck', options: fullOptions, window: 29200, ackValid: true, dataAcked: 'half' } },
          { kind: 'wait', ms: 20 },
        ],
      },
      defaultRuns: 8,
    },
  ],
};
