/**
 * Whether an action applies where a scenario has got to: decided here once, and consulted by the
 * suites' generators (which drop what does not apply), the executor and the model (which both
 * skip it). A scenario has one listening socket and one socket per connect(), closed at most once.
 */
import type { Action, ConnId } from './actions.ts';

export class ScenarioProgress {
  private listener: 'none' | 'open' | 'closed' = 'none';
  private readonly connected = new Set<ConnId>();
  private readonly closed = new Set<ConnId>();
  /** Which remote host each connection's peer is on: its own, or that of the earlier one it names. */
  private readonly hosts = new Map<ConnId, ConnId>();

  /** Whether the action applies now. */
  applies(action: Action): boolean {
    switch (action.kind) {
      case 'listen':
        return this.listener === 'none'; // one listening socket per scenario, on its one port
      case 'accept':
      case 'blockingAccept':
      case 'closeListener':
        return this.listener === 'open';
      case 'connect':
        // Another host's peer: one connected earlier in the scenario.
        return !this.connected.has(action.conn) && (action.sameHostAs === undefined || this.connected.has(action.sameHostAs));
      case 'answerSyn':
        // An answer needs the target's SYN; a FIN or an in-window RST answers its close().
        if (action.answer.kind === 'fin' || action.answer.kind === 'rstInWindow') return this.closed.has(action.conn);
        return this.connected.has(action.conn);
      case 'closeConnection':
        return this.connected.has(action.conn) && !this.closed.has(action.conn);
      case 'syn':
      case 'finalAck':
      case 'badAck':
      case 'rst':
      case 'clientFin':
      case 'closeAccepted':
      case 'clientUnreachable':
      case 'synToClosedPort':
      case 'ackToClosedPort':
      case 'wait':
      case 'sysctl':
        return true;
    }
  }

  /** The host a connection's remote peer is on, named by the first connection to it. */
  hostOf(conn: ConnId): ConnId {
    return this.hosts.get(conn) ?? conn;
  }

  /** Takes the action into account; returns whether it applied. */
  take(action: Action): boolean {
    if (!this.applies(action)) return false;
    if (action.kind === 'listen') this.listener = 'open';
    else if (action.kind === 'closeListener') this.listener = 'closed';
    else if (action.kind === 'connect') {
      this.connected.add(action.conn);
      this.hosts.set(action.conn, action.sameHostAs === undefined ? action.conn : this.hostOf(action.sameHostAs));
    }
    else if (action.kind === 'closeConnection') this.closed.add(action.conn);
    return true;
  }
}

/** The actions of a generated sequence that apply, in order: what a suite's scenario holds. */
export function applicable(actions: readonly Action[]): Action[] {
  const progress = new ScenarioProgress();
  return actions.filter((a) => progress.take(a));
}
