/**
 * What the harness does to a target: a scenario's actions, in the language shared by the model,
 * the executor and the suites.
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

/** The ECN field of an IP header (RFC 3168 §5). */
export const IP_ECN = ['notEct', 'ect1', 'ect0', 'ce'] as const;
export type IpEcn = (typeof IP_ECN)[number];

/** The TCP flags ECN negotiation uses (RFC 3168 ECE and CWR; AccECN's AE). */
export const ECN_FLAGS = ['AE', 'CWR', 'ECE'] as const;
export type EcnFlag = (typeof ECN_FLAGS)[number];

/** The ECN setup a SYN asks for: RFC 3168 ECN (ECE and CWR, §6.1.1), or Accurate ECN (ECE, CWR and AE). */
export type EcnRequest = 'ecn' | 'accecn';

/**
 * A SYN's Fast Open option (RFC 7413 §4.1): an empty cookie (a request); the cookie the target
 * gave this client earlier in the scenario (an invalid one if it gave none); a cookie it never gave.
 */
export type FastOpenOption = 'request' | 'cookie' | 'badCookie';

/** What a remote peer answers to the target's SYN. */
export type SynAnswer =
  /**
   * `ecn`: the ECN flags the SYN-ACK sets: ECE alone accepts an RFC 3168 request (§6.1.1); AccECN
   * servers answer with other combinations of AE, CWR and ECE.
   */
  /**
   * `cookie`: it carries the harness's Fast Open cookie (RFC 7413 §4.1.2), for the target to cache.
   * `dataAcked`: how much of the data the SYN carried it acknowledges (none when absent).
   */
  | { kind: 'synAck'; options: SynOptions; window: number; ackValid: boolean; ecn?: readonly EcnFlag[]; cookie?: boolean; dataAcked?: 'all' | 'half' }
  /** A bare SYN of its own: the SYNs cross (simultaneous open, RFC 9293 §3.5). */
  | { kind: 'syn'; options: SynOptions; window: number }
  /** A bare ACK of what the target sent (what completes a simultaneous open). */
  | { kind: 'ack' }
  /** After the target's close(): the remote's FIN, acknowledging the target's (RFC 9293 §3.6). */
  | { kind: 'fin' }
  /** After the target's close(): an RST whose SEQ is exactly the target's RCV.NXT (RFC 5961 §3.2; in TIME-WAIT, RFC 1337's assassination). */
  | { kind: 'rstInWindow' }
  | { kind: 'rst'; acceptable: boolean }
  | { kind: 'icmpUnreachable'; code: IcmpUnreachableCode }
  /** A router on the path says the SYN exceeds the next hop's MTU, which it names as the link's own (RFC 8201 §4, RFC 1191). */
  | { kind: 'packetTooBig' };

/**
 * ICMP destination-unreachable codes, all sixteen (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
export const ICMP_UNREACHABLE_CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
export type IcmpUnreachableCode = (typeof ICMP_UNREACHABLE_CODES)[number];

/** TCP_MAXSEG's range on Linux (do_tcp_setsockopt: TCP_MIN_MSS to MAX_TCP_WINDOW; 0 means unset). */
export const MAXSEG_RANGE = { min: 88, max: 32767 } as const;

/**
 * How a scenario's connections are addressed: IPv4, IPv6, or IPv4 on the wire to and from the
 * target's AF_INET6 sockets (an IPv4-mapped address, RFC 4291 §2.5.5.2; a listener without
 * IPV6_V6ONLY). Absent means IPv4.
 */
export const ADDRESS_FAMILIES = ['ipv4', 'ipv6', 'ipv4-mapped'] as const;
export type AddressFamily = (typeof ADDRESS_FAMILIES)[number];

/** The IP version on the wire. */
export const wireVersion = (family: AddressFamily): 4 | 6 => (family === 'ipv6' ? 6 : 4);

/** The MTUs a scenario may give the target's interface: 576 (every IPv4 host takes it, RFC 791) to a jumbo frame; IPv6 needs 1280 (RFC 8200 §5). */
export const MTU_RANGE = { min: 576, max: 9000 } as const;

/** The sysctls a scenario may set; all per network namespace on Linux. */
export type SysctlName =
  | 'net.core.somaxconn'
  | 'net.ipv4.tcp_max_syn_backlog'
  | 'net.ipv4.tcp_syncookies'
  | 'net.ipv4.tcp_abort_on_overflow'
  | 'net.ipv4.tcp_synack_retries'
  | 'net.ipv4.tcp_syn_retries'
  | 'net.ipv4.tcp_syn_linear_timeouts'
  | 'net.ipv4.tcp_timestamps'
  | 'net.ipv4.tcp_sack'
  | 'net.ipv4.tcp_window_scaling'
  | 'net.ipv4.tcp_fastopen'
  | 'net.ipv4.tcp_rfc1337'
  | 'net.ipv4.tcp_ecn'
  | 'net.ipv4.tcp_ecn_fallback'
  | 'net.ipv4.tcp_rto_max_ms';

