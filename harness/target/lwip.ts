/**
 * `lwip`: lwIP (Debian's liblwip 2.1.3) behind its own socket API. The agent built against it
 * runs in a lab's tester namespace, on the lab's tap, so crafted packets meet lwIP,
 * not a kernel. lwIP takes the target's addresses; it knows no IPv6 router, so it is also given
 * an address in the peers' /64 (making it on-link) and the tester answers for the peers there.
 */
import { AgentClient, lwipAgentBinaryPath } from '../agent/client.ts';
import { PEER_HOSTS } from '../executor/peers.ts';
import { LAB_NETS } from '../lab/addresses.ts';
import { Lab } from '../lab/lab.ts';
import { RawLink } from '../link/raw-link.ts';
import { abandon, LAB_ADDRESSES, targetOf, type Target } from './target.ts';

/** A host of the peers' /64 no peer uses: lwIP's deprecated address there. */
const ON_LINK_HOST = 0xfff;

export async function openLwipTarget(spec: string): Promise<Target> {
  const binary = lwipAgentBinaryPath();
  const lab = await Lab.withTap(spec, { proxyPeers: PEER_HOSTS });
  let agent: AgentClient | null = null;
  let link: RawLink | null = null;
  try {
    const [v4, v6] = [LAB_NETS[4], LAB_NETS[6]];
    const environment = [`TCPCONFORM_LWIP_TAP=${lab.state.targetLink}`, `TCPCONFORM_LWIP_IPV4=${v4.target}/${v4.prefixLength},${v4.tester}`, `TCPCONFORM_LWIP_IPV6=${v6.target},${v6.host(ON_LINK_HOST)}`];
    agent = AgentClient.spawn(['ip', 'netns', 'exec', lab.tester, 'env', ...environment, binary]);
    if (agent.pid) lab.addPid(agent.pid);
    link = await RawLink.start(lab.tester);
    for (const pid of link.pids) lab.addPid(pid);
    const { kernel, lacks } = await agent.ready();
    // tapif's frames are at most 1518 bytes: the MTU is lwIP's 1500, not the harness's to change.
    return targetOf({ spec, kernel, stack: 'lwip', lacks, agent, link, addresses: LAB_ADDRESSES, mtu: 1500, ownsLink: false, sideBySide: 6, barrierSettleMs: 0 }, () => lab.close());
  } catch (error) {
    return abandon({ agent, link }, () => lab.close(), error);
  }
}
