/** Generators shared by the suites: the pieces of scenarios a client or a kernel setting can vary. */
import * as fc from 'fast-check';
import { MTU_RANGE, type Action, type Rmem, type Scenario, type SynOptions, type SysctlName } from '../harness/model/actions.ts';

export const synOptions: fc.Arbitrary<SynOptions> = fc.record({
  mss: fc.option(fc.integer({ min: 536, max: 1460 }), { nil: null }),
  sackPermitted: fc.boolean(),
  timestamps: fc.boolean(),
  windowScale: fc.option(fc.integer({ min: 0, max: 14 }), { nil: null }),
});

/**
 * Which options the target offers and accepts (net.ipv4.tcp_timestamps 0/1/2, tcp_sack,
 * tcp_window_scaling): mostly as a fresh namespace has them, each sometimes switched.
 */
export const optionSysctls: fc.Arbitrary<Partial<Record<SysctlName, number>>> = fc
  .record({ timestamps: fc.constantFrom(1, 1, 1, 0, 2), sack: fc.constantFrom(1, 1, 1, 0), windowScaling: fc.constantFrom(1, 1, 1, 0) })
  .map(({ timestamps, sack, windowScaling }) => ({
    ...(timestamps === 1 ? {} : { 'net.ipv4.tcp_timestamps': timestamps }),
    ...(sack === 1 ? {} : { 'net.ipv4.tcp_sack': sack }),
    ...(windowScaling === 1 ? {} : { 'net.ipv4.tcp_window_scaling': windowScaling }),
  }));

/**
 * net.ipv4.tcp_rto_max_ms (Linux 6.15): mostly unset; sometimes 1 or 2 s, so timers reach the
 * ceiling within a case. A target without the sysctl does not run such a case (not applicable).
 */
export const rtoMaxSysctl: fc.Arbitrary<Partial<Record<SysctlName, number>>> = fc.constantFrom({}, {}, {}, { 'net.ipv4.tcp_rto_max_ms': 1000 }, { 'net.ipv4.tcp_rto_max_ms': 2000 });

/** A receive buffer size: tiny (its half below one segment, so an odd one shows how it is halved), common, or huge (window scale up to 14). */
const bufferSize = fc.oneof(fc.integer({ min: 1024, max: 4096 }), fc.integer({ min: 1024, max: 1 << 30 }), fc.constantFrom(87380, 131072, 6291456, 33554432));

/**
 * tcp_rmem (its first windows and window scale) and the MTU of the target's link (its MSS):
 * mostly the target's own, sometimes generated.
 */
export const linkSettings: fc.Arbitrary<Pick<Scenario, 'rmem' | 'mtu'>> = fc
  .record({
    rmem: fc.option(fc.tuple(bufferSize, bufferSize, bufferSize), { nil: undefined, freq: 2 }),
    mtu: fc.option(fc.oneof(fc.constantFrom(MTU_RANGE.min, 1280, 1492, 9000), fc.integer(MTU_RANGE)), { nil: undefined, freq: 2 }),
  })
  .map(({ rmem, mtu }) => ({ ...(rmem ? { rmem: ascending(rmem) } : {}), ...(mtu === undefined ? {} : { mtu }) }));

function ascending(sizes: readonly [number, number, number]): Rmem {
  const [min = 0, initial = 0, max = 0] = [...sizes].sort((a, b) => a - b);
  return [min, initial, max];
}

/** 4128 is the article's client window; the rest are common stacks' first windows. */
export const clientWindow: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(4128, 29200, 64240, 65535), fc.integer({ min: 1, max: 65535 }));

export const fullOptions: SynOptions = { mss: 1460, sackPermitted: true, timestamps: true, windowScale: 7 };

/** A client's SYN with generated options and window. */
/** Most SYNs carry no data; some carry up to 500 bytes (SYN data without Fast Open). */
const synDataLength: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }) });

export const synFrom = (client: number): fc.Arbitrary<Action> =>
  fc.record({ options: synOptions, window: clientWindow, data: synDataLength }).map(({ options, window, data }): Action => (data > 0 ? { kind: 'syn', client, options, window, data } : { kind: 'syn', client, options, window }));

/** Common client behaviours toward a listener, over a small set of clients so they meet again. */
export const clientStep = (clients: number): fc.Arbitrary<Action> => {
  const client = fc.nat({ max: clients - 1 });
  return fc.oneof(
    { weight: 4, arbitrary: client.chain(synFrom) },
    { weight: 4, arbitrary: client.map((c): Action => ({ kind: 'finalAck', client: c })) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((max): Action => ({ kind: 'accept', max })) },
    { weight: 1, arbitrary: client.map((c): Action => ({ kind: 'rst', client: c })) },
    { weight: 1, arbitrary: client.map((c): Action => ({ kind: 'badAck', client: c })) },
    { weight: 1, arbitrary: client.map((c): Action => ({ kind: 'clientFin', client: c })) },
  );
};
