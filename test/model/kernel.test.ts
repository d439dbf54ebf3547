/**
 * Every rule of the model against this machine's kernel: a scenario per rule, run in a lab, in
 * which the model must predict the observed exchange exactly (fields and timing). The BSD-only
 * rule (queues sharing the backlog) has no Linux behaviour to observe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../harness/model/rules.ts';
import type { Action, AddressFamily, EcnFlag, IcmpUnreachableCode, Rmem, SynOptions } from '../../harness/model/actions.ts';
import { judge } from '../../harness/run/judge.ts';
import { openExecutorTarget, type ExecutorTarget } from '../../harness/run/targets.ts';
import { requireRoot } from '../support/root.ts';

const full: SynOptions = { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 };
const syn = (client: number, options = full): Action => ({ kind: 'syn', client, options, window: 64240 });
const ack = (client: number): Action => ({ kind: 'finalAck', client });
const listen = (backlog: number): Action => ({ kind: 'listen', backlog });
const accept: Action = { kind: 'accept', max: 4 };
const connect: Action = { kind: 'connect', conn: 0, syncnt: 1 };
const answer = (a: Extract<Action, { kind: 'answerSyn' }>['answer']): Action => ({ kind: 'answerSyn', conn: 0, answer: a });
const wait = (ms: number): Action => ({ kind: 'wait', ms });

type KernelScenario = { name: string; family?: AddressFamily; config?: Record<string, number>; rmem?: Rmem; mtu?: number; actions: Action[] };

const scenarios: KernelScenario[] = [
  { name: 'handshake and accept', actions: [listen(1), syn(0), ack(0), accept] },
  // IPv6 (tcp_v6_conn_request, tcp_v6_syn_recv_sock) and an IPv6 listener taking IPv4 (mapped addresses).
  { name: 'IPv6: handshake and accept, SYN-ACK MSS 1440 (MTU less 60)', family: 'ipv6', actions: [listen(1), syn(0), ack(0), accept] },
  { name: 'IPv6 on a 1280-byte link (the minimum): MSS 1220; a closed port', family: 'ipv6', mtu: 1280, actions: [listen(1), syn(0), ack(0), accept, { kind: 'synToClosedPort', client: 1 }] },
  { name: 'IPv4-mapped: an AF_INET6 listener without IPV6_V6ONLY accepts an IPv4 client', family: 'ipv4-mapped', actions: [listen(1), syn(0), ack(0), accept] },
  { name: 'IPv4-mapped: connect() from an AF_INET6 socket to ::ffff:a.b.c.d; ICMP net unreachable in SYN-SENT', family: 'ipv4-mapped', actions: [connect, answer({ kind: 'icmpUnreachable', code: 0 }), wait(20)] },
  { name: 'IPv6: connect() and SYN-ACK; the SYN carries MSS 1440', family: 'ipv6', actions: [connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  // icmpv6_err_convert: every code ends SYN-SENT at once with its errno (7 and up: EPROTO).
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 15].map((code): KernelScenario => ({ name: `IPv6 connect: ICMPv6 unreachable code ${code}`, family: 'ipv6', actions: [connect, answer({ kind: 'icmpUnreachable', code: code as IcmpUnreachableCode }), wait(20)] })),
  { name: 'IPv6 connect: packet too big naming the link MTU changes nothing; the SYN is retransmitted on time', family: 'ipv6', actions: [connect, answer({ kind: 'packetTooBig' }), wait(1200)] },
  { name: 'IPv4 connect: fragmentation needed via packet too big, likewise', actions: [connect, answer({ kind: 'packetTooBig' }), wait(20)] },
  // tcp_req_err: the fatal codes (1, 4, 5, 6, 7+) drop the request; 0 and 3 leave it.
  ...[0, 1, 3, 4, 7].map((code): KernelScenario => ({ name: `IPv6 listener: ICMPv6 code ${code} about the SYN-ACK ${[0, 3].includes(code) ? 'leaves' : 'drops'} the request`, family: 'ipv6', actions: [listen(2), syn(0), { kind: 'clientUnreachable', client: 0, code: code as IcmpUnreachableCode }, ack(0), accept] })),
  { name: 'SYN queue full: drop without cookies', config: { 'net.ipv4.tcp_syncookies': 0 }, actions: [listen(0), syn(0), syn(1)] },
  { name: 'SYN queue full: cookie with syncookies 1, its ACK completes', config: { 'net.ipv4.tcp_syncookies': 1 }, actions: [listen(0), syn(0), syn(1, { ...full, timestamps: false }), ack(0), accept, ack(1), accept] },
  { name: 'syncookies 2', config: { 'net.ipv4.tcp_syncookies': 2 }, actions: [listen(2), syn(0), ack(0), accept] },
  { name: 'accept queue full: SYN dropped silently', config: { 'net.ipv4.tcp_syncookies': 0 }, actions: [listen(1), syn(0), ack(0), syn(1), ack(1), syn(2), accept] },
  { name: 'listen(-1) means somaxconn', config: { 'net.core.somaxconn': 1, 'net.ipv4.tcp_syncookies': 0 }, actions: [listen(-1), syn(0), ack(0), syn(1), ack(1), syn(2), accept] },
  { name: 'last quarter of tcp_max_syn_backlog', config: { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_max_syn_backlog': 4 }, actions: [listen(10), syn(0), syn(1), syn(2), syn(3), syn(4)] },
  { name: 'final ACK on a full accept queue, abort_on_overflow 1', config: { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_abort_on_overflow': 1 }, actions: [listen(1), syn(0), syn(1), ack(0), syn(2), ack(1), ack(2), accept] },
  { name: 'final ACK on a full accept queue, abort_on_overflow 0', config: { 'net.ipv4.tcp_syncookies': 0 }, actions: [listen(1), syn(0), syn(1), ack(0), syn(2), ack(1), ack(2), accept, ack(2), accept] },
  { name: 'SYN-ACK retransmitted, then the request expires', config: { 'net.ipv4.tcp_synack_retries': 1 }, actions: [listen(1), syn(0), wait(3400), ack(0), accept] },
  { name: 'duplicate SYN, bad ACK, completion', actions: [listen(2), syn(0), syn(0), { kind: 'badAck', client: 0 }, ack(0), accept] },
  { name: 'RST in SYN_RCVD, then an ACK meets the listener', actions: [listen(2), syn(0), { kind: 'rst', client: 0 }, ack(0)] },
  { name: 'RST to a queued connection; challenge ACK to a SYN on another', actions: [listen(2), syn(0), ack(0), { kind: 'rst', client: 0 }, syn(1), ack(1), syn(1), accept] },
  { name: 'closing the listener', actions: [listen(2), syn(0), ack(0), syn(1), { kind: 'closeListener' }, syn(2), ack(1)] },
  { name: 'closed port', actions: [{ kind: 'synToClosedPort', client: 0 }, { kind: 'ackToClosedPort', client: 1 }] },
  { name: 'connect: SYN retransmits and ETIMEDOUT', actions: [connect, wait(3500)] },
  { name: 'connect: SYN-ACK', actions: [connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: 'connect: bad SYN-ACK, then RST', actions: [connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: false }), wait(60), answer({ kind: 'rst', acceptable: true }), wait(20)] },
  { name: 'connect: ICMP net unreachable', actions: [connect, answer({ kind: 'icmpUnreachable', code: 0 }), wait(20)] },
  // Every destination-unreachable code ends SYN_SENT with its icmp_err_convert errno (4 only adjusts the path MTU).
  ...[5, 6, 7, 8, 11, 12, 14, 15].map((code) => ({ name: `connect: ICMP unreachable code ${code}`, actions: [connect, answer({ kind: 'icmpUnreachable', code: code as IcmpUnreachableCode }), wait(20)] })),
  { name: 'a blocking accept woken by the final ACK; another that times out', actions: [listen(1), syn(0), { kind: 'blockingAccept', timeoutMs: 700 }, wait(200), ack(0), wait(100), { kind: 'blockingAccept', timeoutMs: 400 }, wait(600)] },
  { name: 'connect: close() in SYN-SENT, then a late SYN-ACK meets a closed port', actions: [connect, { kind: 'closeConnection', conn: 0 }, wait(1300), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: 'a SYN with data: the SYN-ACK acknowledges only the SYN; the handshake completes', actions: [listen(1), { kind: 'syn', client: 0, options: full, window: 64240, data: 300 }, ack(0), accept] },
  { name: 'a SYN with data to a closed listener port: the RST acknowledges the SYN and its data', actions: [listen(1), { kind: 'closeListener' }, { kind: 'syn', client: 0, options: full, window: 64240, data: 300 }] },
  { name: 'a duplicate final ACK on an established connection is dropped', actions: [listen(1), syn(0), ack(0), ack(0), accept] },
  { name: 'a second SYN on an established connection within 500 ms: its challenge ACK is rate-limited', actions: [listen(1), syn(0), ack(0), syn(0), syn(0)] },
  { name: 'connect: fragmentation needed only adjusts the path MTU; an RST after the connection was refused is dropped', actions: [connect, answer({ kind: 'icmpUnreachable', code: 4 }), answer({ kind: 'rst', acceptable: true }), answer({ kind: 'rst', acceptable: true }), wait(20)] },
  { name: 'TCP_MAXSEG 1000 on a listener: the SYN-ACK advertises 1000 whatever the client offers (here mss 20, below tcp_min_snd_mss)', actions: [{ kind: 'listen', backlog: 1, maxseg: 1000 }, syn(0, { ...full, mss: 20 }), ack(0), accept] },
  { name: 'TCP_MAXSEG 536 on connect(): the SYN advertises 536, with a window of whole 536-byte segments', actions: [{ kind: 'connect', conn: 0, syncnt: 1, maxseg: 536 }, answer({ kind: 'synAck', options: { ...full, mss: 40 }, window: 29200, ackValid: true }), wait(20)] },
  { name: 'simultaneous open: the SYNs cross, the target answers SYN-ACK with its SYN options, the remote ACK completes connect()', actions: [connect, answer({ kind: 'syn', options: full, window: 29200 }), wait(20), answer({ kind: 'ack' }), wait(20)] },
  { name: 'simultaneous open without options; a SYN-ACK in SYN-RECEIVED', actions: [connect, answer({ kind: 'syn', options: { mss: null, sackPermitted: false, timestamps: false, windowScale: null }, window: 4128 }), wait(20), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: 'simultaneous open: the SYN-ACK retransmitted on the SYN timer', actions: [connect, answer({ kind: 'syn', options: full, window: 29200 }), wait(1500)] },
  { name: 'connect: a bare ACK in SYN-SENT is dropped; a SYN-ACK then completes', actions: [connect, answer({ kind: 'ack' }), wait(20), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20), answer({ kind: 'ack' }), wait(20)] },
  ...(['ecn', 'accecn'] as const).flatMap((ecn) =>
    (['notEct', 'ect0'] as const).flatMap((ipEcn) =>
      [0, 1, 2].map((tcpEcn) => ({ name: `a SYN asking for ${ecn} [${ipEcn}] with tcp_ecn ${tcpEcn}: the SYN-ACK sets ECE as tcp_ecn_create_request says`, config: { 'net.ipv4.tcp_ecn': tcpEcn }, actions: [listen(1), { kind: 'syn', client: 0, options: full, window: 64240, ecn, ipEcn } as Action, ack(0), accept] })),
    ),
  ),
  { name: 'tcp_ecn 1: the SYN asks for ECN, its retransmission does not (tcp_ecn_fallback 1); a SYN-ACK with ECE completes', config: { 'net.ipv4.tcp_ecn': 1 }, actions: [connect, wait(1200), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true, ecn: ['ECE'] }), wait(20)] },
  ...[[], ['ECE'], ['CWR'], ['CWR', 'ECE'], ['AE'], ['AE', 'ECE'], ['AE', 'CWR'], ['AE', 'CWR', 'ECE']].flatMap((ecn) =>
    [0, 1200].map((delay) => ({ name: `tcp_ecn 1: a SYN-ACK with ${ecn.join('+') || 'no ECN flags'}${delay ? ' after a retransmitted SYN' : ''}: the third ACK as the profile's AccECN rule says`, config: { 'net.ipv4.tcp_ecn': 1 }, actions: [connect, wait(delay), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true, ecn: ecn as EcnFlag[] }), wait(20)] })),
  ),
  { name: 'tcp_ecn 1, tcp_ecn_fallback 0: the retransmitted SYN asks for ECN too', config: { 'net.ipv4.tcp_ecn': 1, 'net.ipv4.tcp_ecn_fallback': 0 }, actions: [connect, wait(1200), answer({ kind: 'synAck', options: full, window: 29200, ackValid: true, ecn: ['ECE'] }), wait(20)] },
  { name: 'ICMP host unreachable about a SYN-ACK drops the request (no retransmission; the late ACK meets the listener)', actions: [listen(1), syn(0), { kind: 'clientUnreachable', client: 0, code: 1 }, wait(1300), ack(0), accept] },
  { name: 'ICMP port unreachable about a SYN-ACK leaves the request; about an established connection or a stranger, nothing', actions: [listen(1), syn(0), { kind: 'clientUnreachable', client: 0, code: 3 }, ack(0), { kind: 'clientUnreachable', client: 0, code: 0 }, { kind: 'clientUnreachable', client: 1, code: 1 }, accept] },
  { name: 'tcp_timestamps, tcp_sack and tcp_window_scaling off: the SYN-ACK offers MSS alone; connect() too', config: { 'net.ipv4.tcp_timestamps': 0, 'net.ipv4.tcp_sack': 0, 'net.ipv4.tcp_window_scaling': 0 }, actions: [listen(1), syn(0), ack(0), accept, connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: 'tcp_timestamps 2 (no random offset) and a sysctl changed mid-scenario: the next SYN-ACK follows it', config: { 'net.ipv4.tcp_timestamps': 2 }, actions: [listen(2), syn(0), { kind: 'sysctl', name: 'net.ipv4.tcp_sack', value: 0 }, syn(1), ack(0), ack(1), accept] },
  ...fastOpenScenarios(),
  ...fastOpenClientScenarios(),
  ...[0, 1].map((rfc1337) => ({ name: `TIME-WAIT after close() and the remote's FIN; an in-window RST ${rfc1337 ? 'ignored (tcp_rfc1337 1): the SYN after it gets the final ACK' : 'kills it (tcp_rfc1337 0): the SYN after it meets a closed port'}`, config: { 'net.ipv4.tcp_rfc1337': rfc1337 }, actions: [{ kind: 'connect', conn: 0, syncnt: 3 } as Action, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 } as Action, wait(10), answer({ kind: 'fin' }), wait(20), answer({ kind: 'rstInWindow' }), wait(20), answer({ kind: 'syn', options: full, window: 29200 }), wait(20)] })),
  { name: 'TIME-WAIT: a retransmitted FIN gets the final ACK each time; SYNs within 500 ms get one; a bare ACK nothing', actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, answer({ kind: 'synAck', options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 }, wait(10), answer({ kind: 'fin' }), wait(20), answer({ kind: 'syn', options: full, window: 29200 }), answer({ kind: 'syn', options: full, window: 29200 }), answer({ kind: 'ack' }), answer({ kind: 'fin' }), answer({ kind: 'fin' }), wait(20)] },
  { name: 'FIN-WAIT-2: the remote ACKs the FIN (no more retransmissions); an old SYN and an RST out of the window get an ACK once per 500 ms; its FIN then brings TIME-WAIT', actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 }, wait(10), answer({ kind: 'ack' }), wait(300), answer({ kind: 'syn', options: full, window: 29200 }), answer({ kind: 'rst', acceptable: true }), wait(600), answer({ kind: 'rst', acceptable: true }), wait(20), answer({ kind: 'fin' }), wait(20)] },
  { name: 'FIN-WAIT-2: an in-window RST kills it whatever tcp_rfc1337 says; the FIN then meets a closed port', config: { 'net.ipv4.tcp_rfc1337': 1 }, actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 }, wait(10), answer({ kind: 'ack' }), wait(20), answer({ kind: 'rstInWindow' }), wait(20), answer({ kind: 'fin' }), wait(20)] },
  ...[true, false].map((sackPermitted) => ({ name: `FIN-WAIT-1: the FIN retransmitted on the RTO the handshake gave (m + max(2m, 200 ms)), doubling${sackPermitted ? ', after a tail loss probe (SACK)' : ''}`, actions: [{ kind: 'connect', conn: 0, syncnt: 3 } as Action, answer({ kind: 'synAck', options: { ...full, sackPermitted }, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 } as Action, wait(1000), answer({ kind: 'fin' }), wait(20)] })),
  { name: 'tcp_rmem 4096 262144 64M and MTU 1280: the SYN-ACK offers 65535 (unscaled) with window scale 11 and MSS 1240; connect() too', rmem: [4096, 262144, 67108864], mtu: 1280, actions: [listen(1), syn(0), ack(0), accept, connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: 'tcp_rmem 4096 4096 4096 and MTU 9000: a window of 2048 (below one segment), MSS 8960', rmem: [4096, 4096, 4096], mtu: 9000, actions: [listen(1), syn(0), ack(0), accept, connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), wait(20)] },
  { name: "tcp_rto_max_ms 1000: connect()'s SYN every second, ETIMEDOUT at the modelled 1 + syn_retries s", config: { 'net.ipv4.tcp_rto_max_ms': 1000 }, actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, wait(4600)] },
  { name: 'tcp_rto_max_ms 1000: a request keeps TCP_RTO_MAX (SYN-ACKs at 1 and 3 s), a Fast Open child takes the ceiling (every second)', config: { 'net.ipv4.tcp_rto_max_ms': 1000, 'net.ipv4.tcp_synack_retries': 2, 'net.ipv4.tcp_fastopen': 0x203 }, actions: [{ kind: 'listen', backlog: 4, fastOpen: 2 }, syn(0), { kind: 'syn', client: 1, options: full, window: 64240, data: 10 }, wait(3600)] },
  { name: "tcp_rto_max_ms 1000: the FIN's timeout doubles up to 1 s, where the orphan is no longer alive and dies (tcp_orphan_retries 0); the remote's FIN then meets a closed port", config: { 'net.ipv4.tcp_rto_max_ms': 1000 }, actions: [{ kind: 'connect', conn: 0, syncnt: 3 }, answer({ kind: 'synAck', options: { ...full, sackPermitted: false }, window: 29200, ackValid: true }), wait(20), { kind: 'closeConnection', conn: 0 }, wait(3000), answer({ kind: 'fin' }), wait(20)] },
  { name: "a client's FIN on an established connection: CLOSE-WAIT, the ACK on the delayed-ACK timer; a FIN again acknowledged at once; a SYN then gets a challenge ACK past the FIN", actions: [listen(2), syn(0), ack(0), { kind: 'clientFin', client: 0 }, accept, { kind: 'clientFin', client: 0 }, wait(300), ack(0), syn(0)] },
  { name: "a client's FIN in SYN-RECEIVED completes the handshake first (accept() returns it); a FIN from a stranger gets RST", actions: [listen(2), syn(0), { kind: 'clientFin', client: 0 }, accept, wait(20), { kind: 'clientFin', client: 1 }] },
  ...[false, true].map((accepted) => ({ name: `Fast Open: a client's FIN to a child ${accepted ? 'after' : 'before'} accept() establishes it and is acknowledged`, config: { 'net.ipv4.tcp_fastopen': 0x203 }, actions: [{ kind: 'listen', backlog: 2, fastOpen: 4 } as Action, { kind: 'syn', client: 0, options: full, window: 64240, data: 10 } as Action, ...(accepted ? [accept, { kind: 'clientFin', client: 0 } as Action] : [{ kind: 'clientFin', client: 0 } as Action, accept]), wait(20), { kind: 'rst', client: 0 } as Action] })),
  { name: 'close() on an accepted connection: its FIN, a tail loss probe, then the RTO doubling; the ACK brings FIN-WAIT-2, the FIN TIME-WAIT and its ACK; a SYN then gets that ACK again', actions: [listen(2), syn(0), ack(0), accept, { kind: 'closeAccepted', client: 0 }, wait(1500), ack(0), wait(20), { kind: 'clientFin', client: 0 }, wait(20), syn(0)] },
  { name: "close() after the client's FIN: LAST-ACK, its FIN retransmitted; the ACK ends it, and a FIN then meets the listener (RST), a SYN a new handshake", actions: [listen(2), syn(0, { ...full, sackPermitted: false }), ack(0), { kind: 'clientFin', client: 0 }, accept, wait(20), { kind: 'closeAccepted', client: 0 }, wait(700), ack(0), wait(20), { kind: 'clientFin', client: 0 }, syn(0)] },
  { name: "Fast Open: close() on an accepted child with its SYN data unread resets it (RST+ACK); the final ACK then meets the listener", config: { 'net.ipv4.tcp_fastopen': 0x203 }, actions: [{ kind: 'listen', backlog: 2, fastOpen: 4 }, { kind: 'syn', client: 0, options: full, window: 64240, data: 10 }, accept, { kind: 'closeAccepted', client: 0 }, wait(20), ack(0)] },
  { name: 'close() on an accepted connection, then an ACK of data never sent (FIN-WAIT-1) and again after the ACK of the FIN (FIN-WAIT-2)', actions: [listen(2), syn(0), ack(0), accept, { kind: 'closeAccepted', client: 0 }, { kind: 'badAck', client: 0 }, wait(20), ack(0), { kind: 'badAck', client: 0 }, wait(20)] },
  { name: "close() after the client's FIN, then an ACK of data never sent (LAST-ACK)", actions: [listen(2), syn(0), ack(0), { kind: 'clientFin', client: 0 }, accept, { kind: 'closeAccepted', client: 0 }, { kind: 'badAck', client: 0 }, wait(20)] },
  { name: 'close() on a connection accept() never returned does nothing', actions: [listen(2), syn(0), ack(0), { kind: 'closeAccepted', client: 0 }, wait(20), accept] },
  { name: 'connect: an ICMP error on an established connection is dropped', actions: [connect, answer({ kind: 'synAck', options: full, window: 29200, ackValid: true }), answer({ kind: 'icmpUnreachable', code: 1 }), wait(20)] },
];

/** Fast Open on the server: the client asks for a cookie in a handshake it then resets, and comes back with it. */
function fastOpenScenarios(): KernelScenario[] {
  const tfo: Action = { kind: 'listen', backlog: 2, fastOpen: 5 };
  const withCookie = (fastOpen: 'request' | 'cookie' | 'badCookie', data = 0): Action => ({ kind: 'syn', client: 0, options: full, window: 64240, fastOpen, ...(data ? { data } : {}) });
  const cookieFirst = [withCookie('request'), ack(0), accept, { kind: 'rst', client: 0 } as Action];
  return [
    { name: 'Fast Open: a cookie request gets the cookie; the cookie with data makes a child accept() returns before the final ACK', config: { 'net.ipv4.tcp_fastopen': 3 }, actions: [tfo, ...cookieFirst, withCookie('cookie', 100), accept, ack(0)] },
    { name: 'Fast Open: an invalid cookie falls back (data not taken, the valid cookie given); a cookie on a listener without TCP_FASTOPEN is ignored', config: { 'net.ipv4.tcp_fastopen': 3 }, actions: [tfo, withCookie('badCookie', 50), ack(0), accept, listen(1)] },
    { name: 'Fast Open off (tcp_fastopen 1): a cookie request is counted, no cookie given', actions: [tfo, withCookie('request', 20), ack(0), accept] },
    { name: 'Fast Open without cookies (tcp_fastopen 0x203): data in a bare SYN makes a child', config: { 'net.ipv4.tcp_fastopen': 0x203 }, actions: [tfo, { kind: 'syn', client: 0, options: full, window: 64240, data: 300 }, accept, ack(0)] },
    { name: 'Fast Open: a child reset before accept() is still returned; a child pending when the listener closes is reset', config: { 'net.ipv4.tcp_fastopen': 0x203 }, actions: [tfo, { kind: 'syn', client: 0, options: full, window: 64240, data: 10 }, { kind: 'rst', client: 0 }, { kind: 'syn', client: 1, options: full, window: 64240, data: 10 }, accept, { kind: 'syn', client: 2, options: full, window: 64240, data: 10 }, { kind: 'closeListener' }] },
    { name: "Fast Open: the child's SYN-ACK retransmitted; a retransmitted SYN gets it again (tcp_check_req on the child's request)", config: { 'net.ipv4.tcp_fastopen': 0x203 }, actions: [tfo, { kind: 'syn', client: 0, options: full, window: 64240, data: 10 }, wait(1300), { kind: 'syn', client: 0, options: full, window: 64240, data: 10 }, ack(0), accept] },
  ];
}

