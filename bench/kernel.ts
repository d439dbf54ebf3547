/** Against the local kernel: handshake scenarios per second, the barrier's cost, a default run. */
import { probeAck } from '../harness/model/harness-numbers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeAnswer, probePacket } from '../harness/executor/probe.ts';
import { LAB_NETS } from '../harness/lab/addresses.ts';
import { runConformance } from '../harness/run/run.ts';
import { openExecutorTarget } from '../harness/run/targets.ts';
import { inFamily } from '../harness/run/families.ts';
import type { AddressFamily } from '../harness/model/actions.ts';
import { openTarget } from '../harness/target/index.ts';
import { handshakeSuite } from '../suites/handshake.ts';
import { median, nowMs } from './measure.ts';

/** Handshake canonical cases per second on the host kernel, over IPv4 and over IPv6. */
export async function benchScenarios(): Promise<{ scenarios_per_s: number; scenarios_per_s_v6: number }> {
  const target = await openExecutorTarget('local', { allowRemote: false });
  const rate = async (family: AddressFamily): Promise<number> => {
    const scenario = inFamily(handshakeSuite.properties[0]!.canonical, family);
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const started = nowMs();
      for (let i = 0; i < 100; i++) await target.executor.execute(scenario);
      rates.push(100 / ((nowMs() - started) / 1000));
    }
    return Math.round(median(rates));
  };
  try {
    return { scenarios_per_s: await rate('ipv4'), scenarios_per_s_v6: await rate('ipv6') };
  } finally {
    await target.close();
  }
}

/** A barrier is one probe (a bare ACK to the closed port) and the target's RST back. */
export async function benchBarrier(): Promise<{ barrier_median_ms: number }> {
  const target = await openTarget('local');
  const samples: number[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const ack = probeAck(i);
      const back = target.link.waitFor(probeAnswer(ack), 1000);
      const started = nowMs();
      await target.link.send(probePacket({ addr: LAB_NETS[4].host(250), port: 40_000 + i }, LAB_NETS[4].target, ack));
      if (await back) samples.push(nowMs() - started);
    }
  } finally {
    await target.close();
  }
  return { barrier_median_ms: Number(median(samples).toFixed(3)) };
}

export async function benchDefaultRun(): Promise<{ default_run_s: number }> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = nowMs();
    const out = mkdtempSync(join(tmpdir(), 'tcpc-bench-'));
    const code = await runConformance({ targets: ['local'], suites: null, runs: null, seed: 100 + i, budgetSeconds: 300, profile: null, out, replays: 3, allowRemote: false, family: 'both', command: ['bench'] });
    if (code !== 0) throw new Error(`the default run found deviations (exit ${code}) during the benchmark: report in ${out}`);
    times.push((nowMs() - started) / 1000);
    rmSync(out, { recursive: true, force: true });
  }
  return { default_run_s: Number(median(times).toFixed(1)) };
}
