import { parseArgs } from 'node:util';
import { checkPrivileges } from '../lab/privileges.ts';
import { fetchKernel, kernelDir, listKernels, SERIES } from '../vm/kernels.ts';
import { UsageError } from './errors.ts';

const HELP = `usage: tcpconform kernels fetch <series> | list
Fetches Debian's kernels for qemu:<series> targets, or lists the ones fetched.
  fetch <series>   get Debian's kernel for a VM target (${Object.entries(SERIES).map(([s, suite]) => `${s} from ${suite}`).join(', ')}), checked and cached
  list             the kernels cached
example:
  sudo npx tcpconform kernels fetch 6.1 && sudo npx tcpconform run --target qemu:6.1`;

export async function kernelsCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [sub, ...rest] = positionals;
  if (sub === 'list' && rest.length === 0) {
    const kernels = listKernels();
    if (kernels.length === 0) console.log('no kernels cached: tcpconform kernels fetch <series>');
    for (const k of kernels) console.log(`${k.series}\t${k.release}\t${k.package} ${k.packageVersion}\tsha256 ${k.sha256.slice(0, 16)}…\t${kernelDir(k.series)}`);
    return 0;
  }
  if (sub === 'fetch' && rest.length === 1) {
    checkPrivileges();
    const k = await fetchKernel(rest[0]!);
    console.log(`${k.series}: ${k.package} ${k.packageVersion} (${k.release}) in ${kernelDir(k.series)}`);
    return 0;
  }
  throw new UsageError(HELP);
}
