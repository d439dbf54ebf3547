/**
 * Where each named peer of a scenario lives on the wire. Every case gets fresh ports, so no
 * state a previous case left in the kernel (a request, a TIME-WAIT) can meet the next one.
 */
import { LAB_NETS, type LabNet } from '../lab/addresses.ts';
import type { ClientId, ConnId, Peer } from '../model/actions.ts';

export interface Endpoint {
  readonly addr: string;
  readonly port: number;
}

/**
 * Which addresses the harness's peers use. In a lab every peer has its own host in the lab's
 * client range (DESIGN.md "The lab"); toward a remote host they all share this machine's
 * address and differ by port.
 */
export type Addressing = { readonly kind: 'lab'; readonly net: LabNet } | { readonly kind: 'shared'; readonly addr: string };

/** Hosts of the client range: clients from 130, remote peers from 200, the probe at 250. */
const CLIENT_BASE = 130;
const REMOTE_BASE = 200;
const PROBE_HOST = 250;
/** Every host of the client range a peer may use: 60 clients, the remotes', the probe. */
export const PEER_HOSTS: readonly number[] = [...Array.from({ length: 60 }, (_, i) => CLIENT_BASE + i), ...Array.from({ length: PROBE_HOST - REMOTE_BASE }, (_, i) => REMOTE_BASE + i), PROBE_HOST];
/** Clients per case when they share one address: ports portBase .. portBase+7. */
const SHARED_CLIENTS = 8;
/** Nobody listens on the discard port in a target namespace: the closed port of every case. */
export const CLOSED_PORT = 9;

export class PeerMap {
  readonly listenPort: number;
  private readonly portBase: number;
  private probes = 0;
  /** The host of each remote peer (the connection that first reached it), where it is not its own. */
  private readonly hosts = new Map<ConnId, ConnId>();

  constructor(
    caseIndex: number,
    private readonly addressing: Addressing = { kind: 'lab', net: LAB_NETS[4] },
  ) {
    // 16 ports per case (8 clients, 4 remotes, 4 probes): they never repeat for 2500 cases.
    this.portBase = 20_000 + ((caseIndex * 16) % 40_000);
    this.listenPort = 10_000 + (caseIndex % 10_000);
  }

  private addr(host: number): string {
    return this.addressing.kind === 'lab' ? this.addressing.net.host(host) : this.addressing.addr;
  }

  client(client: ClientId): Endpoint {
    if (this.addressing.kind === 'shared' && client >= SHARED_CLIENTS) throw new RangeError(`at most ${SHARED_CLIENTS} clients share one address`);
    return { addr: this.addr(CLIENT_BASE + (client % 60)), port: this.portBase + (client % SHARED_CLIENTS) };
  }

  /** A remote peer lives on the host of an earlier connection (whose cached Fast Open cookie then applies). */
  setHost(conn: ConnId, host: ConnId): void {
    this.hosts.set(conn, host);
  }

  remote(conn: ConnId): Endpoint {
    return { addr: this.addr(REMOTE_BASE + ((this.hosts.get(conn) ?? conn) % 40)), port: this.portBase + 8 + (conn % 4) };
  }

  /** A fresh probe: the barrier's bare ACK to the closed port comes from here (its ack tells probes apart). */
  nextProbe(): { peer: Peer; endpoint: Endpoint } {
    const probe = this.probes++;
    return { peer: { kind: 'probe', probe }, endpoint: { addr: this.addr(PROBE_HOST), port: this.portBase + 12 + (probe % 4) } };
  }

  /** Which peer a target's packet to this address and port is for, if any. */
  peerOf(addr: string, port: number): Peer | null {
    const offset = port - this.portBase;
    if (offset < 0 || offset >= 16) return null;
    if (this.addressing.kind === 'shared') {
      if (addr !== this.addressing.addr) return null;
      return offset >= 12 ? { kind: 'probe', probe: -1 } : offset >= 8 ? { kind: 'remote', conn: offset - 8 } : { kind: 'client', client: offset };
    }
    const host = this.addressing.net.hostNumber(addr);
    if (host === null) return null;
    if (offset >= 12) return host === PROBE_HOST ? { kind: 'probe', probe: -1 } : null;
    // Remote peers differ by port (hosts may be shared).
    if (offset >= 8) return host >= REMOTE_BASE && host < PROBE_HOST ? { kind: 'remote', conn: offset - 8 } : null;
    const client = host - CLIENT_BASE;
    return client >= 0 && client < 60 && client % SHARED_CLIENTS === offset ? { kind: 'client', client } : null;
  }
}
