/**
 * `qemu:<series>` (a Debian kernel fetched with `tcpconform kernels fetch`) or
 * `qemu:/path/to/vmlinuz` (its modules tree beside it, searched for e1000): a kernel booted in a VM.
 */
import { readinessProbeAck } from '../model/harness-numbers.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import { probeAnswer, probePacket } from '../executor/probe.ts';
import { LAB_NETS } from '../lab/addresses.ts';
import { Lab } from '../lab/lab.ts';
import { RawLink } from '../link/raw-link.ts';
import { kernelDir, nicModule, readManifest, SERIES } from '../vm/kernels.ts';
import { bootVm, type VmKernel } from '../vm/qemu.ts';
import { abandon, LAB_ADDRESSES, targetOf, type Target } from './target.ts';

async function vmKernel(spec: string): Promise<VmKernel> {
  if (spec in SERIES) {
    const manifest = readManifest(spec);
    if (!manifest) throw new UsageError(`kernel ${spec} is not fetched: run \`npx tcpconform kernels fetch ${spec}\``);
    return { vmlinuz: `${kernelDir(spec)}/${manifest.vmlinuz}`, directory: kernelDir(spec), modules: manifest.modules };
  }
  if (spec.startsWith('/')) {
    if (!existsSync(spec)) throw new UsageError(`no kernel image at ${spec}`);
    // A kernel of your own: its modules tree (e.g. lib/modules/<release>) beside the image is
    // searched for e1000; without one the driver must be built in.
    const directory = mkdtempSync(join(tmpdir(), 'tcpc-kernel-'));
    const found = await nicModule(dirname(spec), join(directory, 'e1000.ko'));
    return { vmlinuz: spec, directory, modules: found ? ['e1000.ko'] : [] };
  }
  throw new UsageError(`bad qemu target '${spec}': a kernel series (${Object.keys(SERIES).join(', ')}) or an absolute path to a vmlinuz`);
}

/**
 * The agent answers before the VM's NIC has link (e1000 negotiates for a second or two): a VM
 * is ready once a bare ACK to its closed port comes back as RST.
 */
async function untilReachable(link: RawLink): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let probe = 0; Date.now() < deadline; probe++) {
    const ack = readinessProbeAck(probe);
    const back = link.waitFor(probeAnswer(ack), 250);
    await link.send(probePacket({ addr: LAB_NETS[4].host(250), port: 30_000 + probe }, LAB_NETS[4].target, ack));
    if (await back) return;
  }
  throw new EnvironmentError('the VM booted but never answered on its network link within 60 s');
}

export async function openQemuTarget(kernelSpec: string, spec: string): Promise<Target> {
  const kernel = await vmKernel(kernelSpec);
  const lab = await Lab.withTap(spec);
  let link: RawLink | null = null;
  let vm: Awaited<ReturnType<typeof bootVm>> | null = null;
  try {
    vm = await bootVm(lab, kernel);
    link = await RawLink.start(lab.tester);
    for (const pid of link.pids) lab.addPid(pid);
    await untilReachable(link);
    const booted = vm;
    return targetOf({ spec, kernel: booted.kernel, stack: 'linux', lacks: booted.lacks, agent: booted.agent, link, addresses: LAB_ADDRESSES, mtu: 1500, ownsLink: true, sideBySide: 4, barrierSettleMs: 0, bootMs: booted.bootMs }, async () => {
      await booted.close();
      await lab.close();
    });
  } catch (error) {
    return abandon({ link, other: [vm?.close()] }, () => lab.close(), error);
  }
}
