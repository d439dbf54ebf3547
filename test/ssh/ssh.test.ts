/**
 * A remote host over ssh, played by a namespace of ours running sshd, with tcpconform itself in
 * a second namespace as "this machine": the agent is copied and driven over ssh, the packets go
 * from the machine's own address, and the run conforms. Without --allow-remote it is refused.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../harness/report/json-writer.ts';
import { requireRoot, sh } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const here = `tcpc-sshme-${process.pid}`;
const remote = `tcpc-sshhost-${process.pid}`;
const dir = tempDir('tcpc-ssh-');
const cli = join(import.meta.dirname, '../../bin/tcpconform.mjs');
let sshd: ChildProcess | null = null;
const env = { ...process.env, TCPCONFORM_SSH_OPTIONS: `-i ${join(dir, 'key')} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR` };

beforeAll(async () => {
  requireRoot();
  sh('ip', ['netns', 'add', here]);
  sh('ip', ['netns', 'add', remote]);
  sh('ip', ['-n', here, 'link', 'add', 'sa', 'type', 'veth', 'peer', 'name', 'sb', 'netns', remote]);
  for (const [ns, dev, addr, addr6] of [[here, 'sa', '10.77.9.1/24', 'fd77:7463:9::1/64'], [remote, 'sb', '10.77.9.2/24', 'fd77:7463:9::2/64']] as const) {
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', addr, 'dev', dev]);
    sh('ip', ['-n', ns, 'addr', 'add', addr6, 'dev', dev, 'nodad']);
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('cp', [join(dir, 'key.pub'), join(dir, 'authorized_keys')]);
  mkdirSync('/run/sshd', { recursive: true });
  writeFileSync(join(dir, 'sshd_config'), `ListenAddress 10.77.9.2\nListenAddress [fd77:7463:9::2]\nHostKey ${join(dir, 'host_key')}\nAuthorizedKeysFile ${join(dir, 'authorized_keys')}\nPermitRootLogin yes\nStrictModes no\nUsePAM no\nPidFile ${join(dir, 'sshd.pid')}\n`);
  sshd = spawn('ip', ['netns', 'exec', remote, '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (spawnSync('ip', ['netns', 'exec', here, 'ssh', ...env.TCPCONFORM_SSH_OPTIONS.split(' '), '-o', 'BatchMode=yes', 'root@10.77.9.2', 'true']).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('sshd in the test namespace did not come up');
});

afterAll(() => {
  sshd?.kill();
  for (const ns of [here, remote]) spawnSync('ip', ['netns', 'del', ns]);
});

describe('ssh targets', () => {
  it('refused without --allow-remote', () => {
    const r = spawnSync('ip', ['netns', 'exec', here, process.execPath, cli, 'run', '--target', 'ssh://root@10.77.9.2'], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--allow-remote');
  });

  it('with --allow-remote: the agent runs on the host over ssh, packets go from this machine, the run conforms and cleans up', () => {
    const out = join(dir, 'report');
    const r = spawnSync('ip', ['netns', 'exec', here, process.execPath, cli, 'run', '--target', 'ssh://root@10.77.9.2', '--allow-remote', '--suite', 'handshake', '--suite', 'closed-ports', '--suite', 'connect-errors', '--out', out], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(join(out, 'report.json'));
    // Named by its IPv4 address, the host has no IPv6 one: those rows are not applicable, never passed.
    expect(report.properties.map((p) => p.status)).toEqual(report.properties.map((p) => (p.family === 4 ? 'pass' : 'not-applicable')));
    expect(report.properties.filter((p) => p.family === 6).every((p) => (p.notApplicable['the target has no IPv6 address'] ?? 0) > 0)).toBe(true);
    expect(report.properties.every((p) => p.silence.timeout === 0)).toBe(true);
    // Nothing left: no agent on the host, no nftables table here.
    expect(execFileSync('ip', ['netns', 'exec', remote, 'sh', '-c', 'ls /tmp | grep -c tcpconform-agent || true'], { encoding: 'utf8' }).trim()).toBe('0');
    expect(execFileSync('ip', ['netns', 'exec', here, 'nft', 'list', 'tables'], { encoding: 'utf8' })).not.toContain('tcpconform_ssh');
  }, 120_000);

  it('an IPv6 host (ssh://root@[v6]) with --family 6: the run conforms over IPv6', () => {
    const out = join(dir, 'report6');
    const r = spawnSync('ip', ['netns', 'exec', here, process.execPath, cli, 'run', '--target', 'ssh://root@[fd77:7463:9::2]', '--allow-remote', '--family', '6', '--suite', 'handshake', '--suite', 'closed-ports', '--suite', 'connect-errors', '--out', out], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(join(out, 'report.json'));
    expect(report.properties.map((p) => `${p.family} ${p.status}`)).toEqual(report.properties.map(() => '6 pass'));
    expect(report.properties.every((p) => p.silence.timeout === 0)).toBe(true);
    expect(execFileSync('ip', ['netns', 'exec', here, 'nft', 'list', 'tables'], { encoding: 'utf8' })).not.toContain('tcpconform_ssh');
  }, 120_000);
});
