/**
 * The lab's private ranges (DESIGN.md "The lab"): every lab uses the same addresses in its own
 * namespaces. IPv4 in 10.77.0.0/16; IPv6 in one unique-local prefix (RFC 4193), fd77:7463::/48,
 * with one /64 for the link and another for the tester's peers.
 */
import { parseIpv4, parseIpv6, type IpFamily } from '../packet/address.ts';

export const LAB_PREFIX = 'tcpc-';
/** The raw link's SO_MARK: the tester's nftables table lets only packets with it leave. */
export const RAW_MARK = 0x7463;

export interface LabNet {
  readonly family: IpFamily;
  readonly tester: string;
  readonly target: string;
  /** Of the link's prefix. */
  readonly prefixLength: number;
  /** Crafted clients and the remote peers of the target's connect() live here, on the tester side. */
  readonly clientRange: string;
  /** Host `n` (1-255) of the client range. */
  host(n: number): string;
  /** Which host of the client range an address is, or null when it is none. */
  hostNumber(address: string): number | null;
}

const IPV6_CLIENTS = 'fd77:7463:0:1::';
/** Its bytes, parsed once: every captured packet's destination is matched against them. */
const IPV6_CLIENT_BYTES = parseIpv6(IPV6_CLIENTS)!;

export const LAB_NETS: Readonly<Record<IpFamily, LabNet>> = {
  4: {
    family: 4,
    tester: '10.77.0.1',
    target: '10.77.0.2',
    prefixLength: 24,
    clientRange: '10.77.0.128/25',
    host: (n) => `10.77.0.${n}`,
    hostNumber(address) {
      const bytes = parseIpv4(address);
      return bytes !== null && bytes[0] === 10 && bytes[1] === 77 && bytes[2] === 0 ? bytes[3]! : null;
    },
  },
  6: {
    family: 6,
    tester: 'fd77:7463::1',
    target: 'fd77:7463::2',
    prefixLength: 64,
    clientRange: `${IPV6_CLIENTS}/64`,
    host: (n) => `${IPV6_CLIENTS}${n.toString(16)}`,
    hostNumber(address) {
      const bytes = parseIpv6(address);
      return bytes !== null && bytes.subarray(0, 15).every((b, i) => b === IPV6_CLIENT_BYTES[i]) ? bytes[15]! : null;
    },
  },
};