/** net.ipv4.tcp_rmem: a socket's smallest, initial and largest receive buffer, in bytes. */
export type Rmem = readonly [min: number, initial: number, max: number];

/**
 * One thing the harness does. Wire actions are crafted segments from a client; agent actions
 * are socket calls on the target. Values the target chose (its ISN, TSval) are filled in by
 * the executor from what it observed, so the action names the intent ("acknowledge the
 * SYN-ACK"), not the numbers.
 */
export type Action =
  // agent, on the scenario's one listening port
  /**
   * `maxseg`: TCP_MAXSEG set before listen() (88-32767; the SYN-ACK's MSS is clamped to it).
   * `fastOpen`: TCP_FASTOPEN set after it, the most Fast Open children it holds at once (RFC 7413 §5.1).
   */
  | { kind: 'listen'; backlog: number; maxseg?: number; fastOpen?: number }
  | { kind: 'accept'; max: number }
  /** accept(2) on a blocking listener: one connection, at once or when one is established, or none when timeoutMs runs out. */
  | { kind: 'blockingAccept'; timeoutMs: number }
  | { kind: 'closeListener' }
  /** close() on the connection accept() returned for the client, if it returned one (RFC 9293 §3.10.4 CLOSE). */
  | { kind: 'closeAccepted'; client: ClientId }
  // wire, client -> listening port
  /**
   * `data`: bytes of data the SYN carries (none when absent); without Fast Open the target must
   * not acknowledge them. `ecn`: the ECN setup it asks for (none when absent); `ipEcn`: its IP
   * header's ECN field (not-ECT when absent, as RFC 3168 §6.1.1 wants of a SYN). `fastOpen`: its
   * Fast Open option (none when absent).
   */
  | { kind: 'syn'; client: ClientId; options: SynOptions; window: number; data?: number; ecn?: EcnRequest; ipEcn?: IpEcn; fastOpen?: FastOpenOption }
  | { kind: 'finalAck'; client: ClientId }
  | { kind: 'badAck'; client: ClientId }
  | { kind: 'rst'; client: ClientId }
  /** The client closes: FIN, acknowledging the target's latest SYN-ACK (RFC 9293 §3.6); again, it is a retransmission. */
  | { kind: 'clientFin'; client: ClientId }
  /** A router on the client's path reports the target's latest SYN-ACK (or segment) to it undeliverable. */
  | { kind: 'clientUnreachable'; client: ClientId; code: IcmpUnreachableCode }
  // wire, client -> a port nobody listens on (RFC 9293 §3.10.7.1)
  | { kind: 'synToClosedPort'; client: ClientId }
  | { kind: 'ackToClosedPort'; client: ClientId }
  // agent connect() to a remote peer, and the peer's answer to the latest SYN
  /**
   * `maxseg`: TCP_MAXSEG set before connect() (88-32767; the SYN's MSS is clamped to it).
   * `fastOpen`: connect with sendto(MSG_FASTOPEN) of that many bytes (RFC 7413 client): the SYN
   * carries them with a cookie the target cached for the remote's host, else asks for one.
   * `sameHostAs`: the remote listens on the host of that earlier connection (its cached cookie applies).
   */
  | { kind: 'connect'; conn: ConnId; syncnt: number | null; maxseg?: number; fastOpen?: number; sameHostAs?: ConnId }
  | { kind: 'answerSyn'; conn: ConnId; answer: SynAnswer }
  /** close() on the socket of a connect(), whatever its state. */
  | { kind: 'closeConnection'; conn: ConnId }
  // time and configuration
  | { kind: 'wait'; ms: number }
  | { kind: 'sysctl'; name: SysctlName; value: number };

export type ActionKind = Action['kind'];

/** The harness peer an action is about, if any (the listener's and the target's own calls have none). */
export function peerOfAction(action: Action): Peer | null {
  switch (action.kind) {
    case 'syn':
    case 'finalAck':
    case 'badAck':
    case 'rst':
    case 'clientFin':
    case 'closeAccepted':
    case 'clientUnreachable':
    case 'synToClosedPort':
    case 'ackToClosedPort':
      return { kind: 'client', client: action.client };
    case 'connect':
    case 'answerSyn':
    case 'closeConnection':
      return { kind: 'remote', conn: action.conn };
    case 'listen':
    case 'accept':
    case 'blockingAccept':
    case 'closeListener':
    case 'wait':
    case 'sysctl':
      return null;
  }
}

/** An action as it was (or will be) performed: when, in scenario time. */
export interface TimedAction {
  readonly at: Millis;
  readonly action: Action;
}

/**
 * One case of a property: the settings it starts from and what it does. `rmem` (tcp_rmem) and
 * `mtu` (of the target's interface to the tester) are the target's own when absent; `family`
 * is IPv4 when absent.
 */
export interface Scenario {
  readonly family?: AddressFamily;
  readonly config: Readonly<Partial<Record<SysctlName, number>>>;
  readonly rmem?: Rmem;
  readonly mtu?: number;
  readonly actions: readonly Action[];
}
