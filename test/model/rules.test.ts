/** One test per rule of the reference model, named after its RFC section or kernel behaviour. */
import { schedule } from '../../harness/model/schedule.ts';
import { describe, expect, it } from 'vitest';
import { predict } from '../../harness/model/predict.ts';
import { profileByName, type KernelProfile } from '../../harness/model/profiles.ts';
import { synTimeoutMs } from '../../harness/model/active-open.ts';
import { clientIsn, closedPortAck } from '../../harness/model/harness-numbers.ts';
import type { Action, SynOptions } from '../../harness/model/actions.ts';
import type { Expectation } from '../../harness/model/expectations.ts';
import { DEFAULT_SETTINGS } from '../../harness/model/profiles.ts';

const linux = profileByName('linux-6.18');
const linux61 = profileByName('linux-6.1');
const bsd = profileByName('bsd-article');
const full: SynOptions = { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 };
const bare: SynOptions = { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null };
const syn = (client: number, options = full): Action => ({ kind: 'syn', client, options, window: 64240 });
const ack = (client: number): Action => ({ kind: 'finalAck', client });

/** Runs actions 1 ms apart (waits advance time) and returns the model's expectations. */
function run(actions: Action[], config: Record<string, number> = {}, profile: KernelProfile = linux, horizonAfter = 5): Expectation[] {
  const { timed, end } = schedule(actions);
  return predict({ profile, settings: { ...DEFAULT_SETTINGS, sysctls: { ...DEFAULT_SETTINGS.sysctls, ...config } }, actions: timed, horizon: end + horizonAfter });
}

const segments = (es: Expectation[]) => es.filter((e): e is Extract<Expectation, { kind: 'segment' }> => e.kind === 'segment');
const results = (es: Expectation[]) => es.filter((e): e is Extract<Expectation, { kind: 'result' }> => e.kind === 'result').map((e) => e.result);
const counters = (es: Expectation[]) => es.filter((e) => e.kind === 'counter').map((e) => (e as { name: string }).name).sort();
const flags = (es: Expectation[]) => segments(es).map((e) => e.segment.flags.join('+'));

