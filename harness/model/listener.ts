/**
 * A listening socket: its SYN queue (requests in SYN_RCVD) and accept queue (established
 * connections not yet accepted), and the connections accept() handed out. One place for the
 * whole passive open, each rule beside the code that enforces it.
 */
import type { Context, Timer } from './context.ts';
import { RULES } from './rules.ts';
import { badAckOffset, clientIsn, peerTsval } from './harness-numbers.ts';
import type { ClientId, SynOptions } from './actions.ts';
import type { Interval, RuleRef } from './expectations.ts';
import { closedPortReset } from './closed-port.ts';
import { challengeAck, oowRateLimited } from './out-of-window.ts';
import { ackOf, fromEstablished, negotiate, rstForAck, synAck, type Names, type Negotiated } from './segments.ts';
import { after, response } from './time.ts';

const TCP_TIMEOUT_INIT = 1000;
const TCP_RTO_MAX = 120_000;

/** A request socket in SYN_RCVD. */
interface Request {
  readonly client: ClientId;
  readonly options: Negotiated;
  readonly names: Names;
  numTimeout: number;
  /** The final ACK came while the accept queue was full and was dropped (tcp_abort_on_overflow 0). */
  acked: boolean;
  /** When the last out-of-window answer (a SYN-ACK for a duplicate SYN) went out. */
  lastOow: number | null;
  timer: Timer;
}

/** An established connection of this port, queued or accepted. */
export interface Connection {
  readonly client: ClientId;
  readonly names: Names;
  readonly timestamps: boolean;
  /** Reset by the client: gone from the connection table, still returned by accept(). */
  reset: boolean;
  lastOow: number | null;
  /** Completed from a request in the SYN queue, or from a SYN cookie. */
  readonly via: 'request' | 'cookie';
}

export class Listener {
  private readonly requests = new Map<ClientId, Request>();
  private readonly acceptQueue: Connection[] = [];
  private readonly cookies = new Map<ClientId, { names: Names; options: Negotiated }>();
  /** Clients whose request expired: their late ACK meets the listener. */
  private readonly expired = new Set<ClientId>();
  /** listen()'s backlog after the somaxconn cap (sk_max_ack_backlog). */
  readonly max: number;
  open = true;

  constructor(
    private readonly ctx: Context,
    backlog: number,
    /** Connections of this port by client, shared with the scenario (they outlive the listener). */
    private readonly connections: Map<ClientId, Connection>,
  ) {
    // Linux __sys_listen (and BSD solisten): `(unsigned int)backlog > somaxconn` takes somaxconn, so listen(-1) asks for the most.
    const somaxconn = ctx.sysctl('net.core.somaxconn');
    this.max = backlog < 0 || backlog > somaxconn ? somaxconn : backlog;
  }

  get synQueueLength(): number {
    return this.requests.size;
  }
  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  /** Linux sk_acceptq_is_full: `len > max`, so listen(N) holds N+1; BSD and the strict reading: `len >= max`. */
  private acceptQueueFull(): boolean {
    return this.ctx.profile.flags.acceptQueueAdmitsBacklogPlusOne ? this.acceptQueue.length > this.max : this.acceptQueue.length >= this.max;
  }

  /** Linux inet_csk_reqsk_queue_is_full: `>=` until 2025, then `>` (so listen(0) takes one SYN). */
  private synQueueFull(): boolean {
    return this.ctx.profile.flags.synQueueFullInclusive ? this.requests.size >= this.max : this.requests.size > this.max;
  }

  syn(client: ClientId, offer: SynOptions, now: Interval): void {
    const { ctx } = this;
    const peer = { kind: 'client', client } as const;
    const request = this.requests.get(client);
    if (request) return this.duplicateSyn(request, now);
    const connection = this.connections.get(client);
    if (connection && !connection.reset) return synOnConnection(ctx, connection, now);

    if (ctx.profile.flags.queuesShareBacklog) {
      // The article (BSD): both queues together never exceed the backlog; a SYN beyond is ignored.
      if (this.requests.size + this.acceptQueue.length >= this.max) return ctx.drop(peer, now, RULES.sharedBacklog);
      return this.newRequest(client, negotiate(offer, ctx.settings), now);
    }
    const syncookies = ctx.sysctl('net.ipv4.tcp_syncookies');
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
    if (!wantCookie && syncookies === 0 && maxSynBacklog - this.requests.size < maxSynBacklog >> 2) {
      ctx.count('TcpExt.ListenDrops', RULES.synBacklogQuarter);
      return ctx.drop(peer, now, RULES.synBacklogQuarter);
    }
    const negotiated = negotiate(offer, ctx.settings);
    if (!wantCookie) return this.newRequest(client, negotiated, now);
    // A cookie encodes WS and SACK in the TSval; without timestamps they are lost.
    const options = negotiated.timestamps ? negotiated : { sack: false, timestamps: false, windowScale: false };
    const names = ctx.newNames(client);
    ctx.count('TcpExt.SyncookiesSent', RULES.cookie);
    ctx.send(peer, synAck(ctx.settings, client, options, names), response(now), RULES.cookie);
    this.cookies.set(client, { names, options });
  }

