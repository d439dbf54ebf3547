/**
 * A report that cannot be written ends a run on a real lab with exit 2 and one line naming the
 * path; nothing of the lab is left, and what was written before stays valid.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRoot, sh } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const cli = join(import.meta.dirname, '../../bin/tcpconform.mjs');
const ours = (): string[] => sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('tcpc-'));
const leftovers = (): string[] => sh('ps', ['-eo', 'pid=,args=']).split('\n').filter((l) => /tcpconform-agent|harness\/link\/relay\.ts/.test(l));

/** Runs the CLI; a run that has not ended after 30 s is killed and counts as a hang. */
function tcpconform(args: string[], whileRunning?: (out: string) => Promise<void>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Within the test's own 60 s: a run that does not end by then hangs.
  const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const ended = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => (clearTimeout(killer), resolve({ code, stderr }))));
  void whileRunning?.(args[args.indexOf('--out') + 1]!);
  return ended;
}

const oneClearLine = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('tcpconform: cannot'));

describe('report paths that fail', () => {
  const mounts: string[] = [];
  beforeAll(() => requireRoot());
  afterAll(() => mounts.forEach((m) => (execFileSync('umount', [m]), rmSync(m, { recursive: true }))));

  it('an unwritable --out fails before any namespace exists', async () => {
    const { code, stderr } = await tcpconform(['run', '--out', '/proc/tcpconform/x', '--suite', 'handshake']);
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/^tcpconform: cannot create report directory \/proc\/tcpconform\/x: ENOENT/m);
    expect(stderr).not.toMatch(/target local/); // no lab was opened
    expect(ours()).toEqual([]);
  });

  it('a full disk mid-run: exit 2 naming the file, the lab torn down, the last report kept valid', async () => {
    const mount = tempDir('tcpc-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', mount]);
    mounts.push(mount);
    // bsd-article judges this Linux kernel: counterexamples (pcaps, scripts) fill 48 KiB quickly.
    const { code, stderr } = await tcpconform(['run', '--out', join(mount, 'r'), '--profile', 'bsd-article', '--seed', '1']);
    expect(code, stderr).toBe(2);
    expect(oneClearLine(stderr)).toEqual([expect.stringMatching(/cannot write .*: ENOSPC \(no space left on device\)$/)]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(ours()).toEqual([]);
    expect(leftovers()).toEqual([]);
    const report = JSON.parse(readFileSync(join(mount, 'r', 'report.json'), 'utf8')) as { properties: unknown[] };
    expect(Array.isArray(report.properties)).toBe(true);
  });

  it('the report directory removed mid-run: exit 2 naming the file, nothing left', async () => {
    const out = join(tempDir('tcpc-gone-'), 'r');
    const removeOnceStarted = async (dir: string): Promise<void> => {
      for (let i = 0; i < 200 && !existsSync(join(dir, 'report.json')); i++) await new Promise((r) => setTimeout(r, 50));
      rmSync(dir, { recursive: true, force: true });
    };
    const { code, stderr } = await tcpconform(['run', '--out', out, '--suite', 'half-open', '--suite', 'listen-queues'], removeOnceStarted);
    expect(code, stderr).toBe(2);
    expect(oneClearLine(stderr)).toEqual([expect.stringMatching(/cannot write .*\/r\/.*: ENOENT/)]);
    expect(ours()).toEqual([]);
    expect(leftovers()).toEqual([]);
    mkdirSync(out, { recursive: true }); // the directory is creatable again: nothing half-made blocks it
  });
});
