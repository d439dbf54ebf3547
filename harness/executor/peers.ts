/**
 * Where each named peer of a scenario lives on the wire. Every case gets fresh ports, so no
 * state a previous case left in the kernel (a request, a TIME-WAIT) can meet the next one.
 */
import type { ClientId, ConnId, Peer } from '../model/scenario.ts';

export interface Endpoint {
  readonly addr: string;
  readonly port: number;
}

/** The lab's client range is 10.77.0.128/25 (DESIGN.md "The lab"). */
const CLIENT_BASE = 130;
const REMOTE_BASE = 200;
const PROBE_ADDR = '10.77.0.250';
/** Nobody listens on the discard port in a target namespace: the closed port of every case. */
export const CLOSED_PORT = 9;

export class PeerMap {
  readonly listenPort: number;
  private readonly portBase: number;
  private probes = 0;

  constructor(caseIndex: number) {
    // 16 ports per case: clients, remotes' listening ports and probes never repeat for 2500 cases.
    this.portBase = 20_000 + ((caseIndex * 16) % 40_000);
    this.listenPort = 10_000 + (caseIndex % 10_000);
  }

  client(client: ClientId): Endpoint {
    return { addr: `10.77.0.${CLIENT_BASE + (client % 60)}`, port: this.portBase + (client % 8) };
  }

  remote(conn: ConnId): Endpoint {
    return { addr: `10.77.0.${REMOTE_BASE + (conn % 40)}`, port: this.portBase + 8 + (conn % 4) };
  }

  /** A fresh probe endpoint: the barrier's bare ACK to the closed port comes from here. */
  nextProbe(): { peer: Peer; endpoint: Endpoint } {
    const probe = this.probes++;
    return { peer: { kind: 'probe', probe }, endpoint: { addr: PROBE_ADDR, port: 40_000 + ((this.portBase + probe) % 25_000) } };
  }

  /** Which peer a target's packet to this address and port is for, if any. */
  peerOf(addr: string, port: number): Peer | null {
    const last = Number(addr.split('.')[3]);
    if (!addr.startsWith('10.77.0.')) return null;
    if (addr === PROBE_ADDR) return { kind: 'probe', probe: -1 };
    if (last >= REMOTE_BASE && port >= this.portBase + 8 && port < this.portBase + 12) return { kind: 'remote', conn: last - REMOTE_BASE };
    if (last >= CLIENT_BASE && last < CLIENT_BASE + 60 && port >= this.portBase && port < this.portBase + 8) {
      const client = last - CLIENT_BASE;
      return client % 8 === port - this.portBase ? { kind: 'client', client } : null;
    }
    return null;
  }
}
