/** The target's segments, as expectations: which fields are exact and which the kernel chooses. */
import { clientIsn, peerTsval, remoteIsn } from './harness-numbers.ts';
import type { ClientId, ConnId, EcnRequest, SynOptions } from './actions.ts';
import type { Expected32, ExpectedOptions, ExpectedSegment, TcpFlagName } from './expectations.ts';
import { headerBytes, LWIP_TCP_WND, optionsOn, receiveSpaceOf, windowScaleOf, type KernelProfile, type ProfileFlags, type TargetSettings } from './profiles.ts';

/** The target as the builders need it: its live settings and the profile's flags. */
export interface TargetView {
  readonly settings: TargetSettings;
  readonly profile: KernelProfile;
}

const NO_OPTIONS: ExpectedOptions = { mss: null, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null };
const exact = (n: number): Expected32 => ({ exact: n >>> 0 });

/** Every segment the model predicts is not-ECT: Linux never marks SYNs, SYN-ACKs, bare ACKs or RSTs ECN-capable (RFC 3168 §6.1.1, §6.1.4). */
const segment = (flags: TcpFlagName[], seq: Expected32, ack: Expected32, window: Expected32, options = NO_OPTIONS): ExpectedSegment => ({ flags, seq, ack, window, options, payloadLength: 0, ipEcn: 'notEct' });

/**
 * The MSS a socket advertises: its link's MTU less 20 bytes of IPv4 and 20 of TCP header, or
 * TCP_MAXSEG where the socket set a lower one (Linux tcp_mss_clamp).
 */
export const advertisedMss = (s: TargetSettings, maxseg: number | undefined): number => Math.min(s.mtu - headerBytes(s.family), maxseg ?? Infinity);

/** A SYN or SYN-ACK's window: the first window the socket offers, unscaled (RFC 7323 §2.2). */
export function initialWindow(t: TargetView, mss: number, timestamps: boolean): number {
  if (t.profile.flags.windowIsTcpWnd) return LWIP_TCP_WND;
  const receiveSpace = receiveSpaceOf(t.settings, t.profile.flags);
  if (t.profile.flags.windowFromInitialCwnd) {
    // netstack initialReceiveWindow: at most what an initial window (InitialCwnd 10) of twice the
    // MSS brings, rounded down to the window scale's unit so scaling loses nothing.
    const unit = 2 ** windowScaleOf(t.settings, t.profile.flags);
    return Math.max(1, Math.floor(Math.min(receiveSpace, 65535, 10 * 2 * mss) / unit) * unit);
  }
  // Linux tcp_select_initial_window: the receive space rounded down to whole segments (less the timestamp option's 12 bytes), at most 65535.
  const segmentSize = mss - (timestamps ? 12 : 0);
  const space = receiveSpace > segmentSize ? Math.floor(receiveSpace / segmentSize) * segmentSize : receiveSpace;
  return Math.min(space, 65535);
}

/** The flags a SYN asks for ECN with (RFC 3168 §6.1.1; AccECN adds AE). */
export const ecnSetupFlags = (request: EcnRequest | undefined): TcpFlagName[] => (request === 'ecn' ? ['ECE', 'CWR'] : request === 'accecn' ? ['ECE', 'CWR', 'AE'] : []);

/** Which options a handshake ends up with: what the peer offered and the target allows. */
export interface Negotiated {
  readonly sack: boolean;
  readonly timestamps: boolean;
  readonly windowScale: boolean;
  /** RFC 3168 ECN: the SYN-ACK sets ECE. */
  readonly ecn: boolean;
}

export function negotiate(offer: SynOptions, s: TargetSettings, ecn: boolean): Negotiated {
  const on = optionsOn(s);
  return { sack: offer.sackPermitted && on.sack, timestamps: offer.timestamps && on.timestamps, windowScale: offer.windowScale !== null && on.windowScaling, ecn };
}

/** Names of the values one incarnation of a connection binds (a fresh request or cookie is a new one). */
export interface Names {
  readonly isn: string;
  /** The TSval clock: the diff binds it on first sight (builders stay pure). */
  readonly tsval: string;
}

const tsval = (names: Names): Expected32 => ({ atLeast: names.tsval });

/** The name of the Fast Open cookie the target gives a client (one per address and key). */
export const fastOpenCookieName = (client: ClientId): string => `cookie:client:${client}`;

/** What Fast Open adds to a SYN-ACK: the SYN's data acknowledged, the client's cookie given. */
export interface SynAckFastOpen {
  readonly dataAcked: number;
  readonly cookieFor: ClientId | null;
}
const NO_FAST_OPEN: SynAckFastOpen = { dataAcked: 0, cookieFor: null };

/** SYN-ACK to a client's SYN (Linux tcp_make_synack / tcp_synack_options). */
export function synAck(t: TargetView, client: ClientId, n: Negotiated, names: Names, mss: number, fastOpen = NO_FAST_OPEN): ExpectedSegment {
  return segment(['SYN', 'ACK', ...(n.ecn ? (['ECE'] as const) : [])], { bind: names.isn, plus: 0 }, exact(clientIsn(client) + 1 + fastOpen.dataAcked), exact(initialWindow(t, mss, n.timestamps)), {
    mss,
    sackPermitted: n.sack,
    timestamps: n.timestamps ? { tsval: tsval(names), tsecr: exact(peerTsval({ kind: 'client', client })) } : null,
    windowScale: n.windowScale ? exact(windowScaleOf(t.settings, t.profile.flags)) : null,
    fastOpen: fastOpen.cookieFor === null ? null : { cookie: fastOpenCookieName(fastOpen.cookieFor) },
  });
}

