/**
 * Kernel profiles: the version-dependent behaviours, each a named flag, so a report can name
 * the flag behind any difference. Live sysctls come separately (TargetSettings).
 */
import { UsageError } from '../cli/errors.ts';
import type { AddressFamily, Rmem, Scenario, SysctlName } from './actions.ts';

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
  /** In SYN-RECEIVED of a simultaneous open, a SYN-ACK of the SYN completes the handshake (Linux, 2024) rather than drawing a challenge ACK (RFC 5961 §4). */
  readonly synAckCompletesSimultaneousOpen: boolean;
  /**
   * A connect() that asked for RFC 3168 ECN enters AccECN when the SYN-ACK's AE, CWR, ECE read
   * 010, 011, 100 or 110 (Linux 6.18 tcp_ecn_rcv_synack): its third ACK is ECT(0) and echoes the
   * SYN-ACK's not-ECT in ACE (CWR). Older kernels take only ECE without CWR as ECN.
   */
  readonly accEcnFromSynAck: boolean;
  /** tcp_win_from_space halves a socket's buffer rounding up (space − (space >> tcp_adv_win_scale), before 6.6) rather than down (the scaling ratio since). */
  readonly windowHalfRoundsUp: boolean;
  /** An ACK of data never sent, on an established connection, gets a challenge ACK (RFC 5961 §5.2) rather than a silent drop (measured: 6.18 yes, 5.10 and 6.1 no). */
  readonly challengeAckForUnsentData: boolean;
  /** gVisor netstack initialReceiveWindow: the first window is min(half the receive buffer, 65535, InitialCwnd 10 × 2 × MSS), rounded down to the window scale's unit, not Linux's whole segments; the scale is FindWndScale(tcp_rmem[2]), rmem_max aside. */
  readonly windowFromInitialCwnd: boolean;
  /** gVisor netstack handleListenSegment: a SYN cookie once the pending handshakes reach the backlog (listen(0): at once), whatever tcp_syncookies says. */
  readonly cookiesOnceBacklogReached: boolean;
  /** gVisor netstack handleListenSegment: a cookie's SYN-ACK offers the MSS and timestamps (if the SYN did), never SACK or a window scale (WS -1), and a window of 65535; its connection has neither. */
  readonly cookieSynAckTimestampsOnly: boolean;
  /** gVisor netstack synRcvdState: a SYN again in SYN-RECEIVED is out of window and gets a bare ACK, not the SYN-ACK again. */
  readonly duplicateSynGetsAck: boolean;
  /** gVisor netstack 20221219 handleICMP: TCP hears only ICMP host unreachable and ICMPv6 no route (model/icmp-errors.ts), each ending SYN-SENT or a request; other destination unreachable codes are dropped. */
  readonly icmpHostOrNetUnreachableOnly: boolean;
  /** gVisor netstack: the handshake's timer (1 s, doubling) gives up when the next timeout would pass MaxRTO (120 s): SYNs and SYN-ACKs at 0, 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s; TCP_SYNCNT, tcp_syn_retries and tcp_synack_retries are not read. */
  readonly handshakeGivesUpAtMaxRto: boolean;
  /** gVisor netstack synSentState: the SYN-ACK of a simultaneous open carries the options negotiated with the remote's SYN (timestamps and SACK only if it offered them, window scale 0 if it offered none), not the SYN's. */
  readonly simultaneousSynAckNegotiated: boolean;
  /** gVisor netstack: an unacceptable answer in SYN-SENT (an RST or SYN-ACK with a bad ACK) leaves the timer alone; Linux resends the SYN at once. */
  readonly noSynResendOnBadAnswer: boolean;
  /** gVisor netstack checkAck: the RST answering an unacceptable ACK in SYN-RECEIVED comes from the handshake's endpoint, with its timestamps option when they were negotiated. */
  readonly badAckRstCarriesTimestamps: boolean;
  /** gVisor netstack: the SYN-ACK retransmitted after crossed SYNs carries the SYN's own options (its cached sendSYNOpts), not the negotiated ones it first sent. */
  readonly crossedSynAckResendsSynOptions: boolean;
  /** gVisor netstack timewait: a SYN in TIME-WAIT not past RCV.NXT is dropped, not answered with the final ACK; a segment with an ACK (an old SYN-ACK) gets that ACK every time, with no limit. */
  readonly timeWaitDropsOldSyn: boolean;
  /** gVisor netstack: FIN-WAIT-2 is a full endpoint, not Linux's time-wait socket: a SYN in its window gets a challenge ACK rather than being dropped, and an RST out of the window is dropped rather than answered with an ACK. */
  readonly finWait2FullEndpoint: boolean;
  /** gVisor netstack: after crossed SYNs, a SYN-ACK with an unacceptable ACK gets an RST (checkAck), not Linux's challenge ACK. */
  readonly badAckInCrossedSynRcvdGetsRst: boolean;
  /** gVisor netstack: a FIN again in LAST-ACK is out of window: answered with an ACK, its ACK field unread (Linux takes its ACK and closes). */
  readonly finAgainOutOfWindow: boolean;
  /** gVisor netstack: a handshake and its connection are one endpoint, so an out-of-window answer in SYN-RECEIVED (a duplicate SYN's ACK) holds back the established connection's next one for 500 ms; Linux's request and child limit apart. */
  readonly oowLimitSurvivesHandshake: boolean;
  /** gVisor netstack: a SYN carrying data on a synchronized connection always gets its challenge ACK, whatever the 500 ms limit says. */
  readonly synWithDataAlwaysChallenged: boolean;
  /** lwIP (TCP_WND 0xFFFF, TCP_RCV_SCALE 1): the first window is TCP_WND, 65535, whatever the buffers; the window scale it offers is 1. */
  readonly windowIsTcpWnd: boolean;
  /** lwIP 2.1.3 tcp_rst: every reset acknowledges the segment it answers (RST+ACK, ACK = SEG.SEQ + SEG.LEN), and its window, byte-swapped twice, reads 65407. */
  readonly resetsAckAndSayWindow65407: boolean;
  /** lwIP 2.1.3: ICMP and ICMPv6 destination unreachable never reach TCP (icmp_input counts and drops them). */
  readonly icmpUnreachableIgnored: boolean;
  /** lwIP built with TCP_LISTEN_BACKLOG 0: listen()'s backlog is not enforced; every SYN makes a SYN-RECEIVED pcb and every completed one is queued. */
  readonly backlogIgnored: boolean;
  /** lwIP tcp_process in SYN_RCVD: a SYN again with the first one's sequence number gets the SYN-ACK again at once (tcp_rexmit), with no rate limit. */
  readonly duplicateSynResentAtOnce: boolean;
  /** lwIP tcp_slowtmr (500 ms ticks): a SYN-RECEIVED pcb resends its SYN-ACK at 3 s and 9 s (initial RTO 3 s, backed off once) and dies silently 20 s after its SYN (TCP_SYN_RCVD_TIMEOUT). */
  readonly lwipSlowTimerHandshake: boolean;
  /** lwIP tcp_listen_closed: closing a listener leaves its SYN-RECEIVED pcbs alive (their listener cleared): a SYN again gets the SYN-ACK, the final ACK an RST. */
  readonly requestsOutliveListener: boolean;
  /** lwIP tcp_parseopt on a SYN again in SYN_RCVD: a window scale it offers switches scaling on though the SYN-ACK offered none; the SYN-ACK sent again then has its window scaled (65535 >> 1 = 32767), without the option. */
  readonly laterSynSwitchesOnWindowScale: boolean;
  /** lwIP tcp_process: its RFC 5961 answers (a SYN, an in-window RST, an ACK of unsent data) are not rate-limited. */
  readonly challengeAcksUnlimited: boolean;
  /** lwIP err_tcp: a connection reset while it waits in the accept mailbox fails its accept() and is gone; Linux's accept() still returns it. */
  readonly resetConnectionsLeaveAcceptQueue: boolean;
  /** No Fast Open client: sendto(MSG_FASTOPEN) on an unconnected socket is a write to an unconnected endpoint (gVisor netstack: EPIPE). */
  readonly fastOpenSendIsEpipe: boolean;
}

