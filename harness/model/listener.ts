/**
 * The passive open. Every client of the scenario's port has one explicit state (RFC 9293 §3.3.2's
 * names, with Linux's SYN cookie and expired request), and one transition function takes a
 * client's segment to the arm for its state; each arm cites its rule. The listener's SYN queue
 * and accept queue are views of those states, as the kernel's are of its sockets.
 */
import { unreachableEffect } from './icmp-errors.ts';
import type { Action, ClientId, EcnRequest, FastOpenOption, IcmpUnreachableCode, IpEcn, SynOptions } from './actions.ts';
import { inFastOpenChild, fastOpenChildTimer, tryFastOpen, type FastOpenChild } from './fast-open.ts';
import { closedPortReset } from './closed-port.ts';
import type { Context, Timer } from './context.ts';
import type { Expected32, ExpectedSegment, Interval, RuleRef } from './expectations.ts';
import { LWIP_TCP_WND, optionsOn, windowScaleOf } from './profiles.ts';
import { badAckOffset, clientIsn, peerTsval } from './harness-numbers.ts';
import { oowRateLimited } from './out-of-window.ts';
import { inEstablished, type Connection } from './passive-connection.ts';
import { RULES } from './rules.ts';
import { ackOf, advertisedMss, fromEstablished, handshakeRst, negotiate, rstForAck, synAck, type Names, type Negotiated } from './segments.ts';
import { after, response, RETRIES_UNTIL_MAX_RTO, rttSample, TCP_RTO_MAX, TCP_TIMEOUT_INIT } from './time.ts';

/** A segment a client sends the port (or, for its kind 'icmpUnreachable', a router says about it). */
export type ClientSegment =
  | { readonly kind: 'syn'; readonly options: SynOptions; readonly data: number; readonly ecn?: EcnRequest; readonly ipEcn?: IpEcn; readonly fastOpen?: FastOpenOption }
  | { readonly kind: 'ack'; readonly bad: boolean }
  | { readonly kind: 'rst' }
  /** FIN, acknowledging the latest SYN-ACK. */
  | { readonly kind: 'fin' }
  /** Not the client's: a router's ICMP destination unreachable about the target's segment to it. */
  | { readonly kind: 'icmpUnreachable'; readonly code: IcmpUnreachableCode };

/** A connection as a handshake leaves it. */
function newConnection(client: ClientId, names: Names, options: Negotiated, via: Connection['via'], rtt: Interval | null, rtoMax: number, lastOow: number | null = null): Connection {
  const rcvNxt = (clientIsn(client) + 1) >>> 0;
  return { client, names, timestamps: options.timestamps, sack: options.sack, lastOow, via, rcvNxt, finReceived: false, rtt, rtoMax, unread: 0, accepted: false, closing: null };
}

/**
 * What a client's ACK acknowledges (its RST then echoes it): the latest SYN-ACK, and the FIN of a
 * connection the target closed, or something never sent (bad).
 */
function clientsAck(ctx: Context, client: ClientId, state: ClientState | null, bad: boolean): Expected32 {
  const finSent = state?.kind === 'reset' && state.connection.closing !== null ? 1 : 0;
  return ackOf(ctx.latestSynAck.get(client)?.isn ?? null, (bad ? badAckOffset : 0) + finSent);
}

/** What reaches a state short of ESTABLISHED: a FIN's ACK is taken there first (see `withFin`). */
export type SegmentBeforeFin = Exclude<ClientSegment, { kind: 'fin' }>;

/**
 * RFC 9293 §3.10.7.4 takes a segment's ACK (fifth) before its FIN (eighth): a FIN to a client
 * short of ESTABLISHED is its ACK there first, and then, if that established the connection, its
 * FIN there (CLOSE-WAIT); else the ACK's answer (an RST, a drop) is all.
 */
function withFin(clients: PortClients, client: ClientId, receive: (segment: SegmentBeforeFin) => void, now: Interval, ctx: Context): void {
  receive({ kind: 'ack', bad: false });
  const state = clients.get(client);
  if (state?.kind === 'established') inEstablished(ctx, clients, state.connection, { kind: 'fin' }, now);
}