describe('listener (RFC 9293 §3.10.7.2, Linux tcp_conn_request)', () => {
  it('SYN -> SYN-ACK with ack = ISN+1, MSS from the MTU, the offered options echoed, window rounded to whole segments', () => {
    const [s] = segments(run([{ kind: 'listen', backlog: 1 }, syn(0)]));
    expect(s!.segment).toMatchObject({ flags: ['SYN', 'ACK'], ack: { exact: clientIsn(0) + 1 }, window: { exact: 65160 } });
    expect(s!.segment.options).toMatchObject({ mss: 1460, sackPermitted: true, windowScale: { exact: 10 }, timestamps: { tsecr: { exact: 7000 } } });
    const [plain] = segments(run([{ kind: 'listen', backlog: 1 }, syn(0, bare)]));
    expect(plain!.segment.options).toEqual({ mss: 1460, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null });
    expect(plain!.segment.window).toEqual({ exact: 64240 });
  });

  it('TCP_MAXSEG on the listener clamps the SYN-ACK MSS and the window to whole segments of it; one above the link MSS changes nothing', () => {
    const [s] = segments(run([{ kind: 'listen', backlog: 1, maxseg: 1000 }, syn(0, { ...full, mss: 20 })]));
    // 65536 bytes of receive space rounded down to 988-byte segments (1000 less 12 of timestamps).
    expect(s!.segment).toMatchObject({ window: { exact: 65208 }, options: { mss: 1000 } });
    const [above] = segments(run([{ kind: 'listen', backlog: 1, maxseg: 9000 }, syn(0)]));
    expect(above!.segment).toMatchObject({ window: { exact: 65160 }, options: { mss: 1460 } });
  });

  it('listen(N) queues N+1 completed connections (sk_acceptq_is_full is len > max); then a SYN is dropped silently (>= 4.10)', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), ack(0), syn(1), ack(1), syn(2), { kind: 'accept', max: 5 }], { 'net.ipv4.tcp_syncookies': 0 });
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK']);
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0, 1] });
    expect(counters(es)).toEqual(['Tcp.PassiveOpens', 'Tcp.PassiveOpens', 'TcpExt.ListenDrops', 'TcpExt.ListenOverflows']);
  });

  it('somaxconn caps the backlog at listen() time: listen(100) with somaxconn 0 holds one connection', () => {
    const es = run([{ kind: 'listen', backlog: 100 }, syn(0), ack(0), syn(1), ack(1)], { 'net.core.somaxconn': 0, 'net.ipv4.tcp_syncookies': 0 });
    // The second SYN finds the accept queue full and is dropped; its ACK then meets the listener.
    expect(flags(es)).toEqual(['SYN+ACK', 'RST']);
  });

  it('listen(-1) means somaxconn (the backlog is compared unsigned): with somaxconn 1 it holds two connections, the third SYN dropped', () => {
    const es = run([{ kind: 'listen', backlog: -1 }, syn(0), ack(0), syn(1), ack(1), syn(2)], { 'net.core.somaxconn': 1, 'net.ipv4.tcp_syncookies': 0 });
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK']);
  });

  it('a blocking accept() is woken by the final ACK, returns the queue head at once, or nothing at its timeout', () => {
    const woken = run([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'blockingAccept', timeoutMs: 700 }, { kind: 'wait', ms: 100 }, ack(0)]);
    expect(results(woken)).toEqual([{ call: 'listen', ok: true }, { call: 'accept', accepted: [0] }]);
    expect(woken.find((e) => e.kind === 'result' && e.result.call === 'accept')).toMatchObject({ cause: 2, at: { earliest: 103 } });
    const atOnce = run([{ kind: 'listen', backlog: 1 }, syn(0), ack(0), { kind: 'blockingAccept', timeoutMs: 700 }]);
    expect(results(atOnce)[1]).toEqual({ call: 'accept', accepted: [0] });
    const timedOut = run([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'blockingAccept', timeoutMs: 700 }, { kind: 'wait', ms: 800 }]);
    expect(timedOut.find((e) => e.kind === 'result' && e.result.call === 'accept')).toMatchObject({ result: { accepted: [] }, at: { earliest: 702 } });
  });

  it('a final ACK that finds the accept queue full is dropped and the request kept (tcp_abort_on_overflow 0), or answered with RST (1)', () => {
    // listen(1): two requests, one completes, a third request, then both complete: the last finds 2 > 1.
    const actions = [{ kind: 'listen', backlog: 1 } as Action, syn(0), syn(1), ack(0), syn(2), ack(1), ack(2)];
    const keep = run(actions, { 'net.ipv4.tcp_abort_on_overflow': 0, 'net.ipv4.tcp_syncookies': 0 });
    expect(flags(keep)).toEqual(['SYN+ACK', 'SYN+ACK', 'SYN+ACK']);
    expect(counters(keep)).toEqual(['Tcp.PassiveOpens', 'Tcp.PassiveOpens', 'TcpExt.ListenDrops', 'TcpExt.ListenOverflows']);
    const abort = run(actions, { 'net.ipv4.tcp_abort_on_overflow': 1, 'net.ipv4.tcp_syncookies': 0 });
    expect(flags(abort)).toEqual(['SYN+ACK', 'SYN+ACK', 'SYN+ACK', 'RST']);
    expect(segments(abort)[3]!.segment.seq).toEqual({ bind: 'isn:client:2', plus: 1 });
    expect(counters(abort)).toContain('TcpExt.EmbryonicRsts');
  });

  it('SYN-queue full (len > max since a 2025 fix, len >= max before): cookies with syncookies 1, drop with 0', () => {
    const actions = [{ kind: 'listen', backlog: 0 } as Action, syn(0), syn(1)];
    expect(flags(run(actions, { 'net.ipv4.tcp_syncookies': 0 }))).toEqual(['SYN+ACK']);
    const before2025 = { name: 'linux-before-2025', flags: { ...linux.flags, synQueueFullInclusive: true } };
    expect(flags(run(actions, { 'net.ipv4.tcp_syncookies': 0 }, before2025))).toEqual([]);
    const cookies = run(actions, { 'net.ipv4.tcp_syncookies': 1 });
    expect(flags(cookies)).toEqual(['SYN+ACK', 'SYN+ACK']);
    expect(counters(cookies)).toEqual(['TcpExt.SyncookiesSent', 'TcpExt.TCPReqQFullDoCookies']);
  });

  it('syncookies 2 answers every SYN with a cookie; without timestamps the cookie SYN-ACK carries only MSS; its ACK completes', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0, { ...full, timestamps: false }), ack(0), { kind: 'accept', max: 1 }], { 'net.ipv4.tcp_syncookies': 2 });
    expect(segments(es)[0]!.segment.options).toEqual({ mss: 1460, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null });
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0] });
  });

  it('without cookies the last quarter of tcp_max_syn_backlog is kept for proven peers', () => {
    // 4 - qlen < 4 >> 2 first holds with four requests waiting: the fifth SYN is dropped.
    const es = run([{ kind: 'listen', backlog: 10 }, syn(0), syn(1), syn(2), syn(3), syn(4)], { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_max_syn_backlog': 4 });
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK', 'SYN+ACK', 'SYN+ACK']);
    expect(counters(es)).toEqual(['TcpExt.ListenDrops']);
  });

  it('SYN-ACK retransmitted after 1 s and 2 s more, tcp_synack_retries times, then the request dies: its late ACK gets RST', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'wait', ms: 7500 }, ack(0), { kind: 'accept', max: 1 }], { 'net.ipv4.tcp_synack_retries': 2 });
    const times = segments(es).map((e) => e.at.earliest);
    expect(times.slice(0, 3)).toEqual([1, 1001, 3001]);
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK', 'SYN+ACK', 'RST']);
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [] });
  });

  it('accept() returns only established connections, FIFO; a half-open one never', () => {
    const es = run([{ kind: 'listen', backlog: 4 }, syn(0), syn(1), syn(2), ack(2), ack(0), { kind: 'accept', max: 5 }]);
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [2, 0] });
  });

  it('duplicate SYN in SYN_RCVD: the SYN-ACK again, at most once per 500 ms (tcp_invalid_ratelimit)', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), syn(0), syn(0), { kind: 'wait', ms: 600 }, syn(0)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK', 'SYN+ACK']);
    expect(segments(es)[1]!.segment.seq).toEqual({ bind: 'isn:client:0', plus: 0 });
  });

  it('a wrong ACK in SYN_RCVD gets <SEQ=SEG.ACK><CTL=RST> and the request lives on (RFC 9293 §3.10.7.4)', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'badAck', client: 0 }, ack(0), { kind: 'accept', max: 1 }]);
    expect(flags(es)).toEqual(['SYN+ACK', 'RST']);
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0] });
  });

  it('RST in SYN_RCVD drops the request silently (EmbryonicRsts); the later ACK meets the listener and gets RST', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'rst', client: 0 }, ack(0)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'RST']);
    expect(counters(es)).toEqual(['TcpExt.EmbryonicRsts']);
  });

  it('a SYN on an established connection gets a challenge ACK (RFC 5961 §4)', () => {
    const es = run([{ kind: 'listen', backlog: 1 }, syn(0), ack(0), syn(0)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'ACK']);
    expect(counters(es)).toEqual(['Tcp.PassiveOpens', 'TcpExt.TCPChallengeACK']);
  });

  it('an ACK of unsent data on an established connection: a challenge ACK on 6.18 (RFC 5961 §5.2), dropped before (RFC 9293 §3.10.7.4)', () => {
    const actions = [{ kind: 'listen', backlog: 1 } as Action, syn(0), ack(0), { kind: 'badAck', client: 0 } as Action];
    expect(flags(run(actions))).toEqual(['SYN+ACK', 'ACK']);
    expect(flags(run(actions, {}, linux61))).toEqual(['SYN+ACK']);
  });

  it('closing the listener resets queued connections; its port then answers as a closed port', () => {
    const es = run([{ kind: 'listen', backlog: 2 }, syn(0), ack(0), { kind: 'closeListener' }, syn(1)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'RST+ACK', 'RST+ACK']);
  });

  it('BSD (the article): the two queues together are bounded by the backlog', () => {
    const es = run([{ kind: 'listen', backlog: 2 }, syn(0), ack(0), syn(1), syn(2)], {}, bsd);
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK']);
  });
});

