/**
 * What a destination unreachable means to TCP, by address family: the errno it gives connect()
 * in SYN-SENT and whether it ends a request (a SYN-ACK's). An IPv4-mapped connection is IPv4
 * on the wire, and its errors go the IPv4 way (tcp_v6_connect switches to ipv6_mapped).
 */
import type { AddressFamily, IcmpUnreachableCode } from './actions.ts';
import type { ConnectErrno } from './expectations.ts';
import type { ProfileFlags } from './profiles.ts';

/**
 * Linux icmp_err_convert (net/ipv4/icmp.c), by ICMP code; tcp_v4_err aborts SYN-SENT on any,
 * fatal or not. Fragmentation needed (4) only adjusts the path MTU (null).
 */
const ICMP_ERRNO: Readonly<Record<IcmpUnreachableCode, ConnectErrno | null>> = {
  0: 'ENETUNREACH',
  1: 'EHOSTUNREACH',
  2: 'ENOPROTOOPT',
  3: 'ECONNREFUSED',
  4: null,
  5: 'EOPNOTSUPP', // source route failed
  6: 'ENETUNREACH', // network unknown
  7: 'EHOSTDOWN', // host unknown
  8: 'ENONET', // source host isolated
  9: 'ENETUNREACH', // network administratively prohibited
  10: 'EHOSTUNREACH', // host administratively prohibited
  11: 'ENETUNREACH', // network unreachable for TOS
  12: 'EHOSTUNREACH', // host unreachable for TOS
  13: 'EHOSTUNREACH', // communication administratively prohibited
  14: 'EHOSTUNREACH', // host precedence violation
  15: 'EHOSTUNREACH', // precedence cutoff in effect
};

/**
 * Linux icmpv6_err_convert (net/ipv6/icmp.c, tab_unreach), by ICMPv6 code: errno and fatal.
 * Codes past the table (7 source address failed ingress policy... and unassigned ones) give
 * EPROTO, fatal. tcp_v6_err aborts SYN-SENT on any, whatever `fatal` says.
 */
const ICMPV6_UNREACH: ReadonlyArray<{ errno: ConnectErrno; fatal: boolean }> = [
  { errno: 'ENETUNREACH', fatal: false }, // 0 no route to destination
  { errno: 'EACCES', fatal: true }, // 1 administratively prohibited
  { errno: 'EHOSTUNREACH', fatal: false }, // 2 beyond the scope of the source address
  { errno: 'EHOSTUNREACH', fatal: false }, // 3 address unreachable
  { errno: 'ECONNREFUSED', fatal: true }, // 4 port unreachable
  { errno: 'EACCES', fatal: true }, // 5 source address failed ingress/egress policy
  { errno: 'EACCES', fatal: true }, // 6 reject route to destination
];
const ICMPV6_BEYOND_TABLE = { errno: 'EPROTO', fatal: true } as const;

/**
 * gVisor netstack 20221219 (network/ipv4/icmp.go and ipv6/icmp.go handleICMP, tcp endpoint
 * HandleError): of destination unreachable, TCP hears IPv4 host unreachable (1) and IPv6 no
 * route (0), each fatal; the other codes are counted and dropped (IPv4's all came a day after
 * the release, 611e6e124), port unreachable included.
 */
const NETSTACK_HEARD: Readonly<Record<'ipv4' | 'ipv6', Partial<Record<IcmpUnreachableCode, ConnectErrno>>>> = { ipv4: { 1: 'EHOSTUNREACH' }, ipv6: { 0: 'ENETUNREACH' } };

const wire = (family: AddressFamily): 'ipv4' | 'ipv6' => (family === 'ipv6' ? 'ipv6' : 'ipv4');

/** What a destination unreachable does to TCP: nothing (`ignored`: the stack does not pass it on), or an errno for SYN-SENT and whether it ends a request. */
export type UnreachableEffect = { readonly kind: 'ignored' } | { readonly kind: 'pathMtu' } | { readonly kind: 'error'; readonly errno: ConnectErrno; readonly endsRequest: boolean };

export function unreachableEffect(family: AddressFamily, code: IcmpUnreachableCode, flags: Pick<ProfileFlags, 'icmpHostOrNetUnreachableOnly' | 'icmpUnreachableIgnored'>): UnreachableEffect {
  if (flags.icmpUnreachableIgnored) return { kind: 'ignored' };
  if (flags.icmpHostOrNetUnreachableOnly) {
    const errno = NETSTACK_HEARD[wire(family)][code];
    return errno === undefined ? { kind: 'ignored' } : { kind: 'error', errno, endsRequest: true };
  }
  const errno = unreachableErrno(family, code);
  return errno === null ? { kind: 'pathMtu' } : { kind: 'error', errno, endsRequest: unreachableEndsRequest(family, code) };
}

/** The errno connect() fails with in SYN-SENT, or null when the code only adjusts the path MTU. */
function unreachableErrno(family: AddressFamily, code: IcmpUnreachableCode): ConnectErrno | null {
  return family === 'ipv6' ? (ICMPV6_UNREACH[code] ?? ICMPV6_BEYOND_TABLE).errno : ICMP_ERRNO[code];
}

/**
 * Linux tcp_req_err: an error quoting the SYN-ACK ends the request when it is fatal. IPv4's
 * tcp_v4_err passes net and host unreachable (codes 0, 1) as fatal; IPv6's tcp_v6_err the
 * fatal codes of icmpv6_err_convert (1, 4, 5, 6 and past the table).
 */
function unreachableEndsRequest(family: AddressFamily, code: IcmpUnreachableCode): boolean {
  return family === 'ipv6' ? (ICMPV6_UNREACH[code] ?? ICMPV6_BEYOND_TABLE).fatal : code === 0 || code === 1;
}
