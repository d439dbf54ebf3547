/*
 * lwIP's stack (Debian's liblwip 2.1.3, its unix port): the agent's sockets are lwIP's, on a tap
 * device whose other end is the lab's tester (TCPCONFORM_LWIP_TAP names it). lwIP has no
 * sysctls: its build-time settings are reported under the Linux names the model reads, fixed.
 * Its addresses come from the environment: TCPCONFORM_LWIP_IPV4 (address/prefix, gateway) and
 * TCPCONFORM_LWIP_IPV6 (address, and an address in the peers' /64, which lwIP otherwise would
 * not reach: it takes a static address's /64 as on-link and knows no routes of its own).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

#include "stack.h"

static struct netif tap;

/* ---- the tap, driven here rather than by the library's tapif: Debian's liblwip 2.1.3 tapif
 * copies a frame into pool pbufs smaller than it takes them to be (valgrind: pbuf_take writing
 * past a 616-byte block), and the first long frame corrupts the heap. ----------------------- */

#define FRAME_MAX 1518
static int tap_fd = -1;
static const u8_t TAP_MAC[6] = { 0x02, 0x77, 0x74, 0x63, 0x00, 0x02 };

static err_t tap_output(struct netif *netif, struct pbuf *p)
{
	(void)netif;
	char frame[FRAME_MAX];
	if (p->tot_len > sizeof frame)
		return ERR_IF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	return write(tap_fd, frame, p->tot_len) == (ssize_t)p->tot_len ? ERR_OK : ERR_IF;
}

static err_t tap_init(struct netif *netif)
{
	netif->name[0] = 't';
	netif->name[1] = 'p';
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = tap_output;
	netif->mtu = 1500;
	netif->hwaddr_len = sizeof TAP_MAC;
	memcpy(netif->hwaddr, TAP_MAC, sizeof TAP_MAC);
	/* Without MLD the netif joins no solicited-node group and never answers neighbour solicitations. */
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif_set_link_up(netif);
	return ERR_OK;
}

/* Every frame the tap delivers, in one RAM pbuf, to the tcpip thread (tcpip_input). */
static void *tap_reader(void *unused)
{
	(void)unused;
	static char frame[FRAME_MAX];
	for (;;) {
		ssize_t n = read(tap_fd, frame, sizeof frame);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "tcpconform-agent-lwip: reading the tap failed: %s\n", strerror(errno));
			exit(1);
		}
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
		if (!p)
			continue;
		memcpy(p->payload, frame, (size_t)n);
		if (tap.input(p, &tap) != ERR_OK)
			pbuf_free(p);
	}
	return NULL;
}

static int open_tap(const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	tap_fd = open("/dev/net/tun", O_RDWR);
	if (tap_fd < 0 || ioctl(tap_fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tcpconform-agent-lwip: opening tap %s failed: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}
static pthread_mutex_t up_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t up_cond = PTHREAD_COND_INITIALIZER;
static int tcpip_up;

static void on_tcpip_up(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&up_lock);
	tcpip_up = 1;
	pthread_cond_signal(&up_cond);
	pthread_mutex_unlock(&up_lock);
}

/* "a.b.c.d/len,gateway" */
static int parse_ipv4(const char *text, ip4_addr_t *addr, ip4_addr_t *mask, ip4_addr_t *gw)
{
	char copy[64];
	snprintf(copy, sizeof copy, "%s", text);
	char *slash = strchr(copy, '/'), *comma = strchr(copy, ',');
	if (!slash || !comma)
		return -1;
	*slash = *comma = 0;
	int len = atoi(slash + 1);
	if (!ip4addr_aton(copy, addr) || !ip4addr_aton(comma + 1, gw) || len < 1 || len > 32)
		return -1;
	ip4_addr_set_u32(mask, lwip_htonl(len == 32 ? 0xffffffffu : ~(0xffffffffu >> len)));
	return 0;
}

/* "address,peer-prefix-address" */
static int add_ipv6(const char *text)
{
	char copy[128];
	snprintf(copy, sizeof copy, "%s", text);
	char *comma = strchr(copy, ',');
	if (!comma)
		return -1;
	*comma = 0;
	ip6_addr_t own, peers;
	if (!ip6addr_aton(copy, &own) || !ip6addr_aton(comma + 1, &peers))
		return -1;
	/* Preferred: the source of every connection (RFC 6724 rule 3 before rule 8 in
	 * ip6_select_source_address); the peers' one deprecated, only to make their /64 on-link. */
	netif_ip6_addr_set(&tap, 1, &own);
	netif_ip6_addr_set_state(&tap, 1, IP6_ADDR_PREFERRED);
	netif_ip6_addr_set(&tap, 2, &peers);
	netif_ip6_addr_set_state(&tap, 2, IP6_ADDR_DEPRECATED);
	return 0;
}

int stack_init(void)
{
	const char *name = getenv("TCPCONFORM_LWIP_TAP"), *v4 = getenv("TCPCONFORM_LWIP_IPV4"), *v6 = getenv("TCPCONFORM_LWIP_IPV6");
	ip4_addr_t addr, mask, gw;
	if (!name || !v4 || parse_ipv4(v4, &addr, &mask, &gw)) {
		fprintf(stderr, "tcpconform-agent-lwip: set TCPCONFORM_LWIP_TAP=<tap> and TCPCONFORM_LWIP_IPV4=<a.b.c.d/len,gateway> (TCPCONFORM_LWIP_IPV6=<address,peer address>)\n");
		return -1;
	}
	if (open_tap(name))
		return -1;
	tcpip_init(on_tcpip_up, NULL);
	pthread_mutex_lock(&up_lock);
	while (!tcpip_up)
		pthread_cond_wait(&up_cond, &up_lock);
	pthread_mutex_unlock(&up_lock);
	LOCK_TCPIP_CORE();
	netif_add(&tap, &addr, &mask, &gw, NULL, tap_init, tcpip_input);
	netif_set_default(&tap);
	netif_set_up(&tap);
	int bad = v6 && add_ipv6(v6);
	UNLOCK_TCPIP_CORE();
	if (bad) {
		fprintf(stderr, "tcpconform-agent-lwip: bad TCPCONFORM_LWIP_IPV6 '%s'\n", v6);
		return -1;
	}
	pthread_t reader;
	return pthread_create(&reader, NULL, tap_reader, NULL);
}

const char *stack_name(void)
{
	return "lwIP " LWIP_VERSION_STRING;
}

/* lwip_setsockopt knows none of these (ENOPROTOOPT), and sendto ignores MSG_FASTOPEN. */
const char *stack_lacks(void)
{
	return "\"TCP_SYNCNT\",\"TCP_MAXSEG\",\"TCP_FASTOPEN\",\"MSG_FASTOPEN\"";
}

int sk_socket(int family)
{
	int fd = lwip_socket(family, SOCK_STREAM, 0);
	if (fd >= 0 && lwip_fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		int err = errno;
		lwip_close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int sk_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	return lwip_setsockopt(fd, level, name, value, len);
}

int sk_getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	return lwip_getsockopt(fd, level, name, value, len);
}

int sk_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	return lwip_bind(fd, a, len);
}