/** A request socket in the SYN queue. */
interface Request {
  readonly client: ClientId;
  readonly options: Negotiated;
  readonly names: Names;
  /** When its latest SYN-ACK went out, and whether it was sent more than once (no RTT sample then, tcp_synack_rtt_meas, but by timestamps). */
  synAckAt: number;
  resent: boolean;
  numTimeout: number;
  /** When it last answered a duplicate SYN (rate-limited as any out-of-window answer). */
  lastOow: number | null;
  /** lwIP: a SYN again offered a window scale the SYN-ACK did not answer, and the pcb took it. */
  lateWindowScale?: true;
  timer: Timer;
}

/** Where one client's connection to the port stands; no entry: nothing (LISTEN's view of a stranger). */
export type ClientState =
  /** SYN-RECEIVED: a request in the SYN queue, its SYN-ACK timer running (Linux request_sock). */
  | { readonly kind: 'synRcvd'; readonly request: Request }
  /** A SYN cookie went out instead of a request: no state but what the cookie encodes (Linux syncookies). */
  | { readonly kind: 'cookieSent'; readonly names: Names; readonly options: Negotiated; readonly at: number }
  /** ESTABLISHED: in the accept queue or returned by accept(). */
  | { readonly kind: 'established'; readonly connection: Connection }
  /** A Fast Open child in SYN-RECEIVED: a full socket, accept()able, its SYN-ACK timer running (RFC 7413 §4.2.2). */
  | { readonly kind: 'fastOpenChild'; readonly child: FastOpenChild }
  /**
   * Reset by the client: gone from the connection table; accept() still returns it if it was
   * queued. A Fast Open child reset before its final ACK keeps its place in the Fast Open queue
   * (Linux reqsk_fastopen_remove holds it 60 s against spoofed SYNs).
   */
  | { readonly kind: 'reset'; readonly connection: Connection; readonly holdsFastOpenSlot?: true }
  /** The request timed out (Linux reqsk_timer_handler): its late ACK meets the listener. */
  | { readonly kind: 'expired' };

/** Every client's state, kept by the scenario: connections outlive the listener. */
export type PortClients = Map<ClientId, ClientState>;

export class Listener {
  /** The accept queue, in order; its connections are in state established or reset. */
  private readonly acceptQueue: Connection[] = [];
  /** A blocking accept() asleep until a connection is established: its call, and the timer of its timeout. */
  private sleeper: { readonly call: number; readonly timer: Timer } | null = null;
  /** listen()'s backlog after the somaxconn cap (sk_max_ack_backlog). */
  readonly max: number;
  /** The MSS its SYN-ACKs advertise (TCP_MAXSEG set on the listener clamps it; requests inherit it). */
  private readonly mss: number;
  /** TCP_FASTOPEN: the most Fast Open children pending at once; 0, none (Fast Open off). */
  private readonly fastOpenMax: number;
  /** tcp_rto_max_ms when the socket was made (tcp_init_sock): its Fast Open children inherit it. */
  private readonly rtoMax: number;
  open = true;

  constructor(
    private readonly ctx: Context,
    { backlog, maxseg, fastOpen }: Extract<Action, { kind: 'listen' }>,
    private readonly clients: PortClients,
  ) {
    this.mss = advertisedMss(ctx.settings, maxseg);
    this.fastOpenMax = fastOpen ?? 0;
    this.rtoMax = ctx.sysctl('net.ipv4.tcp_rto_max_ms');
    // Linux __sys_listen (and BSD solisten): `(unsigned int)backlog > somaxconn` takes somaxconn, so listen(-1) asks for the most.
    const somaxconn = ctx.sysctl('net.core.somaxconn');
    this.max = backlog < 0 || backlog > somaxconn ? somaxconn : backlog;
  }

