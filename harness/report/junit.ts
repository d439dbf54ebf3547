/** JUnit XML: a testsuite per suite, a testcase per property; deviations are the failure text. */
import { escapeXml as x } from './escape.ts';
import type { PropertyResult, RunReport } from './schema.ts';

function testcase(p: PropertyResult, target: string): string {
  const head = `    <testcase classname="${x(`tcpconform.${p.suite}`)}" name="${x(`${p.property} IPv${p.family} [${target}]`)}" time="${(p.durationMs / 1000).toFixed(3)}">`;
  const deviations = p.counterexample?.deviations.map((d) => d.message).join('\n') ?? '';
  const replay = p.counterexample ? `\nreplay: ${p.counterexample.replayCommand}` : '';
  switch (p.status) {
    case 'pass': {
      const na = Object.entries(p.notApplicable).map(([why, n]) => `${n} generated case(s) not applicable: ${why}`);
      return na.length === 0 ? `${head}</testcase>` : `${head}\n      <system-out>${x(na.join('\n'))}</system-out>\n    </testcase>`;
    }
    case 'fail':
      return `${head}\n      <failure message="${x(`${p.counterexample?.deviations.length ?? 0} deviation(s) from the model`)}" type="deviation">${x(deviations + replay)}</failure>\n    </testcase>`;
    case 'flaky':
      // Not a failure: the shrunk case did not reproduce on fresh state. Said, not hidden.
      return `${head}\n      <system-out>${x(`FLAKY: did not reproduce in ${p.counterexample?.replays.attempts ?? 0} replays\n${deviations}${replay}`)}</system-out>\n    </testcase>`;
    case 'not-applicable':
      // Skipped, and said why: never a pass.
      return `${head}\n      <skipped message="${x(`not applicable: ${Object.keys(p.notApplicable).join('; ')}`)}"/>\n    </testcase>`;
    case 'error':
      return `${head}\n      <error message="${x(p.error ?? 'error')}" type="error">${x(p.error ?? '')}</error>\n    </testcase>`;
  }
}

export function renderJunit(report: RunReport): string {
  const suites = [...new Set(report.properties.map((p) => p.suite))];
  const body = suites.map((suite) => {
    const ps = report.properties.filter((p) => p.suite === suite);
    const count = (s: string): number => ps.filter((p) => p.status === s).length;
    const time = ps.reduce((t, p) => t + p.durationMs, 0) / 1000;
    return `  <testsuite name="${x(`tcpconform.${suite}`)}" tests="${ps.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('not-applicable')}" time="${time.toFixed(3)}">\n${ps.map((p) => testcase(p, report.target.spec)).join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tcpconform ${x(report.target.spec)} (${x(report.target.kernel)})">\n${body.join('\n')}\n</testsuites>\n`;
}
