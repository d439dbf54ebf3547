/** The agent over loopback in a throwaway namespace: what it reports, and how it takes bad input. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { AgentClient, AgentError, agentBinaryPath } from '../../harness/agent/client.ts';
import { requireRoot, sh } from '../support/root.ts';

const ns = `tcpc-agenttest-${process.pid}`;
let agent: AgentClient;

beforeAll(async () => {
  requireRoot();
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  agent = AgentClient.spawn(['ip', 'netns', 'exec', ns, agentBinaryPath()]);
  await agent.ready();
});
afterAll(async () => {
  await agent?.shutdown();
  try {
    sh('ip', ['netns', 'del', ns]);
  } catch {
    // never made
  }
});

describe('agent', () => {
  it('listen(1) without accept holds 2 connections (Linux admits backlog+1); ss-style rows show LISTEN 2/1; accept returns both', async () => {
    await agent.reset();
    const { fd } = await agent.listen({ port: 8080, backlog: 1, addr: '127.0.0.1' });
    for (let i = 0; i < 2; i++) expect((await agent.connect({ addr: '127.0.0.1', port: 8080, timeout_ms: 2000 })).errno).toBeNull();
    const listener = (await agent.sockets(8080)).find((s) => s.state === 'LISTEN');
    expect(listener).toMatchObject({ recv_q: 2, send_q: 1 });
    const { accepted } = await agent.accept({ fd, max: 5, timeout_ms: 100 });
    expect(accepted).toHaveLength(2);
    expect((await agent.sockets(8080)).find((s) => s.state === 'LISTEN')).toMatchObject({ recv_q: 0 });
  });

  it('a connect beyond the full accept queue stays in SYN-SENT: its SYN is dropped silently (reported as EINPROGRESS after the wait)', async () => {
    await agent.reset();
    await agent.listen({ port: 8081, backlog: 0, addr: '127.0.0.1' });
    expect((await agent.connect({ addr: '127.0.0.1', port: 8081, timeout_ms: 2000 })).errno).toBeNull();
    const third = await agent.connect({ addr: '127.0.0.1', port: 8081, syncnt: 1, timeout_ms: 300 });
    expect(third).toMatchObject({ errno: 'EINPROGRESS', in_progress: true });
    expect((await agent.counters())['TcpExt.ListenOverflows']).toBeGreaterThan(0);
  });

  it('connect to a closed port: ECONNREFUSED at once', async () => {
    const r = await agent.connect({ addr: '127.0.0.1', port: 1, timeout_ms: 2000 });
    expect(r.errno).toBe('ECONNREFUSED');
    expect(r.elapsed_ms).toBeLessThan(100);
  });

  it('sysctls: set, read back, and reset restores them', async () => {
    const before = (await agent.sysctlGet(['net.ipv4.tcp_syncookies']))['net.ipv4.tcp_syncookies'];
    expect(await agent.sysctlSet('net.ipv4.tcp_syncookies', before === '2' ? '0' : '2')).toBe(before);
    await agent.reset();
    expect((await agent.sysctlGet(['net.ipv4.tcp_syncookies', 'net.nonexistent.knob']))).toEqual({ 'net.ipv4.tcp_syncookies': before });
  });

  it('an empty accept queue: accept returns [] after its timeout, and other requests are answered meanwhile', async () => {
    await agent.reset();
    const { fd } = await agent.listen({ port: 8082, backlog: 1, addr: '127.0.0.1' });
    const started = Date.now();
    const pending = agent.accept({ fd, max: 1, timeout_ms: 300 });
    const info = await agent.info();
    expect(Date.now() - started).toBeLessThan(200);
    expect(info.kernel).toMatch(/^\d+\.\d+/);
    expect((await pending).accepted).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('malformed requests get error replies and the agent keeps serving', async () => {
    const raw = spawn('ip', ['netns', 'exec', ns, agentBinaryPath()], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    raw.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    raw.stdin.end(['garbage', '{"id":1,"op":"nope"}', '{"id":2,"op":"listen","port":"x","backlog":1}', '{"op":"info"}', `{"id":3,"op":"info","pad":"${'x'.repeat(100_000)}"}`, '{"id":4,"op":"info"}', ''].join('\n'));
    await new Promise((r) => raw.once('exit', r));
    const replies = lines.map((l) => JSON.parse(l) as { id: number | null; ok: boolean; error?: string });
    expect(replies[0]).toMatchObject({ id: 0, ok: true });
    expect(replies.slice(1).map((r) => [r.id, r.ok])).toEqual([[null, false], [1, false], [2, false], [null, false], [null, false], [4, true]]);
    expect(replies[2]!.error).toContain("unknown op 'nope'");
  });

  it('the client ignores echoed and garbage lines on a console-like stream', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const client = new AgentClient(input, output);
    input.on('data', (d: Buffer) => {
      const req = JSON.parse(d.toString()) as { id: number };
      output.write(`${d.toString().trim()}\r\n[ 12.345] eth0: link up\r\n{"id":${req.id},"ok":false,"error":"bad","errno":"EINVAL"}\r\n`);
    });
    output.write('{"id":0,"ok":true,"ready":true,"kernel":"6.1.0"}\r\n');
    // An agent that names no missing socket features lacks none.
    expect(await client.ready()).toEqual({ kernel: '6.1.0', lacks: new Set() });
    await expect(client.info()).rejects.toBeInstanceOf(AgentError);
  });

  it('is a static binary: no program interpreter (PT_INTERP) in its ELF headers', () => {
    const elf = readFileSync(agentBinaryPath());
    const phoff = Number(elf.readBigUInt64LE(0x20));
    const [size, count] = [elf.readUInt16LE(0x36), elf.readUInt16LE(0x38)];
    const types = Array.from({ length: count }, (_, i) => elf.readUInt32LE(phoff + i * size));
    expect(types.length).toBeGreaterThan(0);
    expect(types).not.toContain(3);
  });
});