  /** The SYN queue: the clients in SYN-RECEIVED. */
  get synQueueLength(): number {
    let n = 0;
    for (const state of this.clients.values()) if (state.kind === 'synRcvd') n++;
    return n;
  }

  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  /** The transition function: a client's segment, by where the client's connection stands. */
  receive(client: ClientId, segment: ClientSegment, now: Interval): void {
    const state = this.clients.get(client);
    if (state?.kind === 'established') return inEstablished(this.ctx, this.clients, state.connection, segment, now);
    if (segment.kind === 'fin') return withFin(this.clients, client, (s) => this.receive(client, s, now), now, this.ctx);
    switch (state?.kind) {
      case 'synRcvd':
        return this.inSynRcvd(state.request, segment, now);
      case 'fastOpenChild':
        return inFastOpenChild(this.ctx, this.clients, state.child, segment, now);
      case 'cookieSent':
        // Linux cookie_v4_check: the listener takes a final ACK as the cookie's while cookies are on.
        if (segment.kind === 'ack' && !segment.bad && this.ctx.sysctl('net.ipv4.tcp_syncookies') !== 0) return this.cookieAck(client, state, now);
        return this.atListener(client, state, segment, now);
      case undefined:
      case 'reset':
      case 'expired':
        return this.atListener(client, state ?? null, segment, now);
    }
  }

  /** RFC 9293 §3.10.7.2 LISTEN (Linux tcp_v4_rcv finds only the listener). */
  private atListener(client: ClientId, state: ClientState | null, segment: SegmentBeforeFin, now: Interval): void {
    const peer = { kind: 'client', client } as const;
    switch (segment.kind) {
      case 'syn':
        return this.newSyn(client, segment, now);
      case 'ack': {
        // An ACK -> <SEQ=SEG.ACK><CTL=RST>; after an expired request, that is how the client learns it.
        const rule = segment.bad ? RULES.ackToListener : state?.kind === 'expired' ? RULES.requestExpired : RULES.ackToListener;
        return this.ctx.send(peer, rstForAck(clientsAck(this.ctx, client, state, segment.bad)), response(now), rule);
      }
      case 'rst':
        return; // an RST to the listener is discarded
      case 'icmpUnreachable':
        return this.ctx.drop(peer, now, RULES.icmpWithoutRequest);
    }
  }

  /**
   * A SYN with nothing of this client's in the queues: the queue checks of Linux tcp_conn_request.
   * Data in the SYN is not acknowledged: without Fast Open Linux drops it (RFC 9293 §3.10.7.2 lets
   * a stack queue it; the SYN-ACK acknowledges only the SYN either way), and the client resends it.
   */
  private newSyn(client: ClientId, syn: Extract<ClientSegment, { kind: 'syn' }>, now: Interval): void {
    const { ctx } = this;
    const peer = { kind: 'client', client } as const;
    if (ctx.profile.flags.queuesShareBacklog) {
      // The article (BSD): both queues together never exceed the backlog; a SYN beyond is ignored.
      if (this.synQueueLength + this.acceptQueue.length >= this.max) return ctx.drop(peer, now, RULES.sharedBacklog);
      return this.newRequest(client, negotiate(syn.options, ctx.settings, ecnAccepted(ctx, syn)), now, synAckRule(syn));
    }
    // netstack sends a cookie once the backlog is reached, whatever tcp_syncookies says.
    const syncookies = ctx.profile.flags.cookiesOnceBacklogReached ? 1 : ctx.sysctl('net.ipv4.tcp_syncookies');
    let wantCookie = false;
    if (syncookies === 2 || this.synQueueFull()) {
      if (syncookies === 0) {
        ctx.count('TcpExt.TCPReqQFullDrop', RULES.synQueueFull);
        ctx.count('TcpExt.ListenDrops', RULES.synQueueFull);
        return ctx.drop(peer, now, RULES.synQueueFull);
      }
      ctx.count('TcpExt.TCPReqQFullDoCookies', RULES.synQueueFull);
      wantCookie = true;
    }
    // Before 4.10 the SYN was dropped only while more than one young request waited as well.
    if (this.acceptQueueFull() && (ctx.profile.flags.synDroppedWhenAcceptQueueFull || this.youngRequests() > 1)) {
      this.countOverflow(RULES.acceptQueueFullSyn);
      return ctx.drop(peer, now, RULES.acceptQueueFullSyn);
    }
    const maxSynBacklog = ctx.sysctl('net.ipv4.tcp_max_syn_backlog');
    if (!wantCookie && syncookies === 0 && maxSynBacklog - this.synQueueLength < maxSynBacklog >> 2) {
      ctx.count('TcpExt.ListenDrops', RULES.synBacklogQuarter);
      return ctx.drop(peer, now, RULES.synBacklogQuarter);
    }
    const negotiated = negotiate(syn.options, ctx.settings, ecnAccepted(ctx, syn));
    if (!wantCookie) {
      const fastOpen = tryFastOpen(ctx, client, syn, this.fastOpenQueueLength() < this.fastOpenMax);
      if (fastOpen.kind === 'child') return this.newFastOpenChild(client, syn.data, negotiated, now);
      return this.newRequest(client, negotiated, now, fastOpen.giveCookie ? RULES.fastOpenCookie : synAckRule(syn), fastOpen.giveCookie);
    }
    // A cookie encodes WS, SACK and ECN in the TSval; without timestamps they are lost. netstack's
    // keeps none of them, and offers a window of 65535 (its listener's buffer, capped).
    const timestampsOnly = ctx.profile.flags.cookieSynAckTimestampsOnly;
    const options = negotiated.timestamps && !timestampsOnly ? negotiated : { sack: false, timestamps: negotiated.timestamps, windowScale: false, ecn: false };
    const names = ctx.newNames(client);
    ctx.count('TcpExt.SyncookiesSent', RULES.cookie);
    const answer = synAck(ctx, client, options, names, this.mss);
    ctx.send(peer, timestampsOnly ? { ...answer, window: { exact: 65535 } } : answer, response(now), RULES.cookie);
    this.clients.set(client, { kind: 'cookieSent', names, options, at: now.earliest });
  }