/** Fast Open on the client: connect() with sendto(MSG_FASTOPEN) asks a host for a cookie, then brings it with data. */
function fastOpenClientScenarios(): KernelScenario[] {
  const tfo = (conn: number, data: number, sameHostAs?: number): Action => ({ kind: 'connect', conn, syncnt: 2, fastOpen: data, ...(sameHostAs === undefined ? {} : { sameHostAs }) });
  const synAck = (conn: number, extra: { cookie?: boolean; dataAcked?: 'all' | 'half'; window?: number } = {}): Action => ({ kind: 'answerSyn', conn, answer: { kind: 'synAck', options: full, window: 29200, ackValid: true, ...extra } });
  return [
    { name: 'Fast Open client: a cookie request, the cookie cached; the next connect() to the host sends it with data, all acknowledged', actions: [tfo(0, 100), synAck(0, { cookie: true }), wait(20), tfo(1, 300, 0), synAck(1, { dataAcked: 'all' }), wait(20)] },
    { name: 'Fast Open client: data half acknowledged: the rest goes again at once, then on the RTO; the ACK ends it', actions: [tfo(0, 0), synAck(0, { cookie: true }), wait(20), tfo(1, 300, 0), synAck(1, { dataAcked: 'half' }), wait(700), { kind: 'answerSyn', conn: 1, answer: { kind: 'ack' } }, wait(20)] },
    { name: 'Fast Open client: data not acknowledged; another host gets a cookie request, not the cookie', actions: [tfo(0, 10), synAck(0, { cookie: true }), wait(20), tfo(1, 200, 0), synAck(1), wait(20), tfo(2, 50), synAck(2), wait(20)] },
    { name: 'Fast Open client: an unanswered cookie request makes the next one experimental, the one after RFC again', actions: [tfo(0, 10), synAck(0), wait(20), tfo(1, 10, 0), synAck(1), wait(20), tfo(2, 10, 0), synAck(2), wait(20)] },
    ...[100, 0].map((window) => ({ name: `Fast Open client: data not acknowledged by a SYN-ACK with window ${window}: the retransmission takes ${window ? 'the window, without PSH' : 'one segment'}`, actions: [tfo(0, 0), synAck(0, { cookie: true }), wait(20), tfo(1, 300, 0), synAck(1, { window }), wait(20)] })),
    { name: 'Fast Open client off (tcp_fastopen 0): sendto(MSG_FASTOPEN) fails with EOPNOTSUPP, nothing sent', config: { 'net.ipv4.tcp_fastopen': 0 }, actions: [tfo(0, 10), wait(20)] },
    { name: 'Fast Open client: the SYN with data retransmitted plain; two timeouts count a failure; a late SYN-ACK acknowledging nothing brings the data', actions: [tfo(0, 0), synAck(0, { cookie: true }), wait(20), tfo(1, 100, 0), wait(3300), synAck(1), wait(20)] },
  ];
}