export type ProfileFlagName = keyof ProfileFlags;

/** Whose TCP a target runs: Linux (its profile follows from the kernel release) or another stack with a profile of its own. */
export type Stack = 'linux' | 'gvisor' | 'lwip';

/** --profile own: every target judged by the profile that describes it (a stack other than Linux by its own, not Linux's). */
export const OWN_PROFILE = 'own';

export interface KernelProfile {
  /** e.g. 'linux-6.12', 'bsd-article'. */
  readonly name: string;
  readonly flags: ProfileFlags;
}

/** The target's live settings the model reads. */
export interface TargetSettings {
  /** The scenario's address family: IPv6's header is 20 bytes longer, its MSS as much smaller. */
  readonly family: AddressFamily;
  readonly sysctls: Readonly<Record<SysctlName, number>>;
  /** MTU of the target's interface towards the tester: its advertised MSS follows from it. */
  readonly mtu: number;
  /** net.ipv4.tcp_rmem: the first windows and the window scale follow from it. */
  readonly rmem: Rmem;
  /** net.core.rmem_max (not per namespace): the window scale allows for it too. */
  readonly rmemMax: number;
}

/** lwIP's TCP_WND and TCP_RCV_SCALE in Debian's build (lwipopts.h). */
export const LWIP_TCP_WND = 0xffff;
const LWIP_TCP_RCV_SCALE = 1;