  /** A request in the SYN queue; its first SYN-ACK gives the client its Fast Open cookie when `giveCookie`. */
  private newRequest(client: ClientId, options: Negotiated, now: Interval, rule: RuleRef, giveCookie = false): void {
    const names = this.ctx.newNames(client);
    if (giveCookie) this.ctx.fastOpenCookies.add(client);
    this.ctx.send({ kind: 'client', client }, synAck(this.ctx, client, options, names, this.mss, { dataAcked: 0, cookieFor: giveCookie ? client : null }), response(now), rule);
    const request: Request = { client, options, names, synAckAt: now.earliest, resent: false, numTimeout: 0, lastOow: null, timer: this.ctx.arm(this.synAckTimeout(now, 0), (at) => this.requestTimer(request, at)) };
    this.clients.set(client, { kind: 'synRcvd', request });
  }

  /** Linux tcp_fastopen_create_child: a full socket at once, queued for accept(), the SYN's data acknowledged. */
  private newFastOpenChild(client: ClientId, data: number, options: Negotiated, now: Interval): void {
    const { ctx } = this;
    const names = ctx.newNames(client);
    const connection: Connection = { ...newConnection(client, names, options, 'fastOpen', null, this.rtoMax), rcvNxt: (clientIsn(client) + 1 + data) >>> 0, unread: data };
    const resend = synAck(ctx, client, options, names, this.mss, { dataAcked: data, cookieFor: null });
    ctx.send({ kind: 'client', client }, resend, response(now), RULES.fastOpenChild);
    const child: FastOpenChild = { connection, synAck: resend, createdAt: now.earliest, rtoMax: this.rtoMax, numTimeout: 0, lastOow: null, timer: ctx.arm(after(now, TCP_TIMEOUT_INIT), (at) => fastOpenChildTimer(ctx, this.clients, child, at)) };
    this.clients.set(client, { kind: 'fastOpenChild', child });
    ctx.count('Tcp.PassiveOpens', RULES.passiveOpen);
    this.enqueue(connection, now);
  }

  /** Fast Open children whose handshake has not completed, and those reset before it did (tcp_fastopen_queue_check's qlen). */
  private fastOpenQueueLength(): number {
    let n = 0;
    for (const state of this.clients.values()) if (state.kind === 'fastOpenChild' || (state.kind === 'reset' && state.holdsFastOpenSlot)) n++;
    return n;
  }