  private newRequest(client: ClientId, options: Negotiated, now: Interval): void {
    const names = this.ctx.newNames(client);
    this.ctx.send({ kind: 'client', client }, synAck(this.ctx.settings, client, options, names), response(now), RULES.synAck);
    const request: Request = { client, options, names, numTimeout: 0, acked: false, lastOow: null, timer: undefined as unknown as Timer };
    request.timer = this.ctx.arm(after(now, TCP_TIMEOUT_INIT), (at) => this.requestTimer(request, at));
    this.requests.set(client, request);
  }

  /** Linux tcp_check_req: a retransmitted SYN gets the SYN-ACK again and re-arms the timer. */
  private duplicateSyn(request: Request, now: Interval): void {
    if (oowRateLimited(request, now)) return this.ctx.drop({ kind: 'client', client: request.client }, now, RULES.oowRateLimited);
    this.ctx.send({ kind: 'client', client: request.client }, synAck(this.ctx.settings, request.client, request.options, request.names), response(now), RULES.duplicateSyn);
    request.timer.cancelled = true;
    request.timer = this.ctx.arm(after(now, Math.min(TCP_TIMEOUT_INIT << request.numTimeout, TCP_RTO_MAX)), (at) => this.requestTimer(request, at));
  }

  /** Linux reqsk_timer_handler: retransmit the SYN-ACK, or give the request up. */
  private requestTimer(request: Request, at: Interval): void {
    const { ctx } = this;
    if (!this.open) return void this.requests.delete(request.client);
    let retries = ctx.sysctl('net.ipv4.tcp_synack_retries');
    // Half the queue is kept for young requests: old ones lose retries when the queue is loaded.
    const qlen = this.requests.size;
    if (qlen << 1 > Math.max(8, this.max)) {
      let young = this.youngRequests() << 1;
      while (retries > 2 && qlen >= young) {
        retries--;
        young <<= 1;
      }
    }
    if (request.numTimeout >= retries) {
      this.requests.delete(request.client);
      this.expired.add(request.client);
      return;
    }
    ctx.send({ kind: 'client', client: request.client }, synAck(ctx.settings, request.client, request.options, request.names), at, RULES.synAckRetransmit);
    request.numTimeout++;
    request.timer = ctx.arm(after(at, Math.min(TCP_TIMEOUT_INIT << request.numTimeout, TCP_RTO_MAX)), (next) => this.requestTimer(request, next));
  }

  finalAck(client: ClientId, now: Interval): void {
    const { ctx } = this;
    const request = this.requests.get(client);
    const cookie = this.cookies.get(client);
    const peer = { kind: 'client', client } as const;
    if (request && !ctx.profile.flags.queuesShareBacklog && this.acceptQueueFull()) {
      this.countOverflow(RULES.acceptQueueFullAck);
      if (ctx.sysctl('net.ipv4.tcp_abort_on_overflow') === 0) {
        request.acked = true;
        return ctx.drop(peer, now, RULES.acceptQueueFullAck);
      }
      ctx.send(peer, rstForAck(ackOf(request.names.isn, 0)), response(now), RULES.acceptQueueFullAck);
      ctx.count('TcpExt.EmbryonicRsts', RULES.acceptQueueFullAck);
      return this.dropRequest(request);
    }
    if (request) {
      this.dropRequest(request);
      return this.establish(client, request.names, request.options.timestamps, 'request');
    }
    if (cookie && ctx.sysctl('net.ipv4.tcp_syncookies') !== 0) {
      this.cookies.delete(client);
      if (this.acceptQueueFull()) {
        // cookie_v4_check: the child cannot be queued; the ACK is dropped, no RST.
        this.countOverflow(RULES.cookieAck);
        return ctx.drop(peer, now, RULES.cookieAck);
      }
      // A cookie's TSval encodes options, not the clock: the connection's own TSvals start afresh.
      const names: Names = { isn: cookie.names.isn, tsval: `${cookie.names.tsval}:clock` };
      return this.establish(client, names, cookie.options.timestamps, 'cookie');
    }
    const connection = this.connections.get(client);
    if (connection && !connection.reset) return ctx.drop(peer, now, RULES.duplicateAck);
    ctx.send(peer, rstForAck(ackOf(ctx.latestSynAck.get(client)?.isn ?? null, 0)), response(now), this.expired.has(client) ? RULES.requestExpired : RULES.ackToListener);
  }

