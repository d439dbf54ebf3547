/**
 * TCP Fast Open on the client (RFC 7413 §4.1), as Linux does it: the cookie cache per remote host
 * (tcp_metrics: tcp_fastopen_cache_get and _set), what a Fast Open SYN carries
 * (tcp_send_syn_data) and what a SYN-ACK teaches the cache (tcp_rcv_fastopen_synack).
 */
import type { ConnId } from './actions.ts';
import type { Context } from './context.ts';
import { REMOTE_FAST_OPEN_COOKIE } from './harness-numbers.ts';
import { headerBytes } from './profiles.ts';

/** net.ipv4.tcp_fastopen's client bit (TFO_CLIENT_ENABLE). */
const TFO_CLIENT_ENABLE = 0x1;
/** MAX_TCP_OPTION_SPACE: the room tcp_send_syn_data keeps for options when it sizes the SYN's data. */
const MAX_TCP_OPTION_SPACE = 40;
/** net.ipv4.tcp_min_snd_mss's default: the least __tcp_mtu_to_mss gives. */
const TCP_MIN_SND_MSS = 48;

/** What tcp_metrics keeps of Fast Open for a host (struct tcp_fastopen_metrics). */
export interface FastOpenEntry {
  /** The host gave the harness's cookie. */
  readonly cookie: boolean;
  /** The peer's MSS its latest SYN-ACK gave (or the one the SYN assumed). */
  readonly mss: number;
  /** try_exp: 1 once a cookie request went unanswered (the next asks with the experimental option), 2 once that one did too. */
  readonly tryExp: 0 | 1 | 2;
}

/** The cache of one target: per remote host (the connection that first reached it). */
export type FastOpenCache = Map<ConnId, FastOpenEntry>;

/** What sendto(MSG_FASTOPEN) sends. */
export type FastOpenSyn =
  /** The client bit is off: sendto fails with EOPNOTSUPP and nothing is sent. */
  | { readonly kind: 'off' }
  /**
   * The SYN's Fast Open option (hex, as SegmentFields writes it: '' a request, 'exp:' the
   * experimental form), the bytes of data it takes, and the peer MSS it assumed (mss_clamp).
   */
  | { readonly kind: 'syn'; readonly option: string; readonly data: number; readonly mssClamp: number };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Linux tcp_send_syn_data: with a cached cookie the SYN carries it and as much data as fits the
 * cached MSS (and the link's, and TCP_MAXSEG) less room for every option; without one, a cookie
 * request and no data (sendto then returns EINPROGRESS: nothing was queued).
 */
export function fastOpenSyn(ctx: Context, host: ConnId, bytes: number, advmss: number, maxseg: number | undefined): FastOpenSyn {
  if ((ctx.sysctl('net.ipv4.tcp_fastopen') & TFO_CLIENT_ENABLE) === 0) return { kind: 'off' };
  const entry = ctx.fastOpenCache.get(host);
  // mss_clamp: the SYN's own MSS unless one is cached, TCP_MAXSEG below either (tcp_mss_clamp).
  const mssClamp = Math.min(entry?.mss ?? advmss, maxseg ?? Infinity);
  if (!entry?.cookie) return { kind: 'syn', option: entry?.tryExp === 1 ? 'exp:' : '', data: 0, mssClamp };
  const space = Math.max(Math.min(ctx.settings.mtu - headerBytes(ctx.settings.family), mssClamp), TCP_MIN_SND_MSS) - MAX_TCP_OPTION_SPACE;
  return { kind: 'syn', option: hex(REMOTE_FAST_OPEN_COOKIE), data: Math.min(bytes, space), mssClamp };
}

/**
 * Linux tcp_rcv_fastopen_synack: the SYN-ACK's cookie and MSS go to the cache. A cookie request
 * that the first SYN-ACK leaves unanswered makes the next request try the experimental option,
 * and the one after that the RFC's again for good (try_exp).
 */
export function learnFromSynAck(ctx: Context, host: ConnId, syn: Extract<FastOpenSyn, { kind: 'syn' }>, synAck: { readonly cookie: boolean; readonly mss: number | null }, synRetransmitted: boolean): void {
  const entry = ctx.fastOpenCache.get(host) ?? { cookie: false, mss: syn.mssClamp, tryExp: 0 };
  const tryExp = synAck.cookie || synRetransmitted || syn.data > 0 ? 0 : syn.option.startsWith('exp:') ? 2 : 1;
  ctx.fastOpenCache.set(host, {
    cookie: entry.cookie || synAck.cookie,
    mss: synAck.mss ?? syn.mssClamp,
    tryExp: tryExp > entry.tryExp && !entry.cookie && !synAck.cookie ? tryExp : entry.tryExp,
  });
}