/**
 * The window scale a socket offers, for the largest window it could ever offer. Linux
 * tcp_select_initial_window: clamp(ilog2(max(tcp_rmem[2], rmem_max)) - 15, 0, 14); netstack
 * FindWndScale: the fewest shifts that bring tcp_rmem[2] within 16 bits.
 */
export function windowScaleOf(s: TargetSettings, flags: Pick<ProfileFlags, 'windowFromInitialCwnd' | 'windowIsTcpWnd'>): number {
  if (flags.windowIsTcpWnd) return LWIP_TCP_RCV_SCALE;
  if (flags.windowFromInitialCwnd) {
    let shift = 0;
    while (s.rmem[2] > 0xffff * 2 ** shift && shift < 14) shift++;
    return shift;
  }
  return Math.min(14, Math.max(0, Math.floor(Math.log2(Math.max(s.rmem[2], s.rmemMax))) - 15));
}

/**
 * tcp_full_space of a fresh socket: half its receive buffer (tcp_rmem[1]) goes to the window:
 * space − space/2 with tcp_adv_win_scale 1 (half rounded up), or since 6.6 the default scaling
 * ratio's (space × 128) >> 8 (half rounded down).
 */
export const receiveSpaceOf = (s: TargetSettings, flags: Pick<ProfileFlags, 'windowHalfRoundsUp'>): number => (flags.windowHalfRoundsUp ? Math.ceil(s.rmem[1] / 2) : Math.floor(s.rmem[1] / 2));

/** Whether the target offers or accepts each option now (net.ipv4.tcp_timestamps, tcp_sack, tcp_window_scaling). */
export const optionsOn = (s: TargetSettings) => ({
  timestamps: s.sysctls['net.ipv4.tcp_timestamps'] !== 0,
  sack: s.sysctls['net.ipv4.tcp_sack'] !== 0,
  windowScaling: s.sysctls['net.ipv4.tcp_window_scaling'] !== 0,
});

