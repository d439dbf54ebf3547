/**
 * A counterexample as a packetdrill script, from the target's side: `<` is a segment the
 * harness sent, `>` one the kernel is expected to send (as observed), syscalls as the agent
 * made them. packetdrill has one remote peer: the first peer is the script's, the others'
 * segments stay as comments.
 */
import { describeAction } from '../diff/describe.ts';
import { flagString } from '../packet/packet.ts';
import type { SegmentFields } from '../diff/observation.ts';
import { clientIsn, remoteIsn, type Action, type Peer } from '../model/scenario.ts';
import type { Counterexample } from './schema.ts';

/** packetdrill writes flags as tcpdump does ("S.", ".", "R"). */
const flags = (s: SegmentFields): string => flagString(s.flags);

function options(s: SegmentFields): string {
  const o = s.options;
  const parts = [
    o.mss === null ? null : `mss ${o.mss}`,
    o.sackPermitted ? 'sackOK' : null,
    o.timestamps ? `TS val ${o.timestamps.tsval} ecr ${o.timestamps.tsecr}` : null,
    o.windowScale === null ? null : `nop,wscale ${o.windowScale}`,
  ].filter((p) => p !== null);
  return parts.length ? ` <${parts.join(',')}>` : '';
}

function key(p: Peer): string {
  return p.kind === 'client' ? `c${p.client}` : p.kind === 'remote' ? `r${p.conn}` : `p${p.probe}`;
}

function peerIsn(p: Peer): number {
  return p.kind === 'client' ? clientIsn(p.client) : p.kind === 'remote' ? remoteIsn(p.conn) : 0;
}

export function packetdrillScript(c: Counterexample): string {
  const first = c.sent[0]?.from ?? c.observed.find((o) => o.kind === 'segment')?.to ?? null;
  const primary = first ? key(first) : null;
  // The kernel's ISN per peer: the first SYN it sent them.
  const kernelIsn = new Map<string, number>();
  for (const o of c.observed) if (o.kind === 'segment' && o.segment.flags.includes('SYN') && !kernelIsn.has(key(o.to))) kernelIsn.set(key(o.to), o.segment.seq);
  const rel = (n: number, base: number | undefined): number => (base === undefined ? n : (n - base) >>> 0);

  type Line = { at: number; text: string; peer: string | null };
  const lines: Line[] = [];
  c.actions.forEach(({ at, action }) => lines.push(...syscall(action, at)));
  for (const s of c.sent) {
    const p = key(s.from);
    const seq = rel(s.segment.seq, peerIsn(s.from));
    const ack = s.segment.flags.includes('ACK') ? ` ack ${rel(s.segment.ack, kernelIsn.get(p))}` : '';
    lines.push({ at: s.at, peer: p, text: `< ${flags(s.segment)} ${seq}:${seq}(0)${ack} win ${s.segment.window}${options(s.segment)}` });
  }
  for (const o of c.observed) {
    if (o.kind !== 'segment') continue;
    const p = key(o.to);
    const seq = rel(o.segment.seq, kernelIsn.get(p));
    const ack = o.segment.flags.includes('ACK') ? ` ack ${rel(o.segment.ack, peerIsn(o.to))}` : '';
    lines.push({ at: o.at, peer: p, text: `> ${flags(o.segment)} ${seq}:${seq}(0)${ack} win ${o.segment.window}${options(o.segment)}` });
  }
  lines.sort((a, b) => a.at - b.at);

  const header = [
    `// tcpconform counterexample ${c.id} (seed ${c.seed}, path ${c.path})`,
    `// replay: ${c.replayCommand}`,
    '// Outbound lines are what the kernel did (observed); the deviations from the model:',
    ...c.deviations.map((d) => `//   ${d.message}`),
    `// packetdrill scripts have one remote peer: ${primary ?? 'none'} here; other peers' segments are comments.`,
    ...Object.entries(configOf(c.actions)).map(([name, value]) => `\`sysctl -q ${name}=${value}\``),
    '',
  ];
  let last = 0;
  const body = lines.map((l) => {
    const delta = Math.max(0, l.at - last) / 1000;
    last = Math.max(last, l.at);
    const time = `+${delta.toFixed(3)}`;
    return l.peer !== null && l.peer !== primary ? `// ${time} [${l.peer}] ${l.text}` : `${time} ${l.text}`;
  });
  return `${[...header, ...body].join('\n')}\n`;
}

/** Sysctls set as actions show up as shell lines at the top (they were the case's config). */
function configOf(actions: Counterexample['actions']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { action } of actions) if (action.kind === 'sysctl') out[action.name] = action.value;
  return out;
}

function syscall(action: Action, at: number): Array<{ at: number; text: string; peer: string | null }> {
  const line = (text: string) => ({ at, text, peer: null });
  switch (action.kind) {
    case 'listen':
      return [line('socket(..., SOCK_STREAM, IPPROTO_TCP) = 3'), line('setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0'), line('bind(3, ..., ...) = 0'), line(`listen(3, ${action.backlog}) = 0`)];
    case 'accept':
      return [line(`// accept up to ${action.max}, without blocking`), line('accept(3, ..., ...) = 4')];
    case 'closeListener':
      return [line('close(3) = 0')];
    case 'connect':
      return [line('socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 5'), ...(action.syncnt === null ? [] : [line(`setsockopt(5, IPPROTO_TCP, TCP_SYNCNT, [${action.syncnt}], 4) = 0`)]), line('connect(5, ..., ...) = -1 EINPROGRESS (Operation now in progress)')];
    case 'wait':
    case 'syn':
    case 'finalAck':
    case 'badAck':
    case 'rst':
    case 'synToClosedPort':
    case 'ackToClosedPort':
    case 'answerSyn':
      return action.kind === 'wait' ? [] : [line(`// ${describeAction(action)}`)];
    case 'sysctl':
      return [line(`\`sysctl -q ${action.name}=${action.value}\``)];
  }
}
