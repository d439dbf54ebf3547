/** The host kernel in a fresh lab (`local`), or a namespace someone else made (`netns:<name>`). */
import { AgentClient, agentBinaryPath } from '../agent/client.ts';
import { run } from '../lab/command.ts';
import { Lab } from '../lab/lab.ts';
import { RawLink } from '../link/raw-link.ts';
import { abandon, LAB_ADDRESSES, targetOf, type Target } from './target.ts';

export async function openLabTarget(how: { kind: 'fresh' } | { kind: 'attach'; name: string }, spec: string, options: { pcapPath?: string } = {}): Promise<Target> {
  const lab = how.kind === 'fresh' ? await Lab.create() : await Lab.attach(how.name);
  let agent: AgentClient | null = null;
  let link: RawLink | null = null;
  try {
    agent = AgentClient.spawn(['ip', 'netns', 'exec', lab.target, agentBinaryPath()]);
    if (agent.pid) lab.addPid(agent.pid);
    link = await RawLink.start(lab.tester, options);
    for (const pid of link.pids) lab.addPid(pid);
    const { kernel, lacks } = await agent.ready();
    const mtu = Number((await run(['ip', 'netns', 'exec', lab.target, 'cat', `/sys/class/net/${lab.state.targetLink}/mtu`])).trim());
    return targetOf({ spec, kernel, stack: 'linux', lacks, agent, link, addresses: LAB_ADDRESSES, mtu, ownsLink: true, sideBySide: how.kind === 'fresh' ? 6 : 1, barrierSettleMs: 0 }, () => lab.close());
  } catch (error) {
    return abandon({ agent, link }, () => lab.close(), error);
  }
}
