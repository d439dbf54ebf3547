/* The kernel's stack: the socket calls as they are, settings in /proc/sys, sockets and counters in /proc/net. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "link.h"
#include "stack.h"

int stack_init(void)
{
	return 0;
}

const char *stack_name(void)
{
	static struct utsname u;
	uname(&u);
	return u.release;
}

const char *stack_lacks(void)
{
	return "";
}

int sk_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
}

int sk_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	return setsockopt(fd, level, name, value, len);
}

int sk_getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	return getsockopt(fd, level, name, value, len);
}

int sk_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	return bind(fd, a, len);
}

int sk_listen(int fd, int backlog)
{
	return listen(fd, backlog);
}

int sk_accept(int fd, struct sockaddr *peer, socklen_t *len)
{
	return accept4(fd, peer, len, SOCK_NONBLOCK);
}

int sk_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	return connect(fd, a, len);
}

ssize_t sk_sendto(int fd, const void *data, size_t len, int flags, const struct sockaddr *a, socklen_t alen)
{
	return sendto(fd, data, len, flags, a, alen);
}

int sk_close(int fd)
{
	return close(fd);
}

int sk_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	return getsockname(fd, a, len);
}

int sk_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	return poll(fds, n, timeout_ms);
}

void sk_wait(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	poll(fds, n, timeout_ms);
}

/* ---- settings: /proc/sys ----------------------------------------------------------------- */

static int sysctl_path(const char *name, char *path, size_t cap)
{
	if (strstr(name, "..") || strchr(name, '/') || !*name)
		return -1;
	snprintf(path, cap, "/proc/sys/%s", name);
	for (char *c = path + 10; *c; c++)
		if (*c == '.')
			*c = '/';
	return 0;
}

int stack_setting_read(const char *name, char *value, size_t cap)
{
	char path[256];
	if (sysctl_path(name, path, sizeof path) < 0)
		return EINVAL;
	FILE *f = fopen(path, "r");
	if (!f)
		return errno;
	size_t n = fread(value, 1, cap - 1, f);
	fclose(f);
	value[n] = 0;
	while (n && value[n - 1] == '\n')
		value[--n] = 0;
	return 0;
}

int stack_setting_write(const char *name, const char *value)
{
	char path[256];
	if (sysctl_path(name, path, sizeof path) < 0)
		return EINVAL;
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, value, strlen(value));
	int err = n < 0 ? errno : 0;
	close(fd);
	return err;
}

int stack_set_mtu(const char *addr, int mtu, int *previous)
{
	return link_set_mtu(addr, mtu, previous);
}

void stack_reset(void)
{
	link_restore();
	/* Cached routes and path-MTU exceptions would carry one case's ICMP into the next, and
	 * cached Fast Open cookies one case's SYN-ACK into the next connect(). */
	stack_setting_write("net.ipv4.route.flush", "1");
	stack_setting_write("net.ipv6.route.flush", "1");
	link_flush_tcp_metrics();
}

/* ---- sockets and counters: /proc/net ------------------------------------------------------ */

static const char *tcp_state(unsigned st)
{
	static const char *names[] = { "UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV" };
	return st < sizeof names / sizeof names[0] ? names[st] : "UNKNOWN";
}

static unsigned port_of(const struct sockaddr_storage *a)
{
	return ntohs(a->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)a)->sin6_port : ((const struct sockaddr_in *)a)->sin_port);
}

/* A listener's accept queue as ss shows it: TCP_INFO's unacked and sacked fields (Linux reuses them). */
static int listener_queue(unsigned port, const int *listeners, int n, unsigned *length, unsigned *limit)
{
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage a;
		socklen_t len = sizeof a;
		struct tcp_info info;
		socklen_t ilen = sizeof info;
		if (getsockname(listeners[i], (struct sockaddr *)&a, &len) || port_of(&a) != port)
			continue;
		if (getsockopt(listeners[i], IPPROTO_TCP, TCP_INFO, &info, &ilen))
			return 0;
		*length = info.tcpi_unacked;
		*limit = info.tcpi_sacked;
		return 1;
	}
	return 0;
}

static void format_endpoint(int family, const unsigned char *bytes, unsigned port, char *out, size_t cap)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(family, bytes, text, sizeof text);
	snprintf(out, cap, family == AF_INET6 ? "[%s]:%u" : "%s:%u", text, port);
}

/* One /proc/net/tcp or tcp6 table as ss -tan shows it; addresses are in the kernel's byte order, word by word. */
static void put_table(const char *path, int family, double want, const int *listeners, int n, int *first)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	if (!fgets(line, sizeof line, f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char lhex[33], rhex[33];
		unsigned lport, rport, st, txq, rxq;
		if (sscanf(line, " %*d: %32[0-9A-Fa-f]:%4X %32[0-9A-Fa-f]:%4X %2X %8X:%8X", lhex, &lport, rhex, &rport, &st, &txq, &rxq) != 7)
			continue;
		if (want >= 0 && lport != (unsigned)want)
			continue;
		if (st == 10)
			listener_queue(lport, listeners, n, &rxq, &txq);
		unsigned char lb[16] = { 0 }, rb[16] = { 0 };
		for (size_t w = 0; w < strlen(lhex) / 8 && w < 4; w++) {
			unsigned lw, rw;
			sscanf(lhex + 8 * w, "%8X", &lw);
			sscanf(rhex + 8 * w, "%8X", &rw);
			memcpy(lb + 4 * w, &lw, 4);
			memcpy(rb + 4 * w, &rw, 4);
		}
		char ltext[INET6_ADDRSTRLEN + 8], rtext[INET6_ADDRSTRLEN + 8];
		format_endpoint(family, lb, lport, ltext, sizeof ltext);
		format_endpoint(family, rb, rport, rtext, sizeof rtext);
		reply_put("%s{\"state\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\",\"recv_q\":%u,\"send_q\":%u}", *first ? "" : ",", tcp_state(st), ltext, rtext, rxq, txq);
		*first = 0;
	}
	fclose(f);
}

int stack_put_sockets(double want, const int *listeners, int nlisteners)
{
	int first = 1;
	put_table("/proc/net/tcp", AF_INET, want, listeners, nlisteners, &first);
	put_table("/proc/net/tcp6", AF_INET6, want, listeners, nlisteners, &first);
	return 0;
}

/* /proc/net/netstat and /proc/net/snmp: a header line of names, then a line of values. */
static void put_counter_file(const char *path, int *first)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	static char names[8192], values[8192];
	while (fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		char *np, *vp;
		char *name = strtok_r(names, " \n", &np);
		char *value = strtok_r(values, " \n", &vp);
		if (!name || !value)
			continue;
		name[strlen(name) - 1] = 0; /* "TcpExt:" -> "TcpExt" */
		const char *group = name;
		while ((name = strtok_r(NULL, " \n", &np)) && (value = strtok_r(NULL, " \n", &vp))) {
			reply_put("%s\"%s.%s\":%s", *first ? "" : ",", group, name, value);
			*first = 0;
		}
	}
	fclose(f);
}

void stack_put_counters(void)
{
	int first = 1;
	put_counter_file("/proc/net/netstat", &first);
	put_counter_file("/proc/net/snmp", &first);
}
