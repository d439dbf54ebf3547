/** The agent's requests and replies (DESIGN.md "Agent protocol"), op by op. */

export interface Requests {
  listen: { port: number; backlog: number; addr?: string; v6only?: boolean; reuseaddr?: boolean; maxseg?: number; fastopen?: number };
  accept: { fd: number; max: number; timeout_ms: number };
  connect: { addr: string; port: number; syncnt?: number; timeout_ms?: number; nonblocking?: boolean; bind_port?: number; maxseg?: number; fastopen?: number };
  connect_wait: { fd: number; timeout_ms: number };
  close: { fd: number; abortive?: boolean };
  sysctl_get: { names: string[] };
  sysctl_set: { name: string; value: string };
  set_mtu: { addr: string; mtu: number };
  sockets: { port?: number };
  counters: Record<string, never>;
  reset: Record<string, never>;
  info: Record<string, never>;
}

export interface ConnectOutcome {
  fd: number;
  /** null: connected; 'EINPROGRESS': still connecting when the reply was due; else why it failed. */
  errno: string | null;
  in_progress?: boolean;
  elapsed_ms: number;
  local?: string;
  /** With `fastopen`: the bytes sendto(MSG_FASTOPEN) put in the SYN (0: it sent a cookie request, or nothing). */
  sent?: number;
}

export interface SocketRow {
  state: string;
  local: string;
  remote: string;
  recv_q: number;
  send_q: number;
}

export interface Replies {
  listen: { fd: number };
  accept: { accepted: Array<{ fd: number; peer: string }> };
  connect: ConnectOutcome;
  connect_wait: ConnectOutcome;
  close: Record<string, never>;
  sysctl_get: { values: Record<string, string> };
  sysctl_set: { previous: string };
  set_mtu: { previous: number };
  sockets: { sockets: SocketRow[] };
  counters: { counters: Record<string, number> };
  reset: Record<string, never>;
  info: { kernel: string; hostname: string };
}

export type Op = keyof Requests;

/** Socket features a stack may lack (the agent's ready line lists them): TCP_SYNCNT and TCP_MAXSEG before connect() or listen(), TCP_FASTOPEN on a listener, sendto(MSG_FASTOPEN). */
export const SOCKET_FEATURES = ['TCP_SYNCNT', 'TCP_MAXSEG', 'TCP_FASTOPEN', 'MSG_FASTOPEN'] as const;
export type SocketFeature = (typeof SOCKET_FEATURES)[number];