int sk_listen(int fd, int backlog)
{
	return lwip_listen(fd, backlog);
}

int sk_accept(int fd, struct sockaddr *peer, socklen_t *len)
{
	int child = lwip_accept(fd, peer, len);
	if (child >= 0)
		lwip_fcntl(child, F_SETFL, O_NONBLOCK);
	return child;
}

int sk_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	return lwip_connect(fd, a, len);
}

ssize_t sk_sendto(int fd, const void *data, size_t len, int flags, const struct sockaddr *a, socklen_t alen)
{
	return lwip_sendto(fd, data, len, flags, a, alen);
}

int sk_close(int fd)
{
	return lwip_close(fd);
}

int sk_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	return lwip_getsockname(fd, a, len);
}

int sk_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	return lwip_poll(fds, n, timeout_ms);
}

/* lwip_poll takes no host descriptor: stdin is polled on its own, the sockets between times. */
#define SOCKET_POLL_MS 2

void sk_wait(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		if (n > 1 && lwip_poll(fds + 1, n - 1, 0) > 0)
			return;
		double left = timeout_ms < 0 ? -1 : deadline - now_ms();
		if (timeout_ms >= 0 && left <= 0)
			return;
		int slice = n > 1 ? SOCKET_POLL_MS : (int)left;
		if (left >= 0 && left < slice)
			slice = (int)left + 1;
		if (poll(fds, 1, slice) > 0)
			return;
	}
}

/* ---- settings: lwIP's build-time options, under the sysctl names the model reads -------- */

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct {
	const char *name;
	const char *value;
} SETTINGS[] = {
	{ "net.ipv4.tcp_timestamps", STR(LWIP_TCP_TIMESTAMPS) },
	{ "net.ipv4.tcp_sack", STR(LWIP_TCP_SACK_OUT) },
	{ "net.ipv4.tcp_window_scaling", STR(LWIP_WND_SCALE) },
	/* SYN retransmissions before connect() gives up (TCP_SYNMAXRTX). */
	{ "net.ipv4.tcp_syn_retries", STR(TCP_SYNMAXRTX) },
};

int stack_setting_read(const char *name, char *value, size_t cap)
{
	for (size_t i = 0; i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
		if (!strcmp(SETTINGS[i].name, name)) {
			snprintf(value, cap, "%s", SETTINGS[i].value);
			return 0;
		}
	}
	return ENOENT;
}

int stack_setting_write(const char *name, const char *value)
{
	(void)value;
	char current[32];
	/* Fixed when lwIP was built. */
	return stack_setting_read(name, current, sizeof current) ? ENOENT : EPERM;
}

int stack_set_mtu(const char *addr, int mtu, int *previous)
{
	(void)addr, (void)mtu, (void)previous;
	return EOPNOTSUPP; /* frames are at most FRAME_MAX bytes: the MTU stays 1500 */
}

void stack_reset(void)
{
	/* No MTU to restore, and lwIP keeps no route or metrics cache a case could leave behind. */
}

int stack_put_sockets(double want, const int *listeners, int nlisteners)
{
	(void)want, (void)listeners, (void)nlisteners;
	return EOPNOTSUPP;
}

void stack_put_counters(void)
{
	/* LWIP_STATS is 0 in this build: no counters to report. */
}
