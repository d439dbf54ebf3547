/* The interface MTU (SIOCSIFMTU) and the tcp_metrics flush (generic netlink, family
 * "tcp_metrics"): no iproute2 needed, so the same code works in a VM's bare initramfs. */
#define _GNU_SOURCE
#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcp_metrics.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Below IPv6's minimum MTU (1280) Linux takes IPv6 off the interface, its addresses and routes
 * with it (addrconf_notify, NETDEV_CHANGEMTU): they are saved first and put back on restore. */
#define IPV6_MIN_MTU 1280
#define MAX_SAVED 8

struct in6_ifreq {
	struct in6_addr addr;
	unsigned prefix_length;
	int ifindex;
};

static struct {
	int changed;
	char name[IFNAMSIZ];
	int mtu;
	int naddrs, nroutes;
	struct in6_ifreq addrs[MAX_SAVED];
	struct in6_rtmsg routes[MAX_SAVED];
} saved;

static int interface_of(const char *addr, char *name)
{
	unsigned char want[16];
	int family = inet_pton(AF_INET, addr, want) == 1 ? AF_INET : inet_pton(AF_INET6, addr, want) == 1 ? AF_INET6 : 0;
	if (!family)
		return EINVAL;
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return errno;
	int err = ENODEV;
	for (struct ifaddrs *i = list; i && err; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		const void *have = family == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (memcmp(have, want, family == AF_INET ? 4 : 16) == 0) {
			snprintf(name, IFNAMSIZ, "%s", i->ifa_name);
			err = 0;
		}
	}
	freeifaddrs(list);
	return err;
}

static unsigned prefix_length(const struct sockaddr_in6 *mask)
{
	unsigned n = 0;
	for (int i = 0; i < 16; i++)
		n += (unsigned)__builtin_popcount(mask->sin6_addr.s6_addr[i]);
	return n;
}

/* The interface's global IPv6 addresses, and the IPv6 routes through it via a gateway (/proc/net/ipv6_route). */
static void save_ipv6(const char *name)
{
	int index = (int)if_nametoindex(name);
	struct ifaddrs *list;
	saved.naddrs = saved.nroutes = 0;
	if (getifaddrs(&list) == 0) {
		for (struct ifaddrs *i = list; i; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, name) || saved.naddrs == MAX_SAVED)
				continue;
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)i->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr))
				continue;
			saved.addrs[saved.naddrs++] = (struct in6_ifreq){ a->sin6_addr, prefix_length((const struct sockaddr_in6 *)i->ifa_netmask), index };
		}
		freeifaddrs(list);
	}
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char line[256], dst[33], gateway[33], dev[IFNAMSIZ + 1];
	unsigned dst_length, metric, flags;
	while (f && fgets(line, sizeof line, f) && saved.nroutes < MAX_SAVED) {
		if (sscanf(line, "%32s %x %*s %*x %32s %x %*x %*x %x %16s", dst, &dst_length, gateway, &metric, &flags, dev) != 6 || strcmp(dev, name) || !(flags & RTF_GATEWAY))
			continue;
		struct in6_rtmsg *r = &saved.routes[saved.nroutes++];
		memset(r, 0, sizeof *r);
		for (int b = 0; b < 16; b++) {
			sscanf(dst + 2 * b, "%2hhx", &r->rtmsg_dst.s6_addr[b]);
			sscanf(gateway + 2 * b, "%2hhx", &r->rtmsg_gateway.s6_addr[b]);
		}
		r->rtmsg_dst_len = (unsigned short)dst_length;
		r->rtmsg_metric = metric;
		r->rtmsg_flags = RTF_UP | RTF_GATEWAY;
		r->rtmsg_ifindex = index;
	}
	if (f)
		fclose(f);
}

static void restore_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	/* The interface's IPv6 settings were made anew from the defaults: no duplicate address
	 * detection, or the addresses would stay tentative for a second. */
	char path[128];
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/accept_dad", saved.name);
	FILE *dad = fopen(path, "w");
	if (dad) {
		fputs("0", dad);
		fclose(dad);
	}
	for (int i = 0; i < saved.naddrs; i++)
		ioctl(fd, SIOCSIFADDR, &saved.addrs[i]);
	for (int i = 0; i < saved.nroutes; i++)
		ioctl(fd, SIOCADDRT, &saved.routes[i]);
	close(fd);
}