describe('close() of a connecting socket (RFC 9293 §3.10.4)', () => {
  const connect: Action = { kind: 'connect', conn: 0, syncnt: 2 };
  const lateSynAck: Action = { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: bare, window: 29200, ackValid: true } };
  it('in SYN-SENT sends nothing, stops the retransmissions, and a late SYN-ACK meets a closed port', () => {
    const es = run([connect, { kind: 'closeConnection', conn: 0 }, { kind: 'wait', ms: 1300 }, lateSynAck], {}, linux, 3000);
    expect(flags(es)).toEqual(['SYN', 'RST']);
    expect(segments(es)[1]!.rule.id).toBe('closedPort.ack');
    expect(results(es)).toEqual([]);
  });
});

describe('closed port (RFC 9293 §3.10.7.1)', () => {
  it('SYN -> RST+ACK with seq 0 and ack = ISN+1; ACK -> RST with seq = its ack', () => {
    const es = segments(run([{ kind: 'synToClosedPort', client: 0 }, { kind: 'ackToClosedPort', client: 1 }]));
    expect(es.map((e) => e.segment)).toMatchObject([
      { flags: ['RST', 'ACK'], seq: { exact: 0 }, ack: { exact: clientIsn(0) + 1 }, window: { exact: 0 } },
      { flags: ['RST'], seq: { exact: closedPortAck(1) } },
    ]);
  });
});

