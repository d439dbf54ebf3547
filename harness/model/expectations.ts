/**
 * What a target is expected to do back: segments with symbolic values, call results and counter
 * deltas, each citing the rule that predicts it.
 */
import type { ClientId, IpEcn, Millis, Peer } from './actions.ts';
import type { ProfileFlagName } from './profiles.ts';

/** A closed interval of scenario time. */
export interface Interval {
  readonly earliest: Millis;
  readonly latest: Millis;
}

/**
 * A value in an expected segment. `exact`: that number. `bind`: the kernel chooses it; the
 * first observation binds the name, every later use must equal binding + plus (mod 2^32).
 * `atLeast`: a clock the kernel runs (its TSval): the first observation binds the name, every
 * later one must not be less (serial arithmetic).
 * `any`: the kernel chooses it freely.
 */
export type Expected32 =
  | { readonly exact: number }
  | { readonly bind: string; readonly plus: number }
  | { readonly atLeast: string }
  /** The kernel's free choice (a window it computes from state the model does not track); says what it is. */
  | { readonly any: string };

export type TcpFlagName = 'FIN' | 'SYN' | 'RST' | 'PSH' | 'ACK' | 'URG' | 'ECE' | 'CWR' | 'AE';

/** Options of an expected segment, compared as a set (their order and padding are free). */
export interface ExpectedOptions {
  readonly mss: number | null;
  readonly sackPermitted: boolean;
  readonly timestamps: { readonly tsval: Expected32; readonly tsecr: Expected32 } | null;
  readonly windowScale: Expected32 | null;
  /**
   * A Fast Open option (RFC 7413): with a cookie the kernel chooses (bound on first sight, equal at
   * every later use), or with exactly these bytes in hex, as SegmentFields writes them ('' a cookie
   * request, 'exp:' before them for the experimental option).
   */
  readonly fastOpen: { readonly cookie: string } | { readonly hex: string } | null;
}

/** A segment the target must send. */
export interface ExpectedSegment {
  readonly flags: readonly TcpFlagName[];
  readonly seq: Expected32;
  /** Checked only when ACK is among the flags. */
  readonly ack: Expected32;
  readonly window: Expected32;
  readonly options: ExpectedOptions;
  readonly payloadLength: number;
  /** The IP header's ECN field. */
  readonly ipEcn: IpEcn;
}

/** What a socket call on the target returns. */
export type CallResult =
  | { call: 'listen'; ok: true }
  | { call: 'accept'; accepted: readonly ClientId[] }
  | { call: 'connect'; errno: ConnectErrno | null }
  /** sendto(MSG_FASTOPEN) that starts a connect(): the bytes its SYN took (0: it sent a cookie request; EINPROGRESS). */
  | { call: 'sendto'; sent: number };

export type ConnectErrno = 'ETIMEDOUT' | 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'ENOPROTOOPT' | 'EHOSTDOWN' | 'ENONET' | 'EOPNOTSUPP' | 'EACCES' | 'EPROTO' | 'EPIPE';

/** Kernel counters the model predicts, as deltas over the scenario (names as in /proc/net/netstat). */
export type CounterName =
  | 'TcpExt.ListenOverflows'
  | 'TcpExt.ListenDrops'
  | 'TcpExt.TCPReqQFullDrop'
  | 'TcpExt.TCPReqQFullDoCookies'
  | 'TcpExt.SyncookiesSent'
  | 'TcpExt.EmbryonicRsts'
  | 'TcpExt.TCPChallengeACK'
  | 'TcpExt.TCPSynRetrans'
  | 'Tcp.ActiveOpens'
  | 'Tcp.PassiveOpens'
  | 'TcpExt.TCPFastOpenCookieReqd'
  | 'TcpExt.TCPFastOpenPassive'
  | 'TcpExt.TCPFastOpenPassiveFail'
  | 'TcpExt.TCPFastOpenActive'
  | 'TcpExt.TCPFastOpenActiveFail';

/** Where a rule comes from, so a diff can name it. */
export interface RuleRef {
  /** Stable id, e.g. 'listen.acceptQueueFull.synDropped'. */
  readonly id: string;
  /** RFC section or kernel behaviour, e.g. 'RFC 9293 §3.10.7.1' or 'Linux tcp_conn_request'. */
  readonly source: string;
  /** The profile flags whose value decided this expectation. */
  readonly flags: readonly ProfileFlagName[];
}

export type Expectation =
  | {
      readonly kind: 'segment';
      readonly to: Peer;
      readonly segment: ExpectedSegment;
      readonly at: Interval;
      /** The action (index into the scenario) that caused it. */
      readonly cause: number;
      /** A segment the kernel may or may not send (its time straddles the horizon). */
      readonly optional: boolean;
      readonly rule: RuleRef;
    }
  | {
      readonly kind: 'result';
      readonly result: CallResult;
      readonly at: Interval;
      readonly cause: number;
      /** A result a kernel timer may or may not have produced by the horizon. */
      readonly optional: boolean;
      readonly rule: RuleRef;
    }
  | {
      /** A segment the target must drop without an answer; a diff that meets an answer anyway names this rule. */
      readonly kind: 'drop';
      /** The peer whose segment is dropped. */
      readonly to: Peer;
      readonly at: Interval;
      readonly cause: number;
      readonly rule: RuleRef;
    }
  | {
      readonly kind: 'counter';
      readonly name: CounterName;
      readonly delta: number;
      /** Counted by a timer whose time straddles the horizon: the kernel may not have counted it yet. */
      readonly optional: boolean;
      readonly rule: RuleRef;
    };