static int mtu_ioctl(const char *name, unsigned long request, int *mtu)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct ifreq r;
	memset(&r, 0, sizeof r);
	snprintf(r.ifr_name, sizeof r.ifr_name, "%s", name);
	r.ifr_mtu = *mtu;
	int err = ioctl(fd, request, &r) < 0 ? errno : 0;
	if (!err)
		*mtu = r.ifr_mtu;
	close(fd);
	return err;
}

int link_set_mtu(const char *addr, int mtu, int *previous)
{
	char name[IFNAMSIZ];
	int err = interface_of(addr, name);
	if (!err)
		err = mtu_ioctl(name, SIOCGIFMTU, previous);
	if (!err && !saved.changed) {
		saved.changed = 1;
		snprintf(saved.name, sizeof saved.name, "%s", name);
		saved.mtu = *previous;
		save_ipv6(name);
	}
	if (!err)
		err = mtu_ioctl(name, SIOCSIFMTU, &mtu);
	return err;
}

void link_restore(void)
{
	if (!saved.changed)
		return;
	int now = 0;
	int lost_ipv6 = mtu_ioctl(saved.name, SIOCGIFMTU, &now) == 0 && now < IPV6_MIN_MTU && saved.mtu >= IPV6_MIN_MTU;
	mtu_ioctl(saved.name, SIOCSIFMTU, &saved.mtu);
	if (lost_ipv6)
		restore_ipv6();
	saved.changed = 0;
}

/* ---- generic netlink: one request, one answer ------------------------------------------ */

struct genl_request {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[64];
};

/* Sends a request and reads its answer into `answer`; returns 0, or the errno of a failed one. */
static int genl_call(int fd, struct genl_request *req, char *answer, size_t cap)
{
	if (send(fd, req, req->n.nlmsg_len, 0) < 0)
		return errno;
	ssize_t n = recv(fd, answer, cap, 0);
	if (n < (ssize_t)sizeof(struct nlmsghdr))
		return n < 0 ? errno : EPROTO;
	const struct nlmsghdr *h = (const struct nlmsghdr *)answer;
	if (h->nlmsg_type == NLMSG_ERROR)
		return -((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	return 0;
}

/* The id of generic netlink family `name`, or -errno. */
static int genl_family(int fd, const char *name)
{
	struct genl_request req;
	memset(&req, 0, sizeof req);
	struct nlattr *a = (struct nlattr *)req.attrs;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + strlen(name) + 1;
	memcpy((char *)a + NLA_HDRLEN, name, strlen(name) + 1);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_ALIGN(a->nla_len));
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	char answer[4096];
	int err = genl_call(fd, &req, answer, sizeof answer);
	if (err)
		return -err;
	const struct nlmsghdr *h = (const struct nlmsghdr *)answer;
	int left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (const struct nlattr *at = (const struct nlattr *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN); left >= NLA_HDRLEN && at->nla_len >= NLA_HDRLEN;
	     left -= NLA_ALIGN(at->nla_len), at = (const struct nlattr *)((const char *)at + NLA_ALIGN(at->nla_len)))
		if (at->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(const unsigned short *)((const char *)at + NLA_HDRLEN);
	return -ENOENT;
}

int link_flush_tcp_metrics(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return errno;
	int family = genl_family(fd, TCP_METRICS_GENL_NAME);
	int err = family < 0 ? -family : 0;
	if (!err) {
		/* TCP_METRICS_CMD_DEL without an address flushes every entry (tcp_metrics_nl_cmd_del). */
		struct genl_request req;
		memset(&req, 0, sizeof req);
		req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		req.n.nlmsg_type = (unsigned short)family;
		req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		req.g.cmd = TCP_METRICS_CMD_DEL;
		req.g.version = TCP_METRICS_GENL_VERSION;
		char answer[1024];
		err = genl_call(fd, &req, answer, sizeof answer);
	}
	close(fd);
	return err;
}
