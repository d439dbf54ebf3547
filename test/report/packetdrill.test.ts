/**
 * packetdrill scripts of a real counterexample (a SYN-ACK whose MSS an nftables rule rewrote to
 * 1000, from test/packetdrill): what packetdrill's grammar needs, and what each script asserts.
 * Running them in packetdrill is test/packetdrill (opt-in).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileByName } from '../../harness/model/profiles.ts';
import { packetdrillScripts } from '../../harness/report/packetdrill.ts';
import type { Counterexample } from '../../harness/report/schema.ts';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'mss-rewrite.counterexample.json'), 'utf8')) as { profile: string; counterexample: Counterexample };
const { expected, observed } = packetdrillScripts(fixture.counterexample, profileByName(fixture.profile));
const events = (script: string): string[] => script.split('\n').filter((l) => /^\d/.test(l));

describe('packetdrill scripts of a counterexample', () => {
  it('parse as packetdrill reads them: comments carry no time, the one init command comes first, then events from time 0 in order', () => {
    for (const script of [expected, observed]) {
      const lines = script.split('\n').filter((l) => l !== '');
      const kinds = lines.map((l) => (l.startsWith('//') ? 'comment' : l.startsWith('`') ? 'init' : /^\d+\.\d{3}(~\d+\.\d{3})? \S/.test(l) ? 'event' : `bad: ${l}`));
      expect(kinds.filter((k) => k.startsWith('bad'))).toEqual([]);
      expect(kinds.filter((k) => k === 'init')).toHaveLength(1);
      expect(kinds.indexOf('init')).toBeLessThan(kinds.indexOf('event'));
      expect(kinds.lastIndexOf('init')).toBeLessThan(kinds.indexOf('event'));
      const times = events(script).map((l) => Number(l.split(/[ ~]/)[0]));
      expect(times[0]).toBe(0);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });

  it('set up every setting the model judged by, the scenario\'s starting sysctls included', () => {
    const init = expected.split('\n').find((l) => l.startsWith('`'))!;
    expect(init).toMatch(/^`sysctl -q -e -w \S/);
    for (const name of ['net.core.somaxconn', 'net.ipv4.tcp_syncookies', 'net.ipv4.tcp_abort_on_overflow', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.tcp_timestamps']) expect(init).toContain(`${name}=`);
    expect(init).toContain("net.ipv4.tcp_rmem='4096 131072 33554432'");
    // The counterexample's link had the tun device's 1500 bytes: no MTU to set.
    expect(init).not.toContain('mtu');
  });

  it('the expected script asserts what the profile says (MSS 1460), the observed one what the kernel did (1000)', () => {
    expect(expected).toMatch(/^0\.010~0\.060 > S\. 0:0\(0\) ack 1 win 64240 <mss 1460>$/m);
    expect(observed).toMatch(/^0\.010~0\.\d{3} > S\. 0:0\(0\) ack 1 win 64240 <mss 1000>$/m);
    expect(expected).toContain('//   field-mismatch options.mss at step 1');
  });

  it('socket calls as the agent made them, with results: a non-blocking listener, accept returning the peer', () => {
    expect(events(expected).slice(0, 4).map((l) => l.slice(6))).toEqual(['socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3', 'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0', 'bind(3, ..., ...) = 0', 'listen(3, 1) = 0']);
    expect(expected).toMatch(/^0\.030 accept\(3, \.\.\., \.\.\.\) = 4$/m);
  });

  it('the expected script ends with a barrier whose answer the model predicts: an ACK of unsent data gets a challenge ACK on 6.18', () => {
    const tail = events(expected).slice(-2);
    expect(tail[0]).toMatch(/^0\.040 < \. 1:1\(0\) ack 1073741825 win 1$/);
    expect(tail[1]).toMatch(/^0\.040~0\.090 > \. 1:1\(0\) ack 1$/);
    expect(events(observed).some((l) => l.includes('1073741825'))).toBe(false);
  });
});

describe('packetdrill scripts of a counter deviation', () => {
  // The same exchange, now judged on a counter as well: the kernel counted a SYN cookie the profile did not.
  const counted: Counterexample = {
    ...fixture.counterexample,
    deviations: [{ kind: 'wrong-counter', step: 0, peer: null, field: 'TcpExt.SyncookiesSent', expected: 'TcpExt.SyncookiesSent +0', observed: '+1', rule: null, message: 'wrong-counter TcpExt.SyncookiesSent at step 0: expected TcpExt.SyncookiesSent +0, observed +1' }],
    observed: [...fixture.counterexample.observed, { kind: 'counter', name: 'TcpExt.SyncookiesSent', delta: 1 }],
  };
  const scripts = packetdrillScripts(counted, profileByName(fixture.profile));

  it('reset nstat in the init command and check the counter at the scenario end: the profile\'s delta in one script, the kernel\'s in the other', () => {
    expect(scripts.expected.split('\n').find((l) => l.startsWith('`'))).toMatch(/&& NSTAT_HISTORY=\/tmp\/tcpconform-\S+-expected\.nstat nstat -n`$/);
    expect(scripts.expected).toMatch(/^0\.\d{3} `NSTAT_HISTORY=\S+ nstat -z TcpExtSyncookiesSent \| awk 'BEGIN \{ w\["TcpExtSyncookiesSent"\]=0 \}.*exit \$ok`$/m);
    expect(scripts.observed).toMatch(/w\["TcpExtSyncookiesSent"\]=1/);
  });

  it('assert no counter where the scenario has a peer the script does not hold', () => {
    const twoClients: Counterexample = { ...counted, actions: [...counted.actions, { at: 50, action: { kind: 'syn', client: 1, options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 1 } }] };
    const { expected: script } = packetdrillScripts(twoClients, profileByName(fixture.profile));
    expect(script).not.toContain('nstat');
    expect(script).toContain('// Left out: counters (TcpExt.SyncookiesSent): not asserted, the script does not hold the whole scenario');
  });
});
