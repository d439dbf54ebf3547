/**
 * Runs scenarios on a real kernel: crafted segments go out through the raw link, socket calls
 * through the agent, and everything the target sends back is recorded with its time.
 *
 * "Nothing came back" is proven with a barrier rather than a sleep: after each step a probe
 * (a bare ACK to the closed port) goes out, and its RST, which the target sends only after it
 * has processed everything sent before, closes the step. A stack that answers segments from
 * concurrent workers (gVisor's netstack) may send the probe's RST before another socket's answer:
 * its target names a settling time the step waits on after the RST.
 */
import type { AgentClient } from '../agent/client.ts';
import type { SocketFeature } from '../agent/protocol.ts';
import type { Observation, SentSegment, SilenceProof } from '../diff/observation.ts';
import { describeSegment } from '../diff/describe.ts';
import { SETTINGS_SYSCTLS, settingsFrom, withConfig, type TargetSettings } from '../model/profiles.ts';
import { peerTsval, probeAck } from '../model/harness-numbers.ts';
import { wireVersion, type Action, type AddressFamily, type ClientId, type ConnId, type IcmpUnreachableCode, type Peer, type SynAnswer, type TimedAction, type Scenario } from '../model/actions.ts';
import type { CallResult, ConnectErrno, CounterName } from '../model/expectations.ts';
import { CLOSED_PORT, PeerMap, type Endpoint } from './peers.ts';
import type { FamilyAddresses, TargetAddresses } from '../target/target.ts';
import { type Execution, type RawPacket, type ScenarioExecutor } from './execution.ts';
import { answersProbe, probePacket } from './probe.ts';
import { ScenarioProgress } from '../model/preconditions.ts';
import { PeerConnection } from './peer-connection.ts';
import { craft, type Crafted } from './segments.ts';
import type { Wire } from './wire.ts';

/** Counters judged in every case (their deltas over the case). */
const COUNTERS: readonly CounterName[] = [
  'TcpExt.ListenOverflows',
  'TcpExt.ListenDrops',
  'TcpExt.TCPReqQFullDrop',
  'TcpExt.TCPReqQFullDoCookies',
  'TcpExt.SyncookiesSent',
  'TcpExt.EmbryonicRsts',
  'TcpExt.TCPChallengeACK',
  'TcpExt.TCPSynRetrans',
  'Tcp.ActiveOpens',
  'Tcp.PassiveOpens',
  'TcpExt.TCPFastOpenCookieReqd',
  'TcpExt.TCPFastOpenPassive',
  'TcpExt.TCPFastOpenPassiveFail',
  'TcpExt.TCPFastOpenActive',
  'TcpExt.TCPFastOpenActiveFail',
];

/**
 * Sysctls every case starts from, on top of the target's own: no route metrics, so no peer is ever
 * "proven"; no Fast Open blackhole detection, which would switch client Fast Open off for the
 * whole namespace after a case's timeouts (the default before Linux 5.13).
 */
const BASELINE: Readonly<Record<string, string>> = { 'net.ipv4.tcp_no_metrics_save': '1', 'net.ipv4.tcp_fastopen_blackhole_timeout_sec': '0' };

const BARRIER_TIMEOUT_MS = 200;

export interface WireTargetParts {
  readonly description: string;
  readonly agent: AgentClient;
  readonly wire: Wire;
  /** Per IP version: the target's address on the link, the tester's (ICMP errors come from it, the router on the path), the peers'. */
  readonly addresses: TargetAddresses;
  readonly mtu: number;
  /** The target's interface toward the tester is the project's (a lab's veth, a VM's NIC): a case may change its MTU. */
  readonly ownsLink: boolean;
  /** Target.barrierSettleMs. */
  readonly barrierSettleMs: number;
  /** Target.lacks. */
  readonly lacks: ReadonlySet<SocketFeature>;
}

/** The socket features a scenario's calls need. */
function featuresNeeded(scenario: Scenario): SocketFeature[] {
  return scenario.actions.flatMap((a): SocketFeature[] => {
    if (a.kind === 'connect') return [...(a.syncnt !== null ? (['TCP_SYNCNT'] as const) : []), ...(a.maxseg !== undefined ? (['TCP_MAXSEG'] as const) : []), ...(a.fastOpen !== undefined ? (['MSG_FASTOPEN'] as const) : [])];
    if (a.kind === 'listen') return [...(a.maxseg !== undefined ? (['TCP_MAXSEG'] as const) : []), ...(a.fastOpen !== undefined ? (['TCP_FASTOPEN'] as const) : [])];
    return [];
  });
}