  /** RFC 9293 §3.10.7.4 in SYN-RECEIVED, as Linux tcp_check_req does it. */
  private inSynRcvd(request: Request, segment: SegmentBeforeFin, now: Interval): void {
    const { ctx } = this;
    const peer = { kind: 'client', client: request.client } as const;
    switch (segment.kind) {
      case 'syn':
        // A retransmitted SYN gets the SYN-ACK again and re-arms the timer, rate-limited.
        if (!ctx.profile.flags.duplicateSynResentAtOnce && oowRateLimited(request, now)) return ctx.drop(peer, now, RULES.oowRateLimited);
        if (ctx.profile.flags.laterSynSwitchesOnWindowScale && segment.options.windowScale !== null && !request.options.windowScale && optionsOn(ctx.settings).windowScaling) request.lateWindowScale = true;
        // netstack: the SYN is out of window, so a bare ACK of it, and the timer runs on.
        if (ctx.profile.flags.duplicateSynGetsAck) return ctx.send(peer, fromEstablished(['ACK'], request.names, (clientIsn(request.client) + 1) >>> 0, request.options.timestamps, peerTsval(peer)), response(now), RULES.duplicateSyn);
        ctx.send(peer, this.synAckAgain(request), response(now), RULES.duplicateSyn);
        request.synAckAt = now.earliest;
        request.resent = true;
        // tcp_rtx_synack counts it as a retransmission.
        ctx.count('TcpExt.TCPSynRetrans', RULES.duplicateSyn);
        request.timer.cancelled = true;
        request.timer = ctx.arm(this.synAckTimeout(now, request.numTimeout), (at) => this.requestTimer(request, at));
        return;
      case 'ack':
        // An unacceptable ACK: Linux hands the segment to the listener, which resets it; the request lives on.
        if (segment.bad) {
          const rst = handshakeRst(ackOf(request.names.isn, badAckOffset), request.names, ctx.profile.flags.badAckRstCarriesTimestamps && request.options.timestamps, peerTsval(peer));
          return ctx.send(peer, rst, response(now), RULES.badAck);
        }
        if (!ctx.profile.flags.queuesShareBacklog && this.acceptQueueFull()) {
          this.countOverflow(RULES.acceptQueueFullAck);
          if (ctx.sysctl('net.ipv4.tcp_abort_on_overflow') === 0) return ctx.drop(peer, now, RULES.acceptQueueFullAck);
          ctx.send(peer, rstForAck(ackOf(request.names.isn, 0)), response(now), RULES.acceptQueueFullAck);
          ctx.count('TcpExt.EmbryonicRsts', RULES.acceptQueueFullAck);
          return this.endRequest(request, null);
        }
        this.endRequest(request, null);
        // netstack's handshake and connection are one endpoint: its out-of-window limit runs on.
        const lastOow = ctx.profile.flags.oowLimitSurvivesHandshake ? request.lastOow : null;
        return this.establish(request.client, request.names, request.options, 'request', rttSample(request.synAckAt, request.resent, request.options.timestamps, now), now, lastOow);
      case 'rst':
        ctx.count('TcpExt.EmbryonicRsts', RULES.rstInSynRcvd);
        return this.endRequest(request, null);
      case 'icmpUnreachable':
        // tcp_req_err: only a fatal error aborts a request (the ICMP quotes its SYN-ACK, so its ISN matches).
        const effect = unreachableEffect(ctx.settings.family, segment.code, ctx.profile.flags);
        if (effect.kind !== 'error' || !effect.endsRequest) return ctx.drop(peer, now, RULES.icmpToRequest);
        ctx.count('TcpExt.ListenDrops', RULES.icmpToRequest);
        return this.endRequest(request, null);
    }
  }

  /** Linux cookie_v4_check: a valid cookie ACK creates the connection, if the accept queue has room. */
  private cookieAck(client: ClientId, cookie: Extract<ClientState, { kind: 'cookieSent' }>, now: Interval): void {
    this.clients.delete(client);
    if (this.acceptQueueFull()) {
      // The child cannot be queued; the ACK is dropped, no RST.
      this.countOverflow(RULES.cookieAck);
      return this.ctx.drop({ kind: 'client', client }, now, RULES.cookieAck);
    }
    // A cookie's TSval encodes options, not the clock: the connection's own TSvals start afresh.
    this.establish(client, { isn: cookie.names.isn, tsval: `${cookie.names.tsval}:clock` }, cookie.options, 'cookie', rttSample(cookie.at, true, cookie.options.timestamps, now), now);
  }

