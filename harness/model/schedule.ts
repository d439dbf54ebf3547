/** A scenario in virtual time, for the model alone: waits take their time, every other action a fixed step. */
import type { Action, Millis, TimedAction } from './actions.ts';

export function schedule(actions: readonly Action[], stepMs: Millis = 1): { timed: TimedAction[]; end: Millis } {
  let t = 0;
  const timed = actions.map((action) => {
    const at = t;
    t += action.kind === 'wait' ? action.ms : stepMs;
    return { at, action };
  });
  return { timed, end: t };
}
