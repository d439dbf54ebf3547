import { parseArgs } from 'node:util';
import { profileByName } from '../model/profiles.ts';
import { readReplayFile } from '../run/counterexample.ts';
import { judge } from '../run/judge.ts';
import { openExecutorTarget } from '../run/targets.ts';
import { UsageError } from './errors.ts';

const HELP = `usage: tcpconform replay <counterexample.json> [--target <spec>] [--profile <name>] [--times <n>] [--allow-remote]
Runs a counterexample's scenario again on fresh target state and prints its deviations.
  --target <spec>   another target than the one it was found on (e.g. a VM's counterexample on local)
  --profile <name>  judge by another profile than the one it was found with
  --times <n>       replay it n times (default 1)
Exit 0 when the target now conforms, 1 when the deviation reproduces.
example:
  sudo npx tcpconform replay reports/mine/counterexamples/connect-errors-connect-timeout/counterexample.json --target qemu:6.1`;

export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { target: { type: 'string' }, profile: { type: 'string' }, times: { type: 'string', default: '1' }, 'allow-remote': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(HELP);
  const times = Number(values.times);
  if (!Number.isInteger(times) || times < 1) throw new UsageError(`--times takes a whole number ≥ 1, not '${values.times}'`);
  const file = readReplayFile(positionals[0]!);
  const profile = profileByName(values.profile ?? file.profile);
  const target = await openExecutorTarget(values.target ?? file.target, { allowRemote: values['allow-remote'] });
  let reproduced = 0;
  try {
    for (let i = 0; i < times; i++) {
      const { deviations } = judge(await target.executor.execute(file.scenario), profile);
      if (deviations.length > 0) reproduced++;
      console.log(`replay ${i + 1}/${times} of ${file.suite}/${file.property} on ${target.executor.description}: ${deviations.length === 0 ? 'conforms' : `${deviations.length} deviation(s)`}`);
      for (const d of deviations) console.log(`  ${d.message}`);
    }
  } finally {
    await target.close();
  }
  return reproduced > 0 ? 1 : 0;
}