  badAck(client: ClientId, now: Interval): void {
    const connection = this.connections.get(client);
    // An ACK of data never sent, on an established connection: dropped (RFC 9293 §3.10.7.4), or
    // since 6.18 (measured) answered with a challenge ACK (RFC 5961 §5.2).
    if (!this.requests.has(client) && connection && !connection.reset) return unsentDataAck(this.ctx, connection, now);
    // In SYN_RCVD Linux hands the segment to the listener, which resets it; the request lives on.
    const rule = this.requests.has(client) ? RULES.badAck : RULES.ackToListener;
    this.ctx.send({ kind: 'client', client }, rstForAck(ackOf(this.ctx.latestSynAck.get(client)?.isn ?? null, badAckOffset)), response(now), rule);
  }

  rst(client: ClientId): void {
    const request = this.requests.get(client);
    if (request) {
      this.ctx.count('TcpExt.EmbryonicRsts', RULES.rstInSynRcvd);
      return this.dropRequest(request);
    }
    const connection = this.connections.get(client);
    if (connection) connection.reset = true;
  }

  accept(max: number, now: Interval): void {
    const taken = this.acceptQueue.splice(0, Math.max(0, max));
    // Cite what made this result special: a reset connection still returned, or one from a cookie.
    const rule = taken.some((c) => c.reset) ? RULES.rstEstablished : taken.some((c) => c.via === 'cookie') ? RULES.cookieAck : RULES.accept;
    this.ctx.result({ call: 'accept', accepted: taken.map((c) => c.client) }, response(now), rule);
  }

  /** close(): queued connections are reset (tcp_disconnect), requests die when their timer next fires. */
  close(now: Interval): void {
    this.open = false;
    for (const connection of this.acceptQueue.splice(0)) {
      this.connections.delete(connection.client);
      if (connection.reset) continue;
      const tsecr = peerTsval({ kind: 'client', client: connection.client });
      this.ctx.send({ kind: 'client', client: connection.client }, fromEstablished(['RST', 'ACK'], connection.names, clientIsn(connection.client) + 1, connection.timestamps, tsecr), response(now), RULES.listenerClosed);
    }
    for (const request of this.requests.values()) request.timer.cancelled = true;
    this.requests.clear();
    this.cookies.clear();
  }

  /** Requests that never timed out (the kernel's "young" count). */
  private youngRequests(): number {
    let young = 0;
    for (const r of this.requests.values()) if (r.numTimeout === 0) young++;
    return young;
  }

  /** Linux counts every accept-queue overflow twice: ListenOverflows, and ListenDrops (tcp_listendrop). */
  private countOverflow(rule: RuleRef): void {
    this.ctx.count('TcpExt.ListenOverflows', rule);
    this.ctx.count('TcpExt.ListenDrops', rule);
  }

  private dropRequest(request: Request): void {
    request.timer.cancelled = true;
    this.requests.delete(request.client);
  }

  private establish(client: ClientId, names: Names, timestamps: boolean, via: Connection['via']): void {
    this.expired.delete(client);
    const connection: Connection = { client, names, timestamps, reset: false, lastOow: null, via };
    this.acceptQueue.push(connection);
    this.connections.set(client, connection);
  }
}

/** A SYN on a connection of this port: a challenge ACK acknowledging what it has (RFC 5961 §4). */
function synOnConnection(ctx: Context, connection: Connection, now: Interval): void {
  challengeAck(ctx, { kind: 'client', client: connection.client }, connection, clientIsn(connection.client) + 1, now);
}

/** An ACK of data never sent: dropped (RFC 9293 §3.10.7.4), or since 6.18 (measured) a challenge ACK (RFC 5961 §5.2). */
function unsentDataAck(ctx: Context, connection: Connection, now: Interval): void {
  if (ctx.profile.flags.challengeAckForUnsentData) synOnConnection(ctx, connection, now);
  else ctx.drop({ kind: 'client', client: connection.client }, now, RULES.unsentDataDropped);
}

/** Segments to the port once nobody listens: RFC 9293 §3.10.7.1, and the connections that remain. */
export function closedListenPort(ctx: Context, connections: Map<ClientId, Connection>) {
  return {
    syn(client: ClientId, now: Interval): void {
      const connection = connections.get(client);
      if (connection && !connection.reset) return synOnConnection(ctx, connection, now);
      closedPortReset(ctx, { kind: 'client', client }, { seqEnd: clientIsn(client) + 1 }, now);
    },
    ack(client: ClientId, offset: number, now: Interval): void {
      const connection = connections.get(client);
      if (connection && !connection.reset) return offset === 0 ? ctx.drop({ kind: 'client', client }, now, RULES.duplicateAck) : unsentDataAck(ctx, connection, now);
      closedPortReset(ctx, { kind: 'client', client }, { ack: ackOf(ctx.latestSynAck.get(client)?.isn ?? null, offset) }, now);
    },
    rst(client: ClientId): void {
      const connection = connections.get(client);
      if (connection) connection.reset = true;
    },
  };
}