/** RST answering an ACK: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1); the ACK's ack is the harness's. */
export const rstForAck = (ack: Expected32): ExpectedSegment => segment(['RST'], ack, exact(0), exact(0));

/**
 * A reset as the stack sends it: lwIP's tcp_rst acknowledges the segment it answers (RST+ACK;
 * which of the harness's sequence numbers it acknowledges is left to the stack here) and writes
 * its window byte-swapped twice, 0x7FFF becoming 65407.
 */
export function asStackSendsReset(segment: ExpectedSegment, flags: Pick<ProfileFlags, 'resetsAckAndSayWindow65407'>): ExpectedSegment {
  if (!flags.resetsAckAndSayWindow65407 || !segment.flags.includes('RST')) return segment;
  const acked = segment.flags.includes('ACK');
  return { ...segment, flags: acked ? segment.flags : ['RST', 'ACK'], ack: acked ? segment.ack : { any: 'SEG.SEQ + SEG.LEN of the segment it answers' }, window: exact(65407) };
}

/** That RST sent by a handshake's own endpoint, with the timestamps option when `timestamps` (gVisor netstack checkAck). */
export function handshakeRst(ack: Expected32, names: Names, timestamps: boolean, tsecr: number): ExpectedSegment {
  const rst = rstForAck(ack);
  return timestamps ? { ...rst, options: { ...rst.options, timestamps: { tsval: tsval(names), tsecr: exact(tsecr) } } } : rst;
}

/** The ack the harness puts in a client's ACK: the latest SYN-ACK's ISN + 1 (+ offset for a bad one), or 0 if none came. */
export const ackOf = (isn: string | null, offset: number): Expected32 => (isn === null ? exact(0) : { bind: isn, plus: 1 + offset });

/** RST+ACK answering a segment without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN> (RFC 9293 §3.10.7.1). */
export const rstAck = (seqEnd: number): ExpectedSegment => segment(['RST', 'ACK'], exact(0), exact(seqEnd >>> 0), exact(0));

/**
 * An ACK, FIN or RST+ACK from a synchronized connection (its window is the kernel's to choose);
 * `sent`: how far past its ISN SND.NXT is (1, or 2 once its FIN went out).
 */
export function fromEstablished(flags: TcpFlagName[], names: Names, ack: number, timestamps: boolean, tsecr: number, sent = 1, payloadLength = 0): ExpectedSegment {
  return {
    ...segment(flags, { bind: names.isn, plus: sent }, exact(ack), { any: 'window of an established connection' }, {
      ...NO_OPTIONS,
      timestamps: timestamps ? { tsval: tsval(names), tsecr: exact(tsecr) } : null,
    }),
    payloadLength,
  };
}

/**
 * The SYN of connect() (Linux tcp_connect, tcp_syn_options). After the SYNs crossed
 * (simultaneous open) the same SYN goes out with an ACK of the remote's SYN (Linux
 * tcp_send_synack), its options still those of a SYN, echoing the remote's TSval if it sent one.
 * `ecn`: the SYN asks for ECN (Linux tcp_ecn_send_syn). `fastOpen`: its Fast Open option (hex, as
 * SegmentFields has it) and the data it carries (Linux tcp_send_syn_data).
 */
export function connectSyn(t: TargetView, names: Names, mss: number, ecn: boolean, crossed: Crossed | null = null, fastOpen: { readonly option: string; readonly data: number } | null = null): ExpectedSegment {
  const on = optionsOn(t.settings);
  // netstack answers crossed SYNs with the options negotiated with the remote's SYN.
  const offered = crossed !== null && t.profile.flags.simultaneousSynAckNegotiated ? crossed.offered : null;
  const sack = on.sack && (offered === null || offered.sackPermitted);
  const timestamps = on.timestamps && (offered === null || offered.timestamps);
  const windowScale = !on.windowScaling ? null : offered !== null && offered.windowScale === null ? 0 : windowScaleOf(t.settings, t.profile.flags);
  const syn = segment(crossed ? ['SYN', 'ACK'] : ['SYN', ...ecnSetupFlags(ecn ? 'ecn' : undefined)], { bind: names.isn, plus: 0 }, exact(crossed?.ack ?? 0), exact(initialWindow(t, mss, false)), {
    mss,
    sackPermitted: sack,
    timestamps: timestamps ? { tsval: tsval(names), tsecr: exact(crossed?.tsecr ?? 0) } : null,
    windowScale: windowScale === null ? null : exact(windowScale),
    fastOpen: fastOpen && { hex: fastOpen.option },
  });
  return fastOpen ? { ...syn, payloadLength: fastOpen.data } : syn;
}

/** After the SYNs crossed (simultaneous open): what connect()'s SYN-ACK acknowledges and echoes, and what the remote's SYN offered (null: send the SYN's own options). */
export interface Crossed {
  readonly ack: number;
  readonly tsecr: number;
  readonly offered: SynOptions | null;
}

export const remoteAck = (conn: ConnId): number => (remoteIsn(conn) + 1) >>> 0;
