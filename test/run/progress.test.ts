/** The live progress line: properties done of all, each running property's cases done of planned, elapsed time. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../../harness/run/progress.ts';
import type { Property } from '../../harness/run/property.ts';

const property = (suite: string, name: string): Property => ({ suite, name } as Property);

describe('progress line', () => {
  it('names each running property with its cases, and says when it has gone on to shrink', () => {
    const progress = new Progress(3);
    const [a, b] = [property('handshake', 'options-negotiated'), property('half-open', 'synack-retransmit-and-expiry')];
    expect(progress.line()).toMatch(/^\[0\/3\] starting · \d+\.\d s$/);
    progress.start(a, 2);
    progress.start(b, 5);
    progress.caseDone(a);
    progress.caseDone(b);
    expect(progress.line()).toMatch(/^\[0\/3\] handshake\/options-negotiated 1\/2 · half-open\/synack-retransmit-and-expiry 1\/5 · \d+\.\d s$/);
    progress.caseDone(a);
    progress.caseDone(a);
    expect(progress.line()).toContain('handshake/options-negotiated 3/2 shrinking');
    progress.stop();
  });
});
