/* The target's link-level state a case may change, and what reset undoes: the interface MTU and
 * the tcp_metrics cache (Fast Open cookies a connect() learnt). */
#ifndef TCPCONFORM_LINK_H
#define TCPCONFORM_LINK_H

/* Sets the MTU of the interface holding address `addr` (IPv4 or IPv6); *previous gets the old one.
 * Returns 0 or an errno. The first change per reset is remembered and undone by link_restore,
 * IPv6 addresses and routes included (an MTU below 1280 takes them off the interface). */
int link_set_mtu(const char *addr, int mtu, int *previous);

/* Restores the MTU changed since the last call, and the IPv6 addresses and routes that went with it. */
void link_restore(void);

/* Empties the namespace's tcp_metrics cache (what `ip tcp_metrics flush` does, over generic
 * netlink). Returns 0 or an errno. */
int link_flush_tcp_metrics(void);

#endif