/** How long a link may take to pass packets again after an MTU change (a NIC may reset itself). */
const LINK_WAIT_MS = 5_000;
/** How long the first probes may wait for neighbour discovery (a solicitation is resent after 1 s). */
const NEIGHBOUR_WAIT_MS = 2_000;

export async function wireExecutor(parts: WireTargetParts): Promise<ScenarioExecutor & { readonly settings: TargetSettings }> {
  const { agent, wire } = parts;
  await agent.reset();
  const live = await agent.sysctlGet([...SETTINGS_SYSCTLS, ...Object.keys(BASELINE)]);
  const settings = settingsFrom(live, parts.mtu);
  // Sysctls the target shows but will not take (another stack's fixed values): written back as
  // they are, once; a scenario that sets one cannot run there.
  const fixed = new Set<string>();
  for (const [name, value] of Object.entries(live)) await agent.sysctlSet(name, value).catch(() => fixed.add(name));
  await agent.reset();
  let caseIndex = 0;
  // The previous case changed the MTU: the reset restores it, and the link must be up again.
  let mtuChanged = false;
  // Closing the executor cuts short a case's waits: the run is ending, and nothing it waits for matters.
  let closed: () => void = () => undefined;
  const closing = new Promise<void>((resolve) => (closed = resolve));
  /**
   * Probes in these IP versions until the target answers, for at most `waitMs` each: neighbour
   * discovery done (IPv6's first solicitation may go unanswered for a second), the link up again
   * after an MTU change (below 1280 it also took IPv6 off the interface until the agent's reset).
   * A target that does not answer (its RSTs dropped) is no error here: its cases prove silence
   * by timeouts, and the diff judges what it does.
   */
  const linksUp = async (families: readonly AddressFamily[], waitMs: number): Promise<void> => {
    for (const family of families) {
      const addresses = parts.addresses[wireVersion(family)];
      if (addresses === undefined) continue;
      const run = new CaseRun(agent, wire, family, addresses, new PeerMap(caseIndex++, addresses.peers), parts.mtu, parts.barrierSettleMs, closing);
      try {
        await run.linkUp(waitMs);
      } finally {
        run.stop();
      }
    }
  };
  await linksUp(['ipv4', 'ipv6'], NEIGHBOUR_WAIT_MS);
  return {
    description: parts.description,
    settings,
    notApplicable(scenario: Scenario): string | null {
      const version = wireVersion(scenario.family ?? 'ipv4');
      if (parts.addresses[version] === undefined) return `the target has no IPv${version} address`;
      const missing = Object.keys(scenario.config).find((name) => !(name in live));
      if (missing !== undefined) return `the target has no ${missing}`;
      // A fixed sysctl asked for the value it has is no obstacle.
      const unsettable = Object.entries(scenario.config).find(([name, value]) => fixed.has(name) && String(value) !== live[name])?.[0] ?? (scenario.rmem && fixed.has('net.ipv4.tcp_rmem') ? 'net.ipv4.tcp_rmem' : undefined);
      if (unsettable !== undefined) return `the target's ${unsettable} cannot be set (it stays ${live[unsettable]})`;
      if (scenario.mtu !== undefined && !parts.ownsLink) return "the MTU of the target's interface is not the harness's to change (a remote host, a sandbox, a user-space stack)";
      const lacking = featuresNeeded(scenario).find((f) => parts.lacks.has(f));
      if (lacking !== undefined) return `the target's stack has no ${lacking}`;
      return null;
    },
    async execute(scenario: Scenario): Promise<Execution> {
      const family = scenario.family ?? 'ipv4';
      const addresses = parts.addresses[wireVersion(family)]!;
      const peers = new PeerMap(caseIndex++, addresses.peers);
      await agent.reset();
      if (mtuChanged) await linksUp([family], LINK_WAIT_MS);
      for (const [name, value] of Object.entries(BASELINE)) if (name in live && !fixed.has(name)) await agent.sysctlSet(name, value);
      for (const [name, value] of Object.entries(scenario.config)) if (!fixed.has(name)) await agent.sysctlSet(name, String(value));
      if (scenario.rmem) await agent.sysctlSet('net.ipv4.tcp_rmem', scenario.rmem.join('\t'));
      if (scenario.mtu !== undefined) await agent.setMtu(addresses.target, scenario.mtu);
      const run = new CaseRun(agent, wire, family, addresses, peers, scenario.mtu ?? parts.mtu, parts.barrierSettleMs, closing);
      if (scenario.mtu !== undefined) await run.linkUp(LINK_WAIT_MS);
      mtuChanged = scenario.mtu !== undefined;
      const before = await agent.counters();
      try {
        await run.perform(scenario.actions);
      } finally {
        run.stop();
      }
      const after = await agent.counters();
      const counters: Observation[] = COUNTERS.filter((name) => name in after).map((name) => ({ kind: 'counter', name, delta: after[name]! - (before[name] ?? 0) }));
      return {
        timed: run.timed,
        settings: withConfig(settings, scenario),
        observed: [...run.observed, ...counters],
        sent: run.sent,
        horizon: run.horizon,
        silence: run.silence,
        packets: run.packets,
      };
    },
    async close() {
      closed();
      await agent.reset();
    },
  };
}

