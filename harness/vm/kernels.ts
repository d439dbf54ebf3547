/**
 * Debian kernels for VM targets: fetched with `apt-get download` through a private apt
 * configuration (the system's sources stay untouched), checked against the archive's SHA256,
 * unpacked to the kernel image and the one module the VM's NIC needs (e1000).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/errors.ts';
import { run } from '../lab/command.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = join(ROOT, '.cache');
const APT = join(CACHE, 'apt');

/** The Debian suite each supported series comes from. */
export const SERIES: Readonly<Record<string, string>> = { '5.10': 'bullseye', '6.1': 'bookworm', '6.12': 'bookworm-backports' };

const MIRROR = 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface KernelManifest {
  readonly series: string;
  readonly package: string;
  readonly packageVersion: string;
  readonly sha256: string;
  /** uname -r of the kernel. */
  readonly release: string;
  readonly vmlinuz: string;
  /** Modules to insmod, in order (paths relative to the kernel's directory). */
  readonly modules: readonly string[];
}

export const kernelDir = (series: string): string => join(CACHE, 'kernels', series);

function aptOptions(): string[] {
  return [
    `-o`, `Dir::Etc::SourceList=${join(APT, 'sources.list')}`,
    `-o`, 'Dir::Etc::SourceParts=/dev/null',
    `-o`, `Dir::State::Lists=${join(APT, 'lists')}`,
    `-o`, `Dir::Cache=${APT}`,
    `-o`, `Dir::Etc::Preferences=${join(APT, 'preferences')}`,
    `-o`, `Dir::Etc::PreferencesParts=${join(APT, 'preferences.d')}`,
    `-o`, 'Debug::NoLocking=1',
  ];
}

async function aptUpdate(): Promise<void> {
  mkdirSync(join(APT, 'lists', 'partial'), { recursive: true });
  mkdirSync(join(APT, 'archives', 'partial'), { recursive: true });
  mkdirSync(join(APT, 'preferences.d'), { recursive: true });
  const suites = ['bullseye', 'bullseye-security', 'bookworm', 'bookworm-security', 'bookworm-backports'];
  writeFileSync(join(APT, 'sources.list'), suites.map((s) => `deb [signed-by=${KEYRING}] ${s.endsWith('-security') ? `${MIRROR}-security` : MIRROR} ${s} main`).join('\n') + '\n');
  await run(['apt-get', ...aptOptions(), '-qq', 'update']);
}

/** The newest image package of a series: what the linux-image-amd64 metapackage of that series depends on. */
async function resolvePackage(series: string): Promise<{ name: string; version: string; sha256: string }> {
  const policy = await run(['apt-cache', ...aptOptions(), 'madison', 'linux-image-amd64']);
  const versions = policy.split('\n').map((l) => l.split('|')[1]?.trim() ?? '').filter((v) => v.startsWith(`${series}.`));
  if (versions.length === 0) throw new UsageError(`no Debian kernel of series ${series} in ${SERIES[series]}`);
  const newest = (await run(['sh', '-c', `printf '%s\\n' ${versions.map((v) => `'${v}'`).join(' ')} | sort -V | tail -1`])).trim();
  const meta = await run(['apt-cache', ...aptOptions(), 'show', `linux-image-amd64=${newest}`]);
  const name = /^Depends: (linux-image-[^\s,(]+)/m.exec(meta)?.[1];
  if (!name) throw new UsageError(`linux-image-amd64 ${newest} names no image package`);
  const show = await run(['apt-cache', ...aptOptions(), 'show', name]);
  const version = /^Version: (\S+)/m.exec(show)?.[1] ?? '';
  const sha256 = /^SHA256: (\S+)/m.exec(show)?.[1] ?? '';
  return { name, version, sha256 };
}

export async function fetchKernel(series: string): Promise<KernelManifest> {
  if (!(series in SERIES)) throw new UsageError(`unknown kernel series '${series}' (known: ${Object.keys(SERIES).join(', ')})`);
  const existing = readManifest(series);
  if (existing) return existing;
  await aptUpdate();
  const pkg = await resolvePackage(series);
  const dir = kernelDir(series);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await run(['sh', '-c', `cd '${dir}' && apt-get ${aptOptions().map((o) => `'${o}'`).join(' ')} -qq download '${pkg.name}=${pkg.version}'`]);
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new UsageError(`apt-get download of ${pkg.name} left no package`);
  const sha256 = createHash('sha256').update(readFileSync(join(dir, deb))).digest('hex');
  if (sha256 !== pkg.sha256) throw new UsageError(`${deb}: SHA256 ${sha256} does not match the archive's ${pkg.sha256}`);
  const unpacked = join(dir, 'unpacked');
  await run(['dpkg-deb', '-x', join(dir, deb), unpacked]);
  const release = readdirSync(join(unpacked, 'lib/modules'))[0]!;
  if (!(await nicModule(join(unpacked, 'lib/modules', release), join(dir, 'e1000.ko')))) throw new UsageError(`${pkg.name} has no e1000 module`);
  await run(['cp', join(unpacked, 'boot', `vmlinuz-${release}`), join(dir, 'vmlinuz')]);
  rmSync(unpacked, { recursive: true, force: true });
  rmSync(join(dir, deb));
  const manifest: KernelManifest = { series, package: pkg.name, packageVersion: pkg.version, sha256, release, vmlinuz: 'vmlinuz', modules: ['e1000.ko'] };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Finds the e1000 module under a modules tree and writes it, decompressed (busybox insmod
 * wants plain .ko; Debian ships .ko, .ko.xz or .ko.zst), to `output`. False if there is none.
 */
export async function nicModule(tree: string, output: string): Promise<boolean> {
  const found = (await run(['find', tree, '-maxdepth', '8', '-name', 'e1000.ko*'])).trim().split('\n')[0];
  if (!found) return false;
  if (found.endsWith('.xz')) await run(['sh', '-c', `xz -dc '${found}' > '${output}'`]);
  else if (found.endsWith('.zst')) await run(['zstd', '-q', '-d', '-f', found, '-o', output]);
  else await run(['cp', found, output]);
  return true;
}

export function readManifest(series: string): KernelManifest | null {
  const path = join(kernelDir(series), 'manifest.json');
  if (!existsSync(path)) return null;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as KernelManifest;
    return existsSync(join(kernelDir(series), m.vmlinuz)) ? m : null;
  } catch {
    return null;
  }
}

export function listKernels(): KernelManifest[] {
  return Object.keys(SERIES).flatMap((s) => readManifest(s) ?? []);
}
