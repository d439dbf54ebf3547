/**
 * VM targets: a Debian kernel fetched and checked, an initramfs with busybox and the agent, a
 * boot under qemu to a working agent and network. Needs root and Debian's archive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeIpPacket, tcpPacket } from '../../harness/packet/index.ts';
import { openTarget } from '../../harness/target/index.ts';
import { buildInitramfs } from '../../harness/vm/initramfs.ts';
import { fetchKernel, kernelDir, listKernels } from '../../harness/vm/kernels.ts';
import { requireRoot } from '../support/root.ts';
import { temporaryDirectories } from '../support/temp-dir.ts';

const tempDir = temporaryDirectories();

describe('VM targets', () => {
  it('kernels fetch 6.1: vmlinuz, the e1000 module and a manifest with the archive-checked SHA256', async () => {
    requireRoot();
    const k = await fetchKernel('6.1');
    expect(k.release).toMatch(/^6\.1\./);
    expect(k.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(kernelDir('6.1'), 'vmlinuz')) && existsSync(join(kernelDir('6.1'), 'e1000.ko'))).toBe(true);
    expect(listKernels().map((m) => m.series)).toContain('6.1');
  }, 300_000);

  it('the initramfs holds /init, busybox, the static agent and the NIC module', async () => {
    const k = await fetchKernel('6.1');
    const out = join(tempDir('tcpc-initrd-'), 'initrd.cpio');
    await buildInitramfs(kernelDir('6.1'), k.modules, out);
    const files = execFileSync('sh', ['-c', `cpio -t --quiet < '${out}'`], { encoding: 'utf8' }).split('\n');
    expect(files).toEqual(expect.arrayContaining(['init', 'bin/busybox', 'agent', 'modules/00-e1000.ko']));
  });

  it('qemu:6.1 boots to a ready agent that reports kernel 6.1, and a SYN to its listener gets a SYN-ACK', async () => {
    requireRoot();
    const target = await openTarget('qemu:6.1');
    try {
      expect(target.kernel).toMatch(/^6\.1\./);
      expect(target.bootMs).toBeLessThan(60_000);
      await target.agent.listen({ port: 8080, backlog: 1 });
      const reply = target.link.waitFor((p) => {
        const d = decodeIpPacket(p.bytes);
        return d.ok && d.value.transport.protocol === 'tcp' && d.value.transport.segment.dstPort === 40000;
      }, 5000);
      await target.link.send(tcpPacket({ src: '10.77.0.130', dst: '10.77.0.2', srcPort: 40000, dstPort: 8080, seq: 1000, flags: ['SYN'], window: 64240 }));
      const d = decodeIpPacket((await reply)!.bytes);
      expect(d.ok && d.value.transport.protocol === 'tcp' && d.value.transport.segment.flags).toEqual(['SYN', 'ACK']);
    } finally {
      await target.close();
    }
    expect(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })).not.toMatch(/qemu-system/);
  }, 180_000);
});

describe('VM cleanup', () => {
  it('Ctrl-C in the middle of a VM run leaves no qemu, tap or namespace behind', async () => {
    requireRoot();
    await fetchKernel('6.1');
    const { spawn } = await import('node:child_process');
    const cli = join(import.meta.dirname, '../../bin/tcpconform.mjs');
    const qemus = (): string[] => execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('qemu-system'));
    const child = spawn(process.execPath, [cli, 'run', '--target', 'qemu:6.1', '--suite', 'half-open', '--out', tempDir('tcpc-vmint-')], { stdio: 'ignore' });
    for (let i = 0; i < 300 && qemus().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(qemus().length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    expect(await new Promise((resolve) => child.once('exit', (code) => resolve(code)))).toBe(130);
    expect(qemus()).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/tcpc-/);
  }, 120_000);
});
