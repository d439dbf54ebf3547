/**
 * The language shared by the reference model, the executor and the suites: what the harness
 * does to a target (actions), and what the target is expected to do back (expectations).
 *
 * Peers are named, not addressed: the executor gives each client, remote peer and probe a
 * concrete address and port, so a scenario replays identically on any target.
 */

/** Milliseconds since the scenario started (the executor's monotonic clock, or virtual time). */
export type Millis = number;

/** A crafted client of the target's listener, or of its closed port (index within a scenario). */
export type ClientId = number;
/** A connection the target's agent opens with connect() (index within a scenario). */
export type ConnId = number;

/** Who a target's segment goes to. */
export type Peer =
  | { kind: 'client'; client: ClientId }
  | { kind: 'remote'; conn: ConnId }
  | { kind: 'probe'; probe: number };

/** Options a crafted SYN (or SYN-ACK answering a connect) carries. */
export interface SynOptions {
  readonly mss: number | null;
  readonly sackPermitted: boolean;
  readonly timestamps: boolean;
  readonly windowScale: number | null;
}

/** What a remote peer answers to the target's SYN. */
export type SynAnswer =
  | { kind: 'synAck'; options: SynOptions; window: number; ackValid: boolean }
  | { kind: 'rst'; acceptable: boolean }
  | { kind: 'icmpUnreachable'; code: IcmpUnreachableCode };

/** ICMP destination-unreachable codes (RFC 792, RFC 1122 §3.2.2.1). */
export type IcmpUnreachableCode = 0 | 1 | 2 | 3 | 4 | 9 | 10 | 13;

/** The sysctls a scenario may set; all per network namespace on Linux. */
export type SysctlName =
  | 'net.core.somaxconn'
  | 'net.ipv4.tcp_max_syn_backlog'
  | 'net.ipv4.tcp_syncookies'
  | 'net.ipv4.tcp_abort_on_overflow'
  | 'net.ipv4.tcp_synack_retries'
  | 'net.ipv4.tcp_syn_retries'
  | 'net.ipv4.tcp_syn_linear_timeouts';

/**
 * One thing the harness does. Wire actions are crafted segments from a client; agent actions
 * are socket calls on the target. Values the target chose (its ISN, TSval) are filled in by
 * the executor from what it observed, so the action names the intent ("acknowledge the
 * SYN-ACK"), not the numbers.
 */
export type Action =
  // agent, on the scenario's one listening port
  | { kind: 'listen'; backlog: number }
  | { kind: 'accept'; max: number }
  | { kind: 'closeListener' }
  // wire, client -> listening port
  | { kind: 'syn'; client: ClientId; options: SynOptions; window: number }
  | { kind: 'finalAck'; client: ClientId }
  | { kind: 'badAck'; client: ClientId }
  | { kind: 'rst'; client: ClientId }
  // wire, client -> a port nobody listens on (RFC 9293 §3.10.7.1)
  | { kind: 'synToClosedPort'; client: ClientId }
  | { kind: 'ackToClosedPort'; client: ClientId }
  // agent connect() to a remote peer, and the peer's answer to the latest SYN
  | { kind: 'connect'; conn: ConnId; syncnt: number | null }
  | { kind: 'answerSyn'; conn: ConnId; answer: SynAnswer }
  // time and configuration
  | { kind: 'wait'; ms: number }
  | { kind: 'sysctl'; name: SysctlName; value: number };

export type ActionKind = Action['kind'];

/** An action as it was (or will be) performed: when, in scenario time. */
export interface TimedAction {
  readonly at: Millis;
  readonly action: Action;
}

/** A closed interval of scenario time. */
export interface Interval {
  readonly earliest: Millis;
  readonly latest: Millis;
}

/**
 * A value in an expected segment. `exact`: that number. `bind`: the kernel chooses it; the
 * first observation binds the name, every later use must equal binding + plus (mod 2^32).
 * `atLeast`: the kernel chooses it, but never less than the named binding (TSval clocks).
 * `any`: the kernel chooses it freely.
 */
export type Expected32 =
  | { readonly exact: number }
  | { readonly bind: string; readonly plus: number }
  | { readonly atLeast: string }
  /** The kernel's free choice (a window it computes from state the model does not track); says what it is. */
  | { readonly any: string };

export type TcpFlagName = 'FIN' | 'SYN' | 'RST' | 'PSH' | 'ACK' | 'URG' | 'ECE' | 'CWR';

/** Options of an expected segment, compared as a set (their order and padding are free). */
export interface ExpectedOptions {
  readonly mss: number | null;
  readonly sackPermitted: boolean;
  readonly timestamps: { readonly tsval: Expected32; readonly tsecr: Expected32 } | null;
  readonly windowScale: Expected32 | null;
}

/** A segment the target must send. */
export interface ExpectedSegment {
  readonly flags: readonly TcpFlagName[];
  readonly seq: Expected32;
  /** Checked only when ACK is among the flags. */
  readonly ack: Expected32;
  readonly window: Expected32;
  readonly options: ExpectedOptions;
  readonly payloadLength: 0;
}