/** The flags of netstack's differences, none of them Linux's or the article's BSD's. */
const NOT_NETSTACK = {
  windowFromInitialCwnd: false,
  cookiesOnceBacklogReached: false,
  cookieSynAckTimestampsOnly: false,
  duplicateSynGetsAck: false,
  fastOpenSendIsEpipe: false,
  icmpHostOrNetUnreachableOnly: false,
  handshakeGivesUpAtMaxRto: false,
  simultaneousSynAckNegotiated: false,
  noSynResendOnBadAnswer: false,
  badAckRstCarriesTimestamps: false,
  crossedSynAckResendsSynOptions: false,
  timeWaitDropsOldSyn: false,
  finWait2FullEndpoint: false,
  badAckInCrossedSynRcvdGetsRst: false,
  finAgainOutOfWindow: false,
  oowLimitSurvivesHandshake: false,
  synWithDataAlwaysChallenged: false,
} as const;

/** The flags of lwIP's differences, none of them Linux's, netstack's or the article's BSD's. */
const NOT_LWIP = {
  windowIsTcpWnd: false,
  resetsAckAndSayWindow65407: false,
  icmpUnreachableIgnored: false,
  backlogIgnored: false,
  duplicateSynResentAtOnce: false,
  lwipSlowTimerHandshake: false,
  requestsOutliveListener: false,
  laterSynSwitchesOnWindowScale: false,
  challengeAcksUnlimited: false,
  resetConnectionsLeaveAcceptQueue: false,
} as const;

const LINUX_BASE: ProfileFlags = {
  linearSynTimeouts: false,
  synTimeoutByElapsedTime: true,
  // `qlen >= max` until a 2025 fix (listen(0) then answered no SYN without cookies); the fix
  // reached the stable series: measured `>` on 6.18, Debian 6.1.192 and 6.12.95.
  synQueueFullInclusive: false,
  synDroppedWhenAcceptQueueFull: true,
  acceptQueueAdmitsBacklogPlusOne: true,
  queuesShareBacklog: false,
  icmpUnreachableAbortsConnect: true,
  bsdSynSchedule: false,
  challengeAcks: true,
  synAckCompletesSimultaneousOpen: true,
  accEcnFromSynAck: false,
  challengeAckForUnsentData: false,
  windowHalfRoundsUp: false,
  ...NOT_NETSTACK,
  ...NOT_LWIP,
};