describe('connect() (RFC 9293 §3.10.7.3, Linux tcp_connect / tcp_retransmit_timer / tcp_v4_err)', () => {
  const connect = (syncnt: number | null = 1): Action => ({ kind: 'connect', conn: 0, syncnt });

  it('the deadline is what syn_retries exponential retransmits take: 3 s for 1, 127 s for 6', () => {
    expect([synTimeoutMs(1), synTimeoutMs(2), synTimeoutMs(6), synTimeoutMs(8)]).toEqual([3000, 7000, 127_000, 367_000]);
    // tcp_rto_max_ms (6.15): the linear part of the model starts where the ceiling is reached.
    expect([synTimeoutMs(6, 5000), synTimeoutMs(6, 1000), synTimeoutMs(1, 2000)]).toEqual([27_000, 7000, 3000]);
  });

  it('counts: Tcp.ActiveOpens once, TcpExt.TCPSynRetrans per retransmission; one straddling the horizon may or may not have been counted', () => {
    // 6.1: SYNs at 0, 1 and 3 s.
    const es = run([connect(2), { kind: 'wait', ms: 3500 }], {}, linux61);
    expect(counters(es)).toEqual(['Tcp.ActiveOpens', 'TcpExt.TCPSynRetrans', 'TcpExt.TCPSynRetrans']);
    const edge = run([connect(2), { kind: 'wait', ms: 1000 }], {}, linux, 0);
    expect(edge.filter((e) => e.kind === 'counter' && e.name === 'TcpExt.TCPSynRetrans')).toEqual([expect.objectContaining({ optional: true })]);
  });

  it('TCP_MAXSEG clamps the SYN MSS and its window to whole segments of it, the retransmitted SYN too', () => {
    const es = run([{ kind: 'connect', conn: 0, syncnt: 1, maxseg: 536 }, { kind: 'wait', ms: 1500 }]);
    expect(segments(es).map((e) => [e.segment.options.mss, e.segment.window])).toEqual([
      [536, { exact: 65392 }],
      [536, { exact: 65392 }],
    ]);
  });

  it('linear timeouts (6.18): SYNs at 0, 1, 2 s and ETIMEDOUT at 3 s for TCP_SYNCNT 1', () => {
    const es = run([connect(1), { kind: 'wait', ms: 3500 }]);
    expect(segments(es).map((e) => e.at.earliest)).toEqual([0, 1000, 2000]);
    expect(es.find((e) => e.kind === 'result')).toMatchObject({ result: { errno: 'ETIMEDOUT' }, at: { earliest: 3000 } });
  });

  it('exponential (6.1): SYNs at 0, 1, 3 s, ETIMEDOUT at 7 s for TCP_SYNCNT 2', () => {
    const es = run([connect(2), { kind: 'wait', ms: 7500 }], {}, linux61);
    expect(segments(es).map((e) => e.at.earliest)).toEqual([0, 1000, 3000]);
    expect(es.find((e) => e.kind === 'result')).toMatchObject({ result: { errno: 'ETIMEDOUT' }, at: { earliest: 7000 } });
  });

  it('the article (BSD): SYNs at 0, 6, 24 s and the error at 75 s', () => {
    const es = run([connect(null), { kind: 'wait', ms: 76_000 }], {}, bsd);
    expect(segments(es).map((e) => e.at.earliest)).toEqual([0, 6000, 24_000]);
    expect(es.find((e) => e.kind === 'result')).toMatchObject({ result: { errno: 'ETIMEDOUT' }, at: { earliest: 75_000 } });
  });

  it('a SYN-ACK completes the connection with an ACK; a wrong one gets RST and the SYN again soon', () => {
    const good = run([connect(), { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: full, window: 64240, ackValid: true } }]);
    expect(flags(good)).toEqual(['SYN', 'ACK']);
    expect(results(good)).toContainEqual({ call: 'connect', errno: null });
    const bad = run([connect(), { kind: 'answerSyn', conn: 0, answer: { kind: 'synAck', options: full, window: 64240, ackValid: false } }, { kind: 'wait', ms: 100 }]);
    expect(flags(bad)).toEqual(['SYN', 'RST', 'SYN']);
  });

  it('an acceptable RST -> ECONNREFUSED; ICMP host unreachable -> EHOSTUNREACH at once (Linux), at the timeout (BSD)', () => {
    expect(results(run([connect(), { kind: 'answerSyn', conn: 0, answer: { kind: 'rst', acceptable: true } }]))).toContainEqual({ call: 'connect', errno: 'ECONNREFUSED' });
    const icmp = { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: 1 } } as Action;
    expect(results(run([connect(), icmp]))).toContainEqual({ call: 'connect', errno: 'EHOSTUNREACH' });
    const late = run([connect(null), icmp, { kind: 'wait', ms: 76_000 }], {}, bsd);
    expect(late.find((e) => e.kind === 'result')).toMatchObject({ result: { errno: 'EHOSTUNREACH' }, at: { earliest: 75_000 } });
    expect(results(run([connect(), { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: 4 } }]))).toEqual([]);
  });
});

