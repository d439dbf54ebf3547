/** Report writers: round trip, bad input, JUnit shape, escaping, and the HTML in a real browser. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport, ReportWriter } from '../../harness/report/json-writer.ts';
import { renderHtml } from '../../harness/report/html.ts';
import { renderJunit } from '../../harness/report/junit.ts';
import { REPORT_SCHEMA, type Counterexample, type RunReport } from '../../harness/report/schema.ts';
import { profileByName } from '../../harness/model/profiles.ts';
import { DEFAULT_SETTINGS } from '../../harness/model/profiles.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

const counterexample: Counterexample = {
  id: 'handshake-options-negotiated',
  seed: 3,
  path: '0:0',
  config: {},
  settings: DEFAULT_SETTINGS,
  actions: [
    { at: 0, action: { kind: 'listen', backlog: 1 } },
    { at: 0.2, action: { kind: 'syn', client: 0, options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 1 } },
  ],
  expected: [{ kind: 'segment', to: { kind: 'client', client: 0 }, cause: 1, optional: false, at: { earliest: 0.2, latest: 50.2 }, rule: { id: 'listener.synAck', source: 'RFC 9293', flags: [] }, segment: { flags: ['SYN', 'ACK'], seq: { bind: 'isn:client:0', plus: 0 }, ack: { exact: 268435457 }, window: { exact: 64240 }, payloadLength: 0, ipEcn: 'notEct', options: { mss: 1460, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null } } }],
  observed: [{ kind: 'segment', to: { kind: 'client', client: 0 }, at: 0.3, segment: { flags: ['SYN', 'ACK'], seq: 99, ack: 268435457, window: 64240, payloadLength: 0, ipEcn: 'notEct', options: { mss: 1000, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null } } }],
  sent: [{ from: { kind: 'client', client: 0 }, at: 0.25, cause: 1, description: '[S] seq 268435456 win 1', segment: { flags: ['SYN'], seq: 268435456, ack: 0, window: 1, payloadLength: 0, ipEcn: 'notEct', options: { mss: 1460, sackPermitted: false, timestamps: null, windowScale: null, fastOpen: null } } }],
  deviations: [{ kind: 'field-mismatch', step: 1, peer: { kind: 'client', client: 0 }, field: 'options.mss', expected: '1460', observed: '1000', rule: null, message: 'field-mismatch options.mss at step 1: expected 1460, observed 1000 <script>alert(1)</script>' }],
  replays: { attempts: 3, reproduced: 3 },
  pcap: 'counterexamples/x/counterexample.pcap',
  packetdrill: 'counterexamples/x/counterexample.pkt',
  packetdrillObserved: 'counterexamples/x/observed.pkt',
  replayCommand: 'npx tcpconform replay x.json',
};

const report = (status: 'pass' | 'fail' | 'flaky'): RunReport => ({
  schema: REPORT_SCHEMA,
  runId: 'r1',
  tool: { name: 'tcpconform', version: '0.1.0' },
  command: ['tcpconform', 'run'],
  startedAt: '2026-11-24T00:00:00Z',
  finishedAt: null,
  status: 'running',
  target: { spec: 'local', kernel: '6.18.44', sysctls: { 'net.ipv4.tcp_syncookies': '1' }, mtu: 1500 },
  profile: profileByName('linux-6.18'),
  seed: 3,
  runsPerProperty: 0,
  budgetSeconds: 50,
  properties: [
    { suite: 'handshake', property: 'options-negotiated', family: 4, status, numRuns: 5, notApplicable: {}, durationMs: 12, silence: { barrier: 10, timeout: 0 }, signature: ['client 0: [S.] at 0 ms'], flags: [], counterexample: status === 'pass' ? null : counterexample, error: null },
    { suite: 'closed-ports', property: 'rst', family: 6, status: 'pass', numRuns: 5, notApplicable: { 'the target has no net.ipv4.tcp_rto_max_ms': 2 }, durationMs: 3, silence: { barrier: 5, timeout: 1 }, signature: [], flags: [], counterexample: null, error: null },
  ],
  exitCode: null,
  error: null,
});

describe('reports', () => {
  it('report.json round-trips through the writer and readReport; an interrupted run stays readable', () => {
    const dir = tempDir('tcpc-report-');
    const writer = new ReportWriter(dir);
    writer.start(report('fail'));
    writer.interrupt();
    const read = readReport(join(dir, 'report.json'));
    expect(read.status).toBe('interrupted');
    expect(read.properties[0]!.counterexample!.deviations[0]!.field).toBe('options.mss');
    expect(existsSync(join(dir, 'junit.xml')) && existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('an unreadable, truncated, foreign or wrong-version report is one clear error', () => {
    const dir = tempDir('tcpc-report-');
    const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
    expect(() => readReport(join(dir, 'missing.json'))).toThrow(/cannot read report .*ENOENT/);
    expect(() => readReport(file('cut.json', '{"schema":"tcpconform/rep'))).toThrow(/not JSON/);
    expect(() => readReport(file('old.json', '{"schema":"tcpconform/report@0"}'))).toThrow(/expected tcpconform\/report@1/);
    expect(() => readReport(file('part.json', `{"schema":"${REPORT_SCHEMA}"}`))).toThrow(/lacks 'runId'/);
  });

  it('JUnit: counts per suite, the deviation text in the failure, flaky as a note and not a failure', () => {
    const fail = renderJunit(report('fail'));
    expect(fail).toContain('<testsuite name="tcpconform.handshake" tests="1" failures="1"');
    expect(fail).toContain('&lt;script&gt;');
    const flaky = renderJunit(report('flaky'));
    expect(flaky).toContain('failures="0"');
    expect(flaky).toContain('FLAKY');
    expect(fail).toContain('2 generated case(s) not applicable: the target has no net.ipv4.tcp_rto_max_ms');
  });

  it('HTML escapes what it shows and marks the deviating arrow', () => {
    const html = renderHtml(report('fail'));
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/stroke="#c62828"/);
    expect(html).toContain('+2 n/a: the target has no net.ipv4.tcp_rto_max_ms');
  });

  it('the HTML opens in headless Chromium without errors and shows both ladder diagrams', () => {
    const dir = tempDir('tcpc-html-');
    writeFileSync(join(dir, 'report.html'), renderHtml(report('fail')));
    const profile = tempDir('tcpc-chromium-');
    const run = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${dir}/report.html`], { encoding: 'utf8' });
    const dom = run.stdout;
    // Page errors and console messages appear in Chromium's log as CONSOLE(...) / Uncaught lines.
    expect(run.stderr).not.toMatch(/CONSOLE|Uncaught|ERR_FILE/);
    expect(dom.match(/<svg[^>]*aria-label="[^"]*ladder diagram"/g)).toHaveLength(2);
    expect(dom).toContain('Observed (target)');
  });
});

describe('compare', () => {
  it('a matrix of properties x targets, and a difference explained by the profile flag that differs', async () => {
    const { compareReports, renderComparisonMarkdown } = await import('../../harness/report/compare.ts');
    const a = report('pass');
    const b: RunReport = { ...report('pass'), target: { ...report('pass').target, spec: 'qemu:6.1', kernel: '6.1.0' }, profile: profileByName('linux-6.1') };
    a.properties[0] = { ...a.properties[0]!, flags: ['linearSynTimeouts'], signature: ['remote 0: [S] at 0 ms, 1 s, 2 s'] };
    b.properties[0] = { ...b.properties[0]!, flags: ['linearSynTimeouts'], signature: ['remote 0: [S] at 0 ms, 1 s'] };
    const c = compareReports([a, b]);
    expect(c.columns).toEqual(['qemu:6.1 (6.1.0, linux-6.1)', 'local (6.18.44, linux-6.18)']);
    expect(c.differences).toHaveLength(1);
    expect(c.differences[0]!.explanation).toContain('linearSynTimeouts: linux-6.1 (linearSynTimeouts=false) vs linux-6.18 (linearSynTimeouts=true)');
    expect(renderComparisonMarkdown(c)).toContain('| handshake/options-negotiated (IPv4) | PASS: remote 0: [S] at 0 ms, 1 s | PASS: remote 0: [S] at 0 ms, 1 s, 2 s |');
  });

  it('of the differing flags, those on which targets that behaved alike agree explain the difference', async () => {
    const { compareReports } = await import('../../harness/report/compare.ts');
    const on = (spec: string, profile: string, signature: string[]): RunReport => {
      const r: RunReport = { ...report('pass'), target: { ...report('pass').target, spec, kernel: profile.slice(6) }, profile: profileByName(profile) };
      r.properties[0] = { ...r.properties[0]!, flags: ['linearSynTimeouts', 'synAckCompletesSimultaneousOpen'], signature };
      return r;
    };
    const completes = ['remote 0: [S.] at 0 s', 'connect -> connected at 0 s'];
    const c = compareReports([on('qemu:5.10', 'linux-5.10', ['remote 0: [S.] at 0 s']), on('qemu:6.1', 'linux-6.1', completes), on('qemu:6.12', 'linux-6.12', completes)]);
    expect(c.differences[0]!.explanation).toMatch(/^explained by synAckCompletesSimultaneousOpen: linux-5\.10 \(synAckCompletesSimultaneousOpen=false\) vs/);
  });

  it('a flaky property beside a passing one is no difference: it conformed on replay; a failure is one', async () => {
    const { compareReports } = await import('../../harness/report/compare.ts');
    const slowVm: RunReport = { ...report('flaky'), target: { ...report('pass').target, spec: 'qemu:5.10', kernel: '5.10.0' }, profile: profileByName('linux-5.10') };
    expect(compareReports([report('pass'), slowVm]).differences).toEqual([]);
    expect(compareReports([report('pass'), { ...slowVm, ...report('fail'), target: slowVm.target }]).differences).toHaveLength(1);
  });

  it('columns: Linux kernels by version, whatever order the reports came in, then the other targets', async () => {
    const { compareReports } = await import('../../harness/report/compare.ts');
    const on = (spec: string, kernel: string): RunReport => ({ ...report('pass'), target: { ...report('pass').target, spec, kernel } });
    const given = [on('local', '6.18.44-fc'), on('model:linux-6.18', 'model linux-6.18'), on('qemu:6.12', '6.12.95-amd64'), on('qemu:5.10', '5.10.0-35-amd64'), on('qemu:6.1', '6.1.0-40-amd64')];
    expect(compareReports(given).columns.map((c) => c.split(' ')[0])).toEqual(['qemu:5.10', 'qemu:6.1', 'qemu:6.12', 'local', 'model:linux-6.18']);
  });
});