let target: ExecutorTarget;
const exercised = new Set<string>();

describe('the model predicts this kernel exactly, rule by rule', () => {
  beforeAll(async () => {
    requireRoot();
    target = await openExecutorTarget('local', { allowRemote: false });
  });
  afterAll(async () => {
    await target?.close();
  });

  for (const s of scenarios) {
    it(s.name, async () => {
      const profile = target.ownProfile;
      const execution = await target.executor.execute({ ...(s.family ? { family: s.family } : {}), config: s.config ?? {}, ...(s.rmem ? { rmem: s.rmem } : {}), ...(s.mtu ? { mtu: s.mtu } : {}), actions: s.actions });
      const verdict = judge(execution, profile);
      expect(verdict.deviations.map((d) => d.message)).toEqual([]);
      expect(execution.silence.timeout).toBe(0);
      for (const e of verdict.expected) exercised.add(e.rule.id);
    });
  }

  it('every Linux rule was exercised by some scenario above', () => {
    // Not this kernel's: the BSD backlog, dropping an ACK of unsent data (6.18 answers it; the VM kernels drop it), gVisor's and lwIP's own rules.
    const elsewhere: string[] = [RULES.sharedBacklog.id, RULES.listen.id, RULES.unsentDataDropped.id, ...[RULES.fastOpenUnsupported, RULES.timeWaitOldSyn, RULES.finWait2FullEndpoint, RULES.simultaneousBadAck, RULES.lastAckFinAgain, RULES.orphanedRequest].map((r) => r.id)];
    const linuxRules = Object.values(RULES).filter((r) => !elsewhere.includes(r.id)).map((r) => r.id);
    expect(linuxRules.filter((id) => !exercised.has(id))).toEqual([]);
  });
});