describe('IPv6 (tcp_v6_conn_request, tcp_v6_connect, tcp_v6_err)', () => {
  const v6 = (actions: Action[], settings = {}): Expectation[] => {
    const { timed, end } = schedule(actions);
    return predict({ profile: linux, settings: { ...DEFAULT_SETTINGS, family: 'ipv6', ...settings }, actions: timed, horizon: end + 5 });
  };
  const connect: Action = { kind: 'connect', conn: 0, syncnt: 2 };

  it('the SYN-ACK and the SYN advertise the MTU less 60 bytes of IPv6 and TCP headers; an IPv4-mapped listener the IPv4 MSS', () => {
    expect(segments(v6([{ kind: 'listen', backlog: 1 }, syn(0)]))[0]!.segment.options).toMatchObject({ mss: 1440 });
    expect(segments(v6([connect]))[0]!.segment.options).toMatchObject({ mss: 1440 });
    expect(segments(v6([{ kind: 'listen', backlog: 1 }, syn(0)], { mtu: 1280 }))[0]!.segment.options).toMatchObject({ mss: 1220 });
    expect(segments(v6([{ kind: 'listen', backlog: 1 }, syn(0)], { family: 'ipv4-mapped' }))[0]!.segment.options).toMatchObject({ mss: 1460 });
  });

  it('ICMPv6 destination unreachable ends connect() at once with icmpv6_err_convert\'s errno; packet too big only adjusts the path MTU', () => {
    const errno = (code: number) => results(v6([connect, { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: code as 0 } }])).map((r) => (r.call === 'connect' ? r.errno : null));
    expect([0, 1, 2, 3, 4, 5, 6, 7, 15].map((code) => errno(code)[0])).toEqual(['ENETUNREACH', 'EACCES', 'EHOSTUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED', 'EACCES', 'EACCES', 'EPROTO', 'EPROTO']);
    const tooBig = v6([connect, { kind: 'answerSyn', conn: 0, answer: { kind: 'packetTooBig' } }, { kind: 'wait', ms: 1100 }]);
    expect(results(tooBig)).toEqual([]);
    expect(flags(tooBig)).toEqual(['SYN', 'SYN']);
  });

  it('tcp_req_err: a fatal ICMPv6 error about the SYN-ACK drops the request (ListenDrops); no route and address unreachable leave it', () => {
    const about = (code: number) => counters(v6([{ kind: 'listen', backlog: 1 }, syn(0), { kind: 'clientUnreachable', client: 0, code: code as 0 }]));
    expect([0, 1, 3, 4, 5, 6, 7].map((code) => about(code).includes('TcpExt.ListenDrops'))).toEqual([false, true, false, true, true, true, true]);
  });
});