export const PROFILES: readonly KernelProfile[] = [
  // Debian's 5.10.262 lacks the 2024 fix: a SYN-ACK in a simultaneous open's SYN-RECEIVED draws a challenge ACK (measured in qemu).
  { name: 'linux-5.10', flags: { ...LINUX_BASE, synAckCompletesSimultaneousOpen: false, windowHalfRoundsUp: true } },
  { name: 'linux-6.1', flags: { ...LINUX_BASE, windowHalfRoundsUp: true } },
  // Debian's 6.12.95 has net.ipv4.tcp_syn_linear_timeouts (backported); detection follows the sysctl.
  { name: 'linux-6.12', flags: { ...LINUX_BASE, linearSynTimeouts: true } },
  // Current: linear SYN timeouts (net.ipv4.tcp_syn_linear_timeouts).
  { name: 'linux-6.18', flags: { ...LINUX_BASE, linearSynTimeouts: true, challengeAckForUnsentData: true, accEcnFromSynAck: true } },
  {
    // The source article's description (BSD): one backlog bounds both queues, SYNs retried at
    // 6 s and 24 s until 75 s, an ICMP unreachable remembered and reported at the timeout.
    name: 'bsd-article',
    flags: {
      linearSynTimeouts: false,
      synTimeoutByElapsedTime: true,
      synQueueFullInclusive: true,
      synDroppedWhenAcceptQueueFull: true,
      acceptQueueAdmitsBacklogPlusOne: false,
      queuesShareBacklog: true,
      icmpUnreachableAbortsConnect: false,
      bsdSynSchedule: true,
      challengeAcks: false,
      synAckCompletesSimultaneousOpen: false,
      accEcnFromSynAck: false,
      challengeAckForUnsentData: false,
      // BSD's window is not derived the same way; nothing here predicts it.
      windowHalfRoundsUp: false,
      ...NOT_NETSTACK,
      ...NOT_LWIP,
    },
  },
  {
    // gVisor's netstack as Debian's runsc 0.0~20221219 ships it (google/gvisor release-20221219.0,
    // pkg/tcpip/transport/tcp), behind the Linux syscall API; each flag cites its source in rules.ts.
    name: 'gvisor-20221219',
    flags: {
      ...LINUX_BASE,
      // What it does not have: linear SYN timeouts, AccECN, a challenge ACK for unsent data, Fast Open.
      linearSynTimeouts: false,
      accEcnFromSynAck: false,
      challengeAckForUnsentData: false,
      fastOpenSendIsEpipe: true,
      synAckCompletesSimultaneousOpen: false,
      windowFromInitialCwnd: true,
      cookiesOnceBacklogReached: true,
      cookieSynAckTimestampsOnly: true,
      duplicateSynGetsAck: true,
      icmpHostOrNetUnreachableOnly: true,
      handshakeGivesUpAtMaxRto: true,
      simultaneousSynAckNegotiated: true,
      crossedSynAckResendsSynOptions: true,
      badAckInCrossedSynRcvdGetsRst: true,
      badAckRstCarriesTimestamps: true,
      noSynResendOnBadAnswer: true,
      timeWaitDropsOldSyn: true,
      finWait2FullEndpoint: true,
      finAgainOutOfWindow: true,
      oowLimitSurvivesHandshake: true,
      synWithDataAlwaysChallenged: true,
    },
  },
  {
    // lwIP 2.1.3 as Debian's liblwip builds it (the GNU Hurd's lwipopts.h: TCP_WND 0xFFFF,
    // TCP_RCV_SCALE 1, no timestamps, no SACK, TCP_LISTEN_BACKLOG 0), behind its own socket API;
    // each flag cites lwIP's source in rules.ts.
    name: 'lwip-2.1',
    flags: {
      ...LINUX_BASE,
      // Of RFC 5961 it has the SYN and in-window RST checks and the ACK of unsent data, with no limit.
      linearSynTimeouts: false,
      accEcnFromSynAck: false,
      challengeAckForUnsentData: true,
      windowIsTcpWnd: true,
      resetsAckAndSayWindow65407: true,
      icmpUnreachableIgnored: true,
      backlogIgnored: true,
      duplicateSynResentAtOnce: true,
      lwipSlowTimerHandshake: true,
      requestsOutliveListener: true,
      laterSynSwitchesOnWindowScale: true,
      challengeAcksUnlimited: true,
      resetConnectionsLeaveAcceptQueue: true,
    },
  },
];

/** The profile of a stack other than Linux. */
export const stackProfile = (stack: Exclude<Stack, 'linux'>): KernelProfile => profileByName(STACK_PROFILES[stack]);
const STACK_PROFILES: Record<Exclude<Stack, 'linux'>, string> = { gvisor: 'gvisor-20221219', lwip: 'lwip-2.1' };

export function profileByName(name: string): KernelProfile {
  const profile = PROFILES.find((p) => p.name === name);
  if (!profile) throw new UsageError(`unknown profile '${name}' (known: ${PROFILES.map((p) => p.name).join(', ')})`);
  return profile;
}

/** The profile for a kernel release, refined by what its live sysctls show it has. */
export function profileFor(kernelRelease: string, sysctlsPresent: ReadonlySet<string>): KernelProfile {
  const [major = 0, minor = 0] = (/^(\d+)\.(\d+)/.exec(kernelRelease) ?? []).slice(1).map(Number);
  const version = major * 1000 + minor;
  const base = version >= 6015 ? 'linux-6.18' : version >= 6012 ? 'linux-6.12' : version >= 6001 ? 'linux-6.1' : 'linux-5.10';
  const profile = profileByName(base);
  const linear = sysctlsPresent.has('net.ipv4.tcp_syn_linear_timeouts');
  return linear === profile.flags.linearSynTimeouts ? profile : { name: `${base}${linear ? '+linear' : '-linear'}`, flags: { ...profile.flags, linearSynTimeouts: linear } };
}