/** One case in progress. */
class CaseRun {
  readonly timed: TimedAction[] = [];
  readonly observed: Observation[] = [];
  readonly sent: SentSegment[] = [];
  readonly packets: RawPacket[] = [];
  readonly silence: Record<SilenceProof, number> = { barrier: 0, timeout: 0 };
  horizon = 0;

  private readonly t0 = now();
  private readonly progress = new ScenarioProgress();
  private readonly connections = new Map<string, PeerConnection>();
  private stopped = false;
  private readonly connectFds = new Map<ConnId, number>();
  /** The socket accept() returned for each client. */
  private readonly acceptedFds = new Map<ClientId, number>();
  private listenerFd: number | null = null;
  private barrierWaiter: { ack: number; resolve: () => void } | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly agent: AgentClient,
    private readonly wire: Wire,
    private readonly family: AddressFamily,
    private readonly addresses: FamilyAddresses,
    private readonly peers: PeerMap,
    private readonly mtu: number,
    private readonly settleMs: number,
    private readonly closing: Promise<void>,
  ) {
    this.unsubscribe = wire.subscribe((p) => this.onPacket(p.at, p.bytes));
  }

  async perform(actions: readonly Action[]): Promise<void> {
    const { progress } = this;
    for (const [index, action] of actions.entries()) {
      this.timed.push({ at: this.elapsed(), action });
      if (progress.take(action)) await this.step(index, action);
      if (action.kind !== 'wait') await this.barrier();
    }
    await this.barrier();
    this.horizon = this.elapsed();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** What a socket call returned, now; a call that answers after the case ended belongs to no case. */
  private result(cause: number, result: CallResult): void {
    if (!this.stopped) this.observed.push({ kind: 'result', cause, at: this.elapsed(), result });
  }

  private elapsed(): number {
    return now() - this.t0;
  }

  private async step(index: number, action: Action): Promise<void> {
    const { peers } = this;
    switch (action.kind) {
      case 'listen': {
        const reply = await this.agent.listen({ port: peers.listenPort, backlog: action.backlog, ...LISTEN_ADDRESS[this.family], ...(action.maxseg === undefined ? {} : { maxseg: action.maxseg }), ...(action.fastOpen === undefined ? {} : { fastopen: action.fastOpen }) });
        this.listenerFd = reply.fd;
        this.result(index, { call: 'listen', ok: true });
        return;
      }
      // accept() and close() apply only to an open listener (model/preconditions.ts).
      case 'accept': {
        const reply = await this.agent.accept({ fd: this.listenerFd!, max: action.max, timeout_ms: 0 });
        this.result(index, { call: 'accept', accepted: this.acceptedClients(reply.accepted) });
        return;
      }
      case 'blockingAccept':
        // It returns whenever a connection comes or the wait runs out; the case goes on meanwhile.
        void this.agent.accept({ fd: this.listenerFd!, max: 1, timeout_ms: action.timeoutMs }).then(
          (reply) => this.result(index, { call: 'accept', accepted: this.acceptedClients(reply.accepted) }),
          () => undefined, // cancelled by the next case's reset
        );
        return;
      case 'closeListener':
        await this.agent.close({ fd: this.listenerFd! });
        this.listenerFd = null;
        return;
      case 'closeAccepted': {
        const fd = this.acceptedFds.get(action.client);
        if (fd !== undefined) await this.agent.close({ fd });
        this.acceptedFds.delete(action.client);
        return;
      }
      case 'syn':
        return this.sendFromClient(index, action.client, peers.listenPort, this.connection({ kind: 'client', client: action.client }).clientSyn(action));
      case 'finalAck':
      case 'badAck':
        return this.sendFromClient(index, action.client, peers.listenPort, this.connection({ kind: 'client', client: action.client }).clientAck(action.client, action.kind === 'badAck'));
      case 'rst':
        return this.sendFromClient(index, action.client, peers.listenPort, this.connection({ kind: 'client', client: action.client }).clientRst(action.client));
      case 'clientFin':
        return this.sendFromClient(index, action.client, peers.listenPort, this.connection({ kind: 'client', client: action.client }).clientFin(action.client));
      case 'clientUnreachable':
        return this.unreachable({ kind: 'client', client: action.client }, action.code);
      case 'synToClosedPort':
        return this.sendFromClient(index, action.client, CLOSED_PORT, this.connection({ kind: 'client', client: action.client }).closedPortSyn(action.client));
      case 'ackToClosedPort':
        return this.sendFromClient(index, action.client, CLOSED_PORT, this.connection({ kind: 'client', client: action.client }).closedPortAck(action.client));
      case 'connect':
        return this.connect(index, action);
      case 'answerSyn':
        return this.answer(index, action.conn, action.answer);
      case 'wait':
        await Promise.race([sleep(action.ms), this.closing]);
        return;
      case 'closeConnection':
        // The agent cancels the connect()'s wait: no result comes after this.
        await this.agent.close({ fd: this.connectFds.get(action.conn)! });
        return;
      case 'sysctl':
        await this.agent.sysctlSet(action.name, String(action.value));
        return;
    }
  }

  private async connect(index: number, { conn, syncnt, maxseg, fastOpen }: Extract<Action, { kind: 'connect' }>): Promise<void> {
    this.peers.setHost(conn, this.progress.hostOf(conn));
    const remote = this.peers.remote(conn);
    const reply = await this.agent.connect({ addr: this.family === 'ipv4-mapped' ? `::ffff:${remote.addr}` : remote.addr, port: remote.port, nonblocking: true, ...(syncnt === null ? {} : { syncnt }), ...(maxseg === undefined ? {} : { maxseg }), ...(fastOpen === undefined ? {} : { fastopen: fastOpen }) });
    this.connectFds.set(conn, reply.fd);
    if (reply.errno !== 'EINPROGRESS') {
      this.result(index, { call: 'connect', errno: connectErrno(reply.errno) });
      return;
    }
    if (fastOpen !== undefined) this.result(index, { call: 'sendto', sent: reply.sent ?? 0 });
    // The result comes whenever the kernel decides; the case goes on meanwhile.
    void this.agent.connectWait({ fd: reply.fd, timeout_ms: 600_000 }).then(
      (done) => {
        if (done.errno !== 'EINPROGRESS') this.result(index, { call: 'connect', errno: connectErrno(done.errno) });
      },
      () => undefined, // cancelled by the next case's reset
    );
  }

  private async answer(index: number, conn: ConnId, answer: SynAnswer): Promise<void> {
    const peer: Peer = { kind: 'remote', conn };
    const connection = this.connection(peer);
    if (answer.kind === 'icmpUnreachable') return this.unreachable(peer, answer.code);
    if (answer.kind === 'packetTooBig') return this.sendIcmp(craft.icmpPacketTooBig({ src: this.addresses.tester, dst: this.addresses.target, mtu: this.mtu, quoting: connection.synPacket ?? new Uint8Array(0) }));
    return this.send(index, peer, this.peers.remote(conn), { addr: this.addresses.target, port: connection.targetPort }, connection.remoteAnswer(conn, answer));
  }

  /**
   * A router on the path to the peer (the tester) reports the target's latest SYN (or SYN-ACK)
   * to it undeliverable. Fragmentation-needed names the link's own MTU: a lower one would be
   * cached for the destination and shrink the MSS of later cases (their state must not leak).
   */
  private unreachable(peer: Peer, code: IcmpUnreachableCode): Promise<void> {
    return this.sendIcmp(craft.icmpUnreachable({ src: this.addresses.tester, dst: this.addresses.target, code, quoting: this.connection(peer).synPacket ?? new Uint8Array(0), nextHopMtu: this.mtu }));
  }

  private async sendIcmp(bytes: Uint8Array): Promise<void> {
    const at = await this.wire.send(bytes);
    this.packets.push({ at, bytes });
  }

  /** The harness's side of a peer's connection in this case, made on first use. */
  private connection(peer: Peer): PeerConnection {
    let connection = this.connections.get(key(peer));
    if (!connection) this.connections.set(key(peer), (connection = new PeerConnection()));
    return connection;
  }

  private sendFromClient(index: number, client: ClientId, dstPort: number, segment: Crafted): Promise<void> {
    return this.send(index, { kind: 'client', client }, this.peers.client(client), { addr: this.addresses.target, port: dstPort }, segment);
  }

  private async send(index: number, from: Peer, src: Endpoint, dst: Endpoint, segment: Crafted): Promise<void> {
    const tsval = peerTsval(from);
    const bytes = craft.tcp(src, dst, segment, tsval);
    const at = await this.wire.send(bytes);
    this.packets.push({ at, bytes });
    const fields = craft.decode(bytes)?.tcp;
    if (fields) this.sent.push({ from, at: at - this.t0, cause: index, segment: fields, description: describeSegment(fields) });
  }

  /** Sends a probe and waits for its RST: everything the target sent before that has arrived. */
  private async barrier(): Promise<void> {
    this.silence[(await this.probe()) ? 'barrier' : 'timeout']++;
    if (this.settleMs > 0) await sleep(this.settleMs);
  }

  /** Probes until the target answers, for at most `waitMs`: whether it did. */
  async linkUp(waitMs: number): Promise<boolean> {
    const deadline = now() + waitMs;
    while (now() <= deadline) if (await this.probe()) return true;
    return false;
  }

  /** One probe: whether its RST came within the barrier's timeout. */
  private async probe(): Promise<boolean> {
    const { peer, endpoint } = this.peers.nextProbe();
    const ack = probeAck(peer.kind === 'probe' ? peer.probe : 0);
    const arrived = new Promise<void>((resolve) => (this.barrierWaiter = { ack, resolve }));
    const bytes = probePacket(endpoint, this.addresses.target, ack);
    const at = await this.wire.send(bytes);
    this.packets.push({ at, bytes });
    const proven = await Promise.race([arrived.then(() => true), sleep(BARRIER_TIMEOUT_MS).then(() => false)]);
    this.barrierWaiter = null;
    return proven;
  }

  private onPacket(at: number, bytes: Uint8Array): void {
    this.packets.push({ at, bytes });
    const decoded = craft.decode(bytes);
    if (decoded === null || decoded.src !== this.addresses.target) return;
    const peer = this.peers.peerOf(decoded.dst, decoded.dstPort);
    if (peer === null) return;
    if (peer.kind === 'probe') {
      if (decoded.tcp && this.barrierWaiter && answersProbe(decoded.tcp, this.barrierWaiter.ack)) this.barrierWaiter.resolve();
      return;
    }
    const t = at - this.t0;
    if (decoded.tcp === null) {
      this.observed.push({ kind: 'icmp', to: peer, at: t, summary: decoded.summary });
      return;
    }
    const segment = decoded.tcp;
    this.observed.push({ kind: 'segment', to: peer, at: t, segment });
    this.connection(peer).heard(segment, bytes, decoded.srcPort);
  }

  /** The clients accept() returned, remembering their sockets for closeAccepted. */
  private acceptedClients(accepted: ReadonlyArray<{ fd: number; peer: string }>): ClientId[] {
    const clients: ClientId[] = [];
    for (const a of accepted) {
      const client = this.clientAt(a.peer);
      if (client === null) continue;
      this.acceptedFds.set(client, a.fd);
      clients.push(client);
    }
    return clients;
  }

  /** A peer as accept() names it: "a.b.c.d:port" or "[v6]:port", an IPv4-mapped one as its IPv4 address. */
  private clientAt(address: string): ClientId | null {
    const split = /^\[?(.*?)\]?:(\d+)$/.exec(address);
    if (split === null) return null;
    const peer = this.peers.peerOf(split[1]!.replace(/^::ffff:(?=\d+\.)/, ''), Number(split[2]));
    return peer?.kind === 'client' ? peer.client : null;
  }
}

/**
 * Where the listener binds: IPv4's any address; IPv6's, IPv6 only; or IPv6's taking IPv4 too,
 * whose connections then have IPv4-mapped addresses (RFC 3493 §5.3).
 */
const LISTEN_ADDRESS: Readonly<Record<AddressFamily, { addr?: string; v6only?: boolean }>> = {
  ipv4: {},
  ipv6: { addr: '::', v6only: true },
  'ipv4-mapped': { addr: '::', v6only: false },
};

function key(peer: Peer): string {
  return peer.kind === 'client' ? `c${peer.client}` : peer.kind === 'remote' ? `r${peer.conn}` : `p${peer.probe}`;
}

/** The agent names errnos as the kernel gives them; the model's vocabulary covers those connect() can give. */
const connectErrno = (errno: string | null): ConnectErrno | null => errno as ConnectErrno | null;

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
