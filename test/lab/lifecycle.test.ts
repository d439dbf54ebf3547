/** lab up/status/down and a run interrupted with SIGINT leave no namespace, nftables table or process behind. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireRoot } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const cli = join(import.meta.dirname, '../../bin/tcpconform.mjs');
const tcpconform = (...args: string[]): string => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const ours = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('tcpc-'));
/** Processes of ours still alive, by command line. */
const leftovers = (): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /tcpconform-agent|harness\/link\/relay\.ts/.test(l));

describe('lab lifecycle', () => {
  beforeAll(() => {
    requireRoot();
    tcpconform('lab', 'down');
  });

  it('lab up makes a tester and a target namespace with the nftables isolation; status shows it; down removes all', () => {
    const up = tcpconform('lab', 'up');
    const id = /lab ([0-9a-f]{6})/.exec(up)![1]!;
    expect(ours().sort()).toEqual([`tcpc-${id}-tgt`, `tcpc-${id}-tst`]);
    expect(execFileSync('ip', ['netns', 'exec', `tcpc-${id}-tst`, 'nft', 'list', 'tables'], { encoding: 'utf8' })).toContain('inet tcpconform');
    expect(tcpconform('lab', 'status')).toContain(`lab ${id}`);
    expect(tcpconform('lab', 'down')).toContain(`tcpc-${id}-tst`);
    expect(ours()).toEqual([]);
    expect(tcpconform('lab', 'status')).toContain('no labs');
  });

  it('lab down during a run leaves the run\'s labs alone (says so); the run completes conformant and cleans up', async () => {
    const out = tempDir('tcpc-busy-');
    const child = spawn(process.execPath, [cli, 'run', '--suite', 'handshake', '--family', '4', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 150 && (ours().length < 2 || !existsSync(join(out, 'report.json'))); i++) await new Promise((r) => setTimeout(r, 100));
    const during = ours();
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(tcpconform('lab', 'down')).toContain('left in use by a run still going');
    expect(ours()).toEqual(expect.arrayContaining(during));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    expect(ours()).toEqual([]);
  });

  it('SIGINT in the middle of a run: labs, agents and relays are gone and report.json says interrupted', async () => {
    const out = tempDir('tcpc-int-');
    const child = spawn(process.execPath, [cli, 'run', '--suite', 'half-open', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until the run is under way (a lab exists and the report is started), then interrupt it.
    for (let i = 0; i < 150 && (ours().length < 2 || !existsSync(join(out, 'report.json'))); i++) await new Promise((r) => setTimeout(r, 100));
    expect(ours().length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(ours()).toEqual([]);
    expect(leftovers()).toEqual([]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { status: string };
    expect(report.status).toBe('interrupted');
  });
});
