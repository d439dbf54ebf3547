/** Bad input gets one clear line and exit 2, never a stack trace. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../suites/index.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const cli = join(import.meta.dirname, '../../bin/tcpconform.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const dir = tempDir('tcpc-cli-');

describe('CLI errors', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown flag', ['run', '--bogus'], /Unknown option '--bogus'/],
    ['a bad target', ['run', '--target', 'foo:bar'], /bad target 'foo:bar'/],
    ['an unknown suite', ['run', '--suite', 'nope'], /unknown suite 'nope'/],
    ['an IPv6 address where a namespace name belongs', ['run', '--target', 'netns:fd77:7463::2'], /netns: takes a network namespace name, not an IP address/],
    ['an IPv6 ssh host without brackets', ['run', '--allow-remote', '--target', 'ssh://root@fd77::2'], /an IPv6 host in brackets/],
    ['an IP version that does not exist', ['run', '--family', '5'], /--family takes 4, 6 or both, not '5'/],
    ['an unknown profile', ['run', '--profile', 'linux-2.4', '--target', 'model:linux-6.18'], /unknown profile 'linux-2.4'/],
    ['a non-numeric seed', ['run', '--seed', 'abc'], /--seed takes a whole number/],
    ['a remote target without --allow-remote', ['run', '--target', 'ssh://root@example'], /--allow-remote/],
    ['a target named twice', ['run', '--target', 'model:linux-6.18,model:linux-6.18'], /--target names model:linux-6\.18 twice/],
    ['a bad target among good ones, before any lab', ['run', '--target', 'local,lwip,gvisr'], /bad target 'gvisr'/],
    ['a missing counterexample', ['replay', join(dir, 'none.json')], /cannot read counterexample .*ENOENT/],
    ['a counterexample that is not JSON', ['replay', (writeFileSync(join(dir, 'bad.json'), '{oops'), join(dir, 'bad.json'))], /is not JSON/],
    ['a counterexample edited into nonsense', ['replay', (writeFileSync(join(dir, 'edited.json'), JSON.stringify({ schema: 'tcpconform/counterexample@1', suite: 's', property: 'p', target: 'model:linux-6.18', profile: 'linux-6.18', scenario: { config: {}, actions: [{ kind: 'listen', backlog: 'many' }] } })), join(dir, 'edited.json'))], /actions\[0\]\.backlog must be a whole number/],
    ['an unwritable report directory', ['run', '--target', 'model:linux-6.18', '--out', '/proc/tcpconform/x'], /cannot create report directory \/proc\/tcpconform\/x: ENOENT/],
    ['a report directory under a file', ['run', '--target', 'model:linux-6.18', '--out', join(dir, 'bad.json', 'x')], /cannot create report directory .*bad\.json\/x: ENOTDIR/],
    ['an unknown lab subcommand', ['lab', 'sideways'], /unknown lab subcommand 'sideways'/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2 with one clear message`, () => {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('--help describes every command with an example; each command has its own --help; --version prints the version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    for (const command of ['run', 'replay', 'compare', 'kernels', 'lab']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} +[A-Z].*\\.\\n +e\\.g\\. .*tcpconform ${command} `, 'm'));
      const own = run(command, '--help');
      expect(own.status).toBe(0);
      expect(own.stdout).toMatch(/^usage: tcpconform /);
      expect(own.stdout).toMatch(/example:\n  .*tcpconform /);
    }
    expect(run('--version').stdout.trim()).toBe(`tcpconform ${JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version}`);
  });

  it('replay --target runs a counterexample found on one target against another: the model of 6.18 conforms, 5.10 deviates', () => {
    const file = join(dir, 'found-on-a-vm.json');
    writeFileSync(file, JSON.stringify({ schema: 'tcpconform/counterexample@1', suite: 'connect-errors', property: 'connect-timeout', target: 'qemu:5.10', profile: 'linux-6.18', scenario: { config: {}, actions: [{ kind: 'connect', conn: 0, syncnt: 1 }, { kind: 'wait', ms: 3600 }] } }));
    const conforming = run('replay', file, '--target', 'model:linux-6.18');
    expect(conforming.status, conforming.stderr).toBe(0);
    expect(conforming.stdout).toContain('on model:linux-6.18: conforms');
    const older = run('replay', file, '--target', 'model:linux-5.10');
    expect(older.status).toBe(1);
    // The third SYN (linear timeouts) is missing there, and so is its count in TCPSynRetrans.
    expect(older.stdout).toMatch(/on model:linux-5\.10: 2 deviation/);
    expect(older.stdout).toMatch(/missing-segment .* within \[2\.000 s/);
  });

  // Capabilities dropped, uid kept: the checkout stays readable wherever it was cloned (/root, a 0700 directory).
  it('without capabilities: lab and run say which are missing and how to run it, exit 2', () => {
    for (const args of [['lab', 'up'], ['run', '--out', join(dir, 'unprivileged')]]) {
      // As root: drop them; as an ordinary user (npm run test:unit) there are none to drop.
      const [command, ...rest] = process.getuid?.() === 0 ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', process.execPath] : [process.execPath];
      const r = spawnSync(command!, [...rest, cli, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/missing CAP_NET_ADMIN, CAP_NET_RAW.*Run it as root: sudo/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a run against the model itself conforms and exits 0, writing its reports', () => {
    const out = join(dir, 'model-run');
    const r = run('run', '--target', 'model:linux-6.18', '--out', out, '--seed', '1');
    expect(r.status, r.stderr).toBe(0);
    // A row per property and IP version.
    expect(r.stderr).toContain(`${2 * SUITES.flatMap((suite) => suite.properties).length} passed, 0 failed`);
  });

  it('a budget spent before a row ran any case: the row is an error, never a pass', () => {
    const out = join(dir, 'no-budget');
    const r = run('run', '--target', 'model:linux-6.18', '--suite', 'handshake', '--budget', '0', '--out', out);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { properties: Array<{ status: string; numRuns: number; error: string | null }> };
    expect(report.properties.filter((p) => p.numRuns === 0).map((p) => p.status)).toEqual(report.properties.filter((p) => p.numRuns === 0).map(() => 'error'));
    expect(report.properties.some((p) => p.error?.includes('budget'))).toBe(true);
  });

  it('judged by the article (BSD) profile, this Linux model deviates: exit 1', () => {
    const r = run('run', '--target', 'model:linux-6.18', '--profile', 'bsd-article', '--suite', 'connect-errors', '--out', join(dir, 'bsd'));
    expect(r.status).toBe(1);
  });
});