/** The sysctls a scenario may set. */
export const SCENARIO_SYSCTLS: readonly SysctlName[] = [
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_abort_on_overflow',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_syn_linear_timeouts',
  'net.ipv4.tcp_timestamps',
  'net.ipv4.tcp_sack',
  'net.ipv4.tcp_window_scaling',
  'net.ipv4.tcp_fastopen',
  'net.ipv4.tcp_rfc1337',
  'net.ipv4.tcp_ecn',
  'net.ipv4.tcp_ecn_fallback',
  'net.ipv4.tcp_rto_max_ms',
];

/** Sysctls the model reads from the target: those a scenario may set, and the ones behind options and windows. */
export const SETTINGS_SYSCTLS = [...SCENARIO_SYSCTLS, 'net.ipv4.tcp_rmem', 'net.core.rmem_max'] as const;

/**
 * The one default table: a fresh Linux 6.18 network namespace's values, as read on the
 * development machine. The model as a target runs with them; a target that lacks one of them
 * (tcp_syn_linear_timeouts before 6.12) is judged with it too, harmlessly: the profile flag that
 * would read it is off there.
 */
export const DEFAULT_SYSCTLS: Readonly<Record<(typeof SETTINGS_SYSCTLS)[number], string>> = {
  'net.core.somaxconn': '4096',
  'net.ipv4.tcp_max_syn_backlog': '2048',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_abort_on_overflow': '0',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_syn_retries': '6',
  'net.ipv4.tcp_syn_linear_timeouts': '4',
  'net.ipv4.tcp_fastopen': '1',
  'net.ipv4.tcp_rfc1337': '0',
  'net.ipv4.tcp_ecn': '2',
  'net.ipv4.tcp_ecn_fallback': '1',
  'net.ipv4.tcp_rmem': '4096\t131072\t33554432',
  'net.core.rmem_max': '4194304',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_sack': '1',
  'net.ipv4.tcp_window_scaling': '1',
  // Linux 6.15 and later; older kernels behave as its default (TCP_RTO_MAX).
  'net.ipv4.tcp_rto_max_ms': '120000',
};

const rmemOf = (text: string): Rmem => {
  const [min = 0, initial = 0, max = 0] = text.trim().split(/\s+/).map(Number);
  return [min, initial, max];
};

/** The model's view of a target from its live sysctls (absent ones take the default table's values). */
export function settingsFrom(live: Readonly<Record<string, string>>, mtu: number): TargetSettings {
  const values: Readonly<Record<string, string>> = { ...DEFAULT_SYSCTLS, ...live };
  const sysctls = Object.fromEntries(SCENARIO_SYSCTLS.map((name) => [name, Number(values[name])])) as Record<SysctlName, number>;
  return { family: 'ipv4', sysctls, mtu, rmem: rmemOf(values['net.ipv4.tcp_rmem']!), rmemMax: Number(values['net.core.rmem_max']) };
}

/** The default table as the model reads it, on a 1500-byte link. */
export const DEFAULT_SETTINGS: TargetSettings = settingsFrom(DEFAULT_SYSCTLS, 1500);

/** Settings with a scenario's starting ones applied: what the model judges a case by. */
export function withConfig(settings: TargetSettings, scenario: Pick<Scenario, 'family' | 'config' | 'rmem' | 'mtu'>): TargetSettings {
  return { ...settings, family: scenario.family ?? 'ipv4', sysctls: { ...settings.sysctls, ...scenario.config }, rmem: scenario.rmem ?? settings.rmem, mtu: scenario.mtu ?? settings.mtu };
}

/** IP and TCP header bytes of a segment without options: what the MSS leaves of the MTU (RFC 9293 §3.7.1, RFC 8200 §8.3). */
export const headerBytes = (family: AddressFamily): number => (family === 'ipv6' ? 60 : 40);
