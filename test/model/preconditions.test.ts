/** Whether an action applies, decided once: the suites generate only what applies, model and executor skip the rest alike. */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../harness/model/actions.ts';
import { predict } from '../../harness/model/predict.ts';
import { applicable, ScenarioProgress } from '../../harness/model/preconditions.ts';
import { DEFAULT_SETTINGS, profileByName } from '../../harness/model/profiles.ts';
import { schedule } from '../../harness/model/schedule.ts';
import { SUITES } from '../../suites/index.ts';

const listen: Action = { kind: 'listen', backlog: 1 };
const accept: Action = { kind: 'accept', max: 1 };
const close: Action = { kind: 'closeListener' };
const connect: Action = { kind: 'connect', conn: 0, syncnt: 1 };
const answer: Action = { kind: 'answerSyn', conn: 0, answer: { kind: 'rst', acceptable: true } };

describe('preconditions', () => {
  it('accept() and close() need an open listener; there is one listener; an answer needs its connect()', () => {
    expect(applicable([accept, close, listen, accept, close, accept, close, listen])).toEqual([listen, accept, close]);
    expect(applicable([answer, connect, connect, answer])).toEqual([connect, answer]);
    const progress = new ScenarioProgress();
    expect(progress.applies({ kind: 'syn', client: 0, options: { mss: null, sackPermitted: false, timestamps: false, windowScale: null }, window: 1 })).toBe(true);
  });

  it('every scenario a suite generates holds only actions that apply', () => {
    for (const property of SUITES.flatMap((s) => s.properties)) {
      fc.assert(fc.property(property.scenarios, (s) => void expect(applicable(s.actions)).toEqual(s.actions)), { numRuns: 100 });
    }
  });

  it('the model predicts nothing for an action that does not apply: a scenario and its applicable part agree', () => {
    const linux = profileByName('linux-6.18');
    const actions: Action[] = [accept, listen, { kind: 'syn', client: 0, options: { mss: 1460, sackPermitted: false, timestamps: false, windowScale: null }, window: 1 }, { kind: 'finalAck', client: 0 }, close, accept, answer];
    const all = schedule(actions);
    const kept = predict({ profile: linux, settings: DEFAULT_SETTINGS, actions: all.timed, horizon: all.end });
    const causes = new Set(kept.flatMap((e) => (e.kind === 'counter' ? [] : [e.cause])));
    expect([...causes].sort()).toEqual([1, 2, 4]); // listen's result, the SYN-ACK, close()'s RST; nothing from the accepts around them, nor the answer
  });
});