  /** Linux reqsk_timer_handler: SYN-ACK retransmissions, then the request dies. */
  private requestTimer(request: Request, at: Interval): void {
    const { ctx } = this;
    const netstack = ctx.profile.flags.handshakeGivesUpAtMaxRto;
    const lwip = ctx.profile.flags.lwipSlowTimerHandshake;
    let retries = lwip ? LWIP_SYNACK_TIMEOUTS.length : netstack ? RETRIES_UNTIL_MAX_RTO : ctx.sysctl('net.ipv4.tcp_synack_retries');
    // Half the queue is kept for young requests: old ones lose retries when the queue is loaded.
    const qlen = this.synQueueLength;
    if (!netstack && !lwip && qlen << 1 > Math.max(8, this.max)) {
      let young = this.youngRequests() << 1;
      while (retries > 2 && qlen >= young) {
        retries--;
        young <<= 1;
      }
    }
    if (request.numTimeout >= retries) return this.endRequest(request, { kind: 'expired' });
    ctx.send({ kind: 'client', client: request.client }, this.synAckAgain(request), at, RULES.synAckRetransmit);
    request.synAckAt = at.earliest;
    request.resent = true;
    ctx.count('TcpExt.TCPSynRetrans', RULES.synAckRetransmit);
    request.numTimeout++;
    request.timer = ctx.arm(this.synAckTimeout(at, request.numTimeout), (next) => this.requestTimer(request, next));
  }

  /** A request's SYN-ACK sent again: lwIP's, once a later SYN switched scaling on, has its window scaled (and still no window scale option). */
  private synAckAgain(request: Request): ExpectedSegment {
    const again = synAck(this.ctx, request.client, request.options, request.names, this.mss);
    return request.lateWindowScale ? { ...again, window: { exact: LWIP_TCP_WND >> windowScaleOf(this.ctx.settings, this.ctx.profile.flags) } } : again;
  }

  /**
   * When a request's next SYN-ACK is due, `numTimeout` sent so far. Linux reqsk_timer_handler:
   * 1 s doubling up to TCP_RTO_MAX. lwIP's slow timer (tcp_slowtmr, every 500 ms): 3 s, then 6 s
   * more, each up to one tick late; after that the pcb dies TCP_SYN_RCVD_TIMEOUT (20 s) after its
   * SYN came, before a third SYN-ACK would have been due.
   */
  private synAckTimeout(from: Interval, numTimeout: number): Interval {
    if (!this.ctx.profile.flags.lwipSlowTimerHandshake) return after(from, Math.min(TCP_TIMEOUT_INIT << numTimeout, TCP_RTO_MAX));
    const sinceSyn = LWIP_SYNACK_TIMEOUTS.slice(0, numTimeout).reduce((a, b) => a + b, 0);
    const ms = LWIP_SYNACK_TIMEOUTS[numTimeout] ?? LWIP_SYN_RCVD_TIMEOUT - sinceSyn;
    return { earliest: from.earliest + ms, latest: from.latest + ms + LWIP_SLOW_INTERVAL + 25 };
  }

  accept(max: number, now: Interval): void {
    // lwIP: a connection reset in the accept mailbox fails its accept and is gone.
    if (this.ctx.profile.flags.resetConnectionsLeaveAcceptQueue) this.dropReset();
    const taken = this.acceptQueue.splice(0, Math.max(0, max));
    for (const c of taken) c.accepted = true;
    // Cite what made this result special: a reset connection still returned, or one from a cookie.
    const reset = taken.some((c) => this.clients.get(c.client)?.kind === 'reset');
    const rule = reset ? RULES.rstEstablished : taken.some((c) => c.via === 'cookie') ? RULES.cookieAck : taken.some((c) => c.via === 'fastOpen') ? RULES.fastOpenChild : RULES.accept;
    this.ctx.result({ call: 'accept', accepted: taken.map((c) => c.client) }, response(now), rule);
  }

  private dropReset(): void {
    const live = this.acceptQueue.filter((c) => this.clients.get(c.client)?.kind !== 'reset');
    this.acceptQueue.splice(0, this.acceptQueue.length, ...live);
  }