describe("gVisor's netstack (gvisor-20221219): each flag, as an exchange", () => {
  const gvisor = profileByName('gvisor-20221219');
  // The sandbox's tcp_rmem (4096 1048576 4194304): FindWndScale(4 MiB) is 7.
  const sandbox = (actions: Action[]) => {
    const { timed, end } = schedule(actions);
    return predict({ profile: gvisor, settings: { ...DEFAULT_SETTINGS, rmem: [4096, 1048576, 4194304], rmemMax: 212992 }, actions: timed, horizon: end + 5 });
  };

  it('the first window is 10 × 2 × MSS rounded down to the scale (29200 -> 29184), also with a small TCP_MAXSEG (1760 -> 1664)', () => {
    const [s] = segments(sandbox([{ kind: 'listen', backlog: 1 }, syn(0)]));
    expect(s!.segment).toMatchObject({ window: { exact: 29184 }, options: { windowScale: { exact: 7 } } });
    const [small] = segments(sandbox([{ kind: 'listen', backlog: 1, maxseg: 88 }, syn(0)]));
    expect(small!.segment.window).toEqual({ exact: 1664 });
  });

  it('listen(0): a cookie at once, its SYN-ACK with MSS and timestamps only and a window of 65535; its ACK completes', () => {
    const es = sandbox([{ kind: 'listen', backlog: 0 }, syn(0), ack(0), { kind: 'accept', max: 1 }]);
    expect(segments(es)[0]!.segment).toMatchObject({ window: { exact: 65535 }, options: { mss: 1460, sackPermitted: false, windowScale: null, timestamps: { tsecr: { exact: 7000 } } } });
    expect(segments(es)[0]!.rule.id).toBe('listener.syncookie');
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0] });
  });

  it('a SYN again in SYN-RECEIVED gets a bare ACK of it, at most once per 500 ms', () => {
    const es = sandbox([{ kind: 'listen', backlog: 1 }, syn(0), syn(0), syn(0)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'ACK']);
    expect(segments(es)[1]!.segment).toMatchObject({ seq: { bind: 'isn:client:0', plus: 1 }, ack: { exact: clientIsn(0) + 1 } });
  });

  it('the handshake ignores TCP_SYNCNT: SYNs at 0, 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s', () => {
    const es = sandbox([{ kind: 'connect', conn: 0, syncnt: 1 }, { kind: 'wait', ms: 130_000 }]);
    expect(segments(es).map((e) => e.at.earliest - segments(es)[0]!.at.earliest)).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000]);
    expect(results(es)).toContainEqual({ call: 'connect', errno: 'ETIMEDOUT' });
  });

  it('ICMP: only host unreachable (IPv4) ends connect(); net unreachable and port unreachable are not heard', () => {
    const icmp = (code: number) => results(sandbox([{ kind: 'connect', conn: 0, syncnt: 1 }, { kind: 'answerSyn', conn: 0, answer: { kind: 'icmpUnreachable', code: code as 0 } }]));
    expect([0, 1, 3].map((code) => icmp(code).find((r) => r.call === 'connect')?.errno ?? 'pending')).toEqual(['pending', 'EHOSTUNREACH', 'pending']);
  });

  it('sendto(MSG_FASTOPEN) on an unconnected socket: EPIPE, no SYN', () => {
    const es = sandbox([{ kind: 'connect', conn: 0, syncnt: 1, fastOpen: 0 }]);
    expect(results(es)).toEqual([{ call: 'connect', errno: 'EPIPE' }]);
    expect(segments(es)).toEqual([]);
  });
});