/** What a socket call on the target returns. */
export type CallResult =
  | { call: 'listen'; ok: true }
  | { call: 'accept'; accepted: readonly ClientId[] }
  | { call: 'connect'; errno: ConnectErrno | null };

export type ConnectErrno = 'ETIMEDOUT' | 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'ENOPROTOOPT' | 'EHOSTDOWN' | 'ENONET';

/** Kernel counters the model predicts, as deltas over the scenario (names as in /proc/net/netstat). */
export type CounterName =
  | 'TcpExt.ListenOverflows'
  | 'TcpExt.ListenDrops'
  | 'TcpExt.TCPReqQFullDrop'
  | 'TcpExt.TCPReqQFullDoCookies'
  | 'TcpExt.SyncookiesSent'
  | 'TcpExt.EmbryonicRsts'
  | 'TcpExt.TCPChallengeACK';

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
      readonly kind: 'counter';
      readonly name: CounterName;
      readonly delta: number;
      readonly rule: RuleRef;
    };

/** The version-dependent behaviours of a kernel, each one named so a report can cite it. */
export interface ProfileFlags {
  /** SYN_SENT retransmits at a fixed 1 s for the first tcp_syn_linear_timeouts times (sysctl present). */
  readonly linearSynTimeouts: boolean;
  /** connect() gives up when the elapsed time exceeds what tcp_syn_retries exponential retransmits take (timer-based), not after a count. */
  readonly synTimeoutByElapsedTime: boolean;
  /** SYN-queue full check is `len >= max` (until 2025), rather than `len > max` (so listen(0) takes one SYN). */
  readonly synQueueFullInclusive: boolean;
  /** A SYN arriving while the accept queue is full is dropped without answer (Linux >= 4.10). */
  readonly synDroppedWhenAcceptQueueFull: boolean;
  /** Accept queue full check is `len > backlog`, so listen(N) admits N+1 (Linux); else `len >= backlog`. */
  readonly acceptQueueAdmitsBacklogPlusOne: boolean;
  /** BSD: SYN queue + accept queue together are bounded by the backlog. */
  readonly queuesShareBacklog: boolean;
  /** ICMP host/net unreachable aborts a connect() in SYN_SENT at once (Linux); else BSD: retry and report it at timeout. */
  readonly icmpUnreachableAbortsConnect: boolean;
  /** SYN retransmission schedule is BSD's 6 s / 24 s, giving up at 75 s. */
  readonly bsdSynSchedule: boolean;
  /** A SYN on a synchronized connection is answered with a rate-limited challenge ACK (RFC 5961 §4). */
  readonly challengeAcks: boolean;
  /** An ACK of data never sent, on an established connection, gets a challenge ACK (RFC 5961 §5.2) rather than a silent drop (measured: 6.18 yes, 5.10 and 6.1 no). */
  readonly challengeAckForUnsentData: boolean;
}

export type ProfileFlagName = keyof ProfileFlags;

export interface KernelProfile {
  /** e.g. 'linux-6.12', 'bsd-article'. */
  readonly name: string;
  readonly flags: ProfileFlags;
}

/** The target's live settings the model reads. */
export interface TargetSettings {
  readonly sysctls: Readonly<Record<SysctlName, number>>;
  /** MTU of the target's interface towards the tester: its advertised MSS follows from it. */
  readonly mtu: number;
  /** Window scale the target advertises: clamp(ilog2(max(tcp_rmem[2], rmem_max)) - 15, 0, 14). */
  readonly windowScale: number;
  /** Receive space of a fresh socket (tcp_full_space: half of tcp_rmem[1]); its first windows follow from it. */
  readonly receiveSpace: number;
  /** net.ipv4.tcp_timestamps, tcp_sack, tcp_window_scaling: whether the target offers or accepts each option. */
  readonly timestamps: boolean;
  readonly sack: boolean;
  readonly windowScaling: boolean;
}

/** The numbers the harness puts in crafted segments, fixed per peer so a scenario replays exactly. */
export const clientIsn = (client: ClientId): number => (0x1000_0000 + client * 0x0101_0000) >>> 0;
export const remoteIsn = (conn: ConnId): number => (0x5000_0000 + conn * 0x0101_0000) >>> 0;
/** TSval the harness's peers send: constant per peer (PAWS only rejects values that go back). */
export const peerTsval = (peer: Peer): number =>
  peer.kind === 'client' ? 7000 + peer.client : peer.kind === 'remote' ? 9000 + peer.conn : 11000 + peer.probe;
/** The ack a bare ACK to a closed port carries (its RST must echo it as seq). */
export const closedPortAck = (client: ClientId): number => (0x2000_0000 + client * 0x0101_0000) >>> 0;
/** The ack of a badAck: never the target's ISN + 1, whatever it chose (offset from it). */
export const badAckOffset = 0x4000_0000;

/** Everything the model needs to predict a scenario. */
export interface ModelInput {
  readonly profile: KernelProfile;
  readonly settings: TargetSettings;
  readonly actions: readonly TimedAction[];
  /** Expectations after this time are not checked (the executor stopped watching). */
  readonly horizon: Millis;
}