  /** accept(2) on a blocking socket: the queue's head at once, else the first connection established, else none at the timeout. */
  blockingAccept(timeoutMs: number, now: Interval): void {
    if (this.acceptQueue.length > 0) return this.accept(1, now);
    const call = this.ctx.cause;
    const timer = this.ctx.arm(after(now, timeoutMs), (at) => {
      this.sleeper = null;
      this.ctx.result({ call: 'accept', accepted: [] }, at, RULES.blockingAccept, call);
    });
    this.sleeper = { call, timer };
  }

  /** close(): queued connections are reset (tcp_disconnect), requests and cookies are gone. */
  close(now: Interval): void {
    this.open = false;
    if (this.sleeper) this.sleeper.timer.cancelled = true;
    this.sleeper = null;
    for (const connection of this.acceptQueue.splice(0)) {
      // Only a connection still alive is reset: one the client reset may have a successor of its address in the queues.
      const state = this.clients.get(connection.client);
      const child = state?.kind === 'fastOpenChild' && state.child.connection === connection ? state.child : null;
      if (child === null && !(state?.kind === 'established' && state.connection === connection)) continue;
      if (child) child.timer.cancelled = true;
      this.clients.delete(connection.client);
      const peer = { kind: 'client', client: connection.client } as const;
      this.ctx.send(peer, fromEstablished(['RST', 'ACK'], connection.names, connection.rcvNxt, connection.timestamps, peerTsval(peer)), response(now), RULES.listenerClosed);
    }
    // lwIP: a SYN-RECEIVED pcb only loses its listener, and lives on (orphaned, below).
    const requestsLive = this.ctx.profile.flags.requestsOutliveListener;
    for (const [client, state] of this.clients) {
      if (state.kind === 'synRcvd' && requestsLive) continue;
      if (state.kind === 'synRcvd') state.request.timer.cancelled = true;
      if (state.kind === 'synRcvd' || state.kind === 'cookieSent') this.clients.delete(client);
    }
  }

  /**
   * A request whose listener closed (lwIP: tcp_listen_closed clears the pcb's listener): a SYN
   * again gets its SYN-ACK again, a bad ACK its RST, its final ACK an RST too (accept_function has
   * nobody) that ends it, and an RST ends it.
   */
  orphaned(request: Request, segment: SegmentBeforeFin, now: Interval): void {
    const peer = { kind: 'client', client: request.client } as const;
    switch (segment.kind) {
      case 'syn':
      case 'rst':
        return this.inSynRcvd(request, segment, now);
      case 'ack':
        // An unacceptable ACK gets its RST as in SYN-RECEIVED, and the pcb stays.
        if (segment.bad) return this.inSynRcvd(request, segment, now);
        this.endRequest(request, null);
        return this.ctx.send(peer, rstForAck(ackOf(request.names.isn, 0)), response(now), RULES.orphanedRequest);
      case 'icmpUnreachable':
        return this.ctx.drop(peer, now, RULES.icmpToRequest);
    }
  }

  /** Linux sk_acceptq_is_full: `len > max`, so listen(N) holds N+1; BSD and the strict reading: `len >= max`; lwIP without TCP_LISTEN_BACKLOG: never. */
  private acceptQueueFull(): boolean {
    if (this.ctx.profile.flags.backlogIgnored) return false;
    return this.ctx.profile.flags.acceptQueueAdmitsBacklogPlusOne ? this.acceptQueue.length > this.max : this.acceptQueue.length >= this.max;
  }

  /** Linux inet_csk_reqsk_queue_is_full: `>=` until 2025, then `>` (so listen(0) takes one SYN); netstack: pending handshakes reach the backlog. */
  private synQueueFull(): boolean {
    const { flags } = this.ctx.profile;
    if (flags.backlogIgnored) return false;
    return flags.synQueueFullInclusive || flags.cookiesOnceBacklogReached ? this.synQueueLength >= this.max : this.synQueueLength > this.max;
  }

  /** Requests that never timed out (the kernel's "young" count). */
  private youngRequests(): number {
    let young = 0;
    for (const state of this.clients.values()) if (state.kind === 'synRcvd' && state.request.numTimeout === 0) young++;
    return young;
  }

  /** Linux counts every accept-queue overflow twice: ListenOverflows, and ListenDrops (tcp_listendrop). */
  private countOverflow(rule: RuleRef): void {
    this.ctx.count('TcpExt.ListenOverflows', rule);
    this.ctx.count('TcpExt.ListenDrops', rule);
  }