describe("lwIP 2.1.3 (lwip-2.1): each flag, as an exchange", () => {
  const lwip = profileByName('lwip-2.1');
  // What Debian's build reports as its settings: no timestamps, no SACK.
  const stack = (actions: Action[], horizonAfter = 5) => {
    const { timed, end } = schedule(actions);
    return predict({ profile: lwip, settings: { ...DEFAULT_SETTINGS, sysctls: { ...DEFAULT_SETTINGS.sysctls, 'net.ipv4.tcp_timestamps': 0, 'net.ipv4.tcp_sack': 0 } }, actions: timed, horizon: end + horizonAfter });
  };

  it('the SYN-ACK offers TCP_WND (65535) and window scale 1; the backlog is not enforced: listen(1) queues three', () => {
    const es = stack([{ kind: 'listen', backlog: 1 }, syn(0), syn(1), syn(2), ack(0), ack(1), ack(2), { kind: 'accept', max: 5 }]);
    expect(segments(es)[0]!.segment).toMatchObject({ window: { exact: 65535 }, options: { windowScale: { exact: 1 }, timestamps: null, sackPermitted: false } });
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0, 1, 2] });
  });

  it('every RST acknowledges what it answers and says window 65407: a bare ACK to the listener', () => {
    const [rst] = segments(stack([{ kind: 'listen', backlog: 1 }, ack(0)]));
    expect(rst!.segment).toMatchObject({ flags: ['RST', 'ACK'], window: { exact: 65407 } });
  });

  it('the SYN-ACK again at 3 s and 9 s (500 ms ticks), then the request dies at 20 s: its late ACK gets an RST', () => {
    const es = stack([{ kind: 'listen', backlog: 1 }, syn(0, bare), { kind: 'wait', ms: 21_000 }, ack(0)]);
    const synAcks = segments(es).filter((e) => e.segment.flags.includes('SYN'));
    expect(synAcks.map((e) => e.at.earliest - synAcks[0]!.at.earliest)).toEqual([0, 3000, 9000]);
    expect(flags(es).at(-1)).toBe('RST+ACK');
  });

  it('a SYN again gets the SYN-ACK again at once, unlimited; one offering a window scale the first did not makes it 32767', () => {
    const es = stack([{ kind: 'listen', backlog: 1 }, syn(0, bare), syn(0, bare), syn(0, { ...bare, windowScale: 0 })]);
    expect(segments(es).map((e) => e.segment.window)).toEqual([{ exact: 65535 }, { exact: 65535 }, { exact: 32767 }]);
  });

  it('closing the listener leaves its requests: a SYN again gets the SYN-ACK, a bad ACK an RST (the request stays), the final ACK an RST that ends it', () => {
    const es = stack([{ kind: 'listen', backlog: 1 }, syn(0, bare), { kind: 'closeListener' }, syn(0, bare), { kind: 'badAck', client: 0 }, ack(0), syn(0, bare)]);
    expect(flags(es)).toEqual(['SYN+ACK', 'SYN+ACK', 'RST+ACK', 'RST+ACK', 'RST+ACK']);
    expect(segments(es).at(-1)!.rule.id).toBe('closedPort.syn');
  });

  it('ICMP unreachable about the SYN-ACK is not heard: the final ACK completes the handshake', () => {
    const es = stack([{ kind: 'listen', backlog: 1 }, syn(0, bare), { kind: 'clientUnreachable', client: 0, code: 1 }, ack(0), { kind: 'accept', max: 1 }]);
    expect(results(es)).toContainEqual({ call: 'accept', accepted: [0] });
  });
});
