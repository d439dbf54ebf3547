import { CommandError } from '../lab/command.ts';
import { EnvironmentError, UsageError } from './errors.ts';
import { TOOL_VERSION } from './version.ts';

/** A subcommand: parses its own arguments, returns the process exit status. */
export type Command = (args: string[]) => Promise<number>;

interface CommandEntry {
  /** One sentence: what the command is for. */
  readonly summary: string;
  readonly example: string;
  readonly load: () => Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  run: {
    summary: 'Checks how a target sets up TCP connections against the reference model and writes reports.',
    example: 'sudo npx tcpconform run --suite handshake --out reports/mine',
    load: async () => (await import('./run-command.ts')).runCommand,
  },
  replay: {
    summary: "Runs one counterexample again, on its own target or another one, and prints what deviates.",
    example: 'sudo npx tcpconform replay reports/mine/counterexamples/handshake-options-negotiated/counterexample.json --target local',
    load: async () => (await import('./replay-command.ts')).replayCommand,
  },
  compare: {
    summary: 'Puts the reports of several targets side by side and explains each difference by a profile flag.',
    example: 'npx tcpconform compare reports/kernels/*/report.json --out reports/kernels/compare',
    load: async () => (await import('./compare-command.ts')).compareCommand,
  },
  kernels: {
    summary: "Fetches Debian's kernels for VM targets, or lists the ones fetched.",
    example: 'sudo npx tcpconform kernels fetch 6.1',
    load: async () => (await import('./kernels-command.ts')).kernelsCommand,
  },
  lab: {
    summary: 'Makes, shows or removes the network namespaces tcpconform tests in.',
    example: 'sudo npx tcpconform lab down',
    load: async () => (await import('./lab-command.ts')).labCommand,
  },
};

const usage = [
  'usage: tcpconform <command> [options]       (tcpconform <command> --help for its options)',
  '',
  ...Object.entries(commands).flatMap(([name, c]) => [`  ${name.padEnd(8)} ${c.summary}`, `           e.g. ${c.example}`]),
  '',
  'Exit status: 0 conformant, 1 deviations found, 2 usage or environment error.',
].join('\n');

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(`tcpconform ${TOOL_VERSION}`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    console.error(`tcpconform: unknown command '${name}'\n${usage}`);
    return 2;
  }
  try {
    return await (await entry.load())(rest);
  } catch (error) {
    // A system tool that failed (ip, nft, runsc) is the environment's problem, named in one line.
    if (error instanceof UsageError || error instanceof EnvironmentError || error instanceof CommandError) {
      console.error(`tcpconform: ${error.message}`);
      return 2;
    }
    // node:util parseArgs reports unknown flags with a code, not a class.
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`tcpconform ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