  /** The request leaves the SYN queue: for `next` (expired), or for nothing. */
  private endRequest(request: Request, next: ClientState | null): void {
    request.timer.cancelled = true;
    if (next) this.clients.set(request.client, next);
    else this.clients.delete(request.client);
  }

  private establish(client: ClientId, names: Names, options: Negotiated, via: Connection['via'], rtt: Interval | null, now: Interval, lastOow: number | null = null): void {
    const connection = newConnection(client, names, options, via, rtt, this.rtoMax, lastOow);
    this.clients.set(client, { kind: 'established', connection });
    this.ctx.count('Tcp.PassiveOpens', RULES.passiveOpen);
    this.enqueue(connection, now);
  }

  /** Into the accept queue, unless a blocking accept() sleeps: it takes the connection before anyone else can. */
  private enqueue(connection: Connection, now: Interval): void {
    const client = connection.client;
    const sleeper = this.sleeper;
    if (sleeper === null) return void this.acceptQueue.push(connection);
    connection.accepted = true;
    sleeper.timer.cancelled = true;
    this.sleeper = null;
    this.ctx.result({ call: 'accept', accepted: [client] }, response(now), RULES.blockingAccept, sleeper.call);
  }
}

/** lwIP's SYN_RCVD timers: the SYN-ACK's retransmission timeouts (the 3 s initial RTO, doubled once), its lifetime, its timer's tick. */
const LWIP_SYNACK_TIMEOUTS: readonly number[] = [3000, 6000];
const LWIP_SYN_RCVD_TIMEOUT = 20_000;
const LWIP_SLOW_INTERVAL = 500;

/** The rule a SYN-ACK cites: the ECN rule where the SYN asked for ECN. */
const synAckRule = (syn: Extract<ClientSegment, { kind: 'syn' }>): RuleRef => (syn.ecn === undefined ? RULES.synAck : RULES.ecnSynAck);

/**
 * Linux tcp_ecn_create_request: a SYN with ECE and CWR gets ECN (ECE in the SYN-ACK) while
 * net.ipv4.tcp_ecn is on, unless its IP header is ECN-capable (RFC 3168 §6.1.1: a SYN must not
 * be), which a set AE bit overrides (AccECN: an ECT SYN may come through a re-marking path).
 */
function ecnAccepted(ctx: Context, syn: Extract<ClientSegment, { kind: 'syn' }>): boolean {
  if (syn.ecn === undefined || ctx.sysctl('net.ipv4.tcp_ecn') === 0) return false;
  return (syn.ipEcn ?? 'notEct') === 'notEct' || syn.ecn === 'accecn';
}

/**
 * The port once nobody listens (before listen() or after close()): RFC 9293 §3.10.7.1, and the
 * connections that remain; `listener`: the one that closed, whose requests may outlive it.
 */
export function closedListenPort(ctx: Context, clients: PortClients, listener: () => Listener | null) {
  const port = {
    receive(client: ClientId, segment: ClientSegment, now: Interval): void {
      const state = clients.get(client);
      if (state?.kind === 'established') return inEstablished(ctx, clients, state.connection, segment, now);
      if (segment.kind === 'fin') return withFin(clients, client, (s) => port.receive(client, s, now), now, ctx);
      if (state?.kind === 'synRcvd') return listener()!.orphaned(state.request, segment, now);
      if (state?.kind === 'fastOpenChild') return inFastOpenChild(ctx, clients, state.child, segment, now);
      const peer = { kind: 'client', client } as const;
      switch (segment.kind) {
        case 'syn':
          // SEG.LEN counts the SYN and its data (Linux tcp_v4_send_reset).
          return closedPortReset(ctx, peer, { seqEnd: clientIsn(client) + 1 + segment.data }, now);
        case 'ack':
          return closedPortReset(ctx, peer, { ack: clientsAck(ctx, client, state ?? null, segment.bad) }, now);
        case 'rst':
          return; // RFC 9293 §3.10.7.1: an RST to a closed port is discarded
        case 'icmpUnreachable':
          return ctx.drop(peer, now, RULES.icmpWithoutRequest);
      }
    },
  };
  return port;
}
