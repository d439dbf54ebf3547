import { EnvironmentError, UsageError } from './errors.ts';

/** A subcommand: parses its own arguments, returns the process exit status. */
export type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
  lab: async () => (await import('./lab-command.ts')).labCommand,
  compare: async () => (await import('./compare-command.ts')).compareCommand,
  kernels: async () => (await import('./kernels-command.ts')).kernelsCommand,
};

const usage = `usage: tcpconform <command> [options]
commands:
  ${Object.keys(commands).join('\n  ')}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    console.error(`tcpconform: unknown command '${name}'\n${usage}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) {
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
