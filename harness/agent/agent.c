/*
 * tcpconform-agent: makes the socket calls an application would, when told, and nothing else.
 * Listeners never accept until asked, so their accept queues really fill. One JSON object per
 * line on stdin (a request) and on stdout (a reply); DESIGN.md "Agent protocol" lists the ops.
 * A single-threaded poll loop: calls that wait (accept, connect) reply when they are done,
 * possibly out of order, and never block other requests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "link.h"

#define MAX_LINE 65536
#define MAX_SOCKETS 512
#define MAX_WAITS 256
#define MAX_SYSCTLS 64
#define REPLY_MAX 262144

/* ---- replies ---------------------------------------------------------------------------- */

static char reply[REPLY_MAX];

static void put(const char *fmt, ...)
{
	size_t n = strlen(reply);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reply + n, sizeof reply - n, fmt, ap);
	va_end(ap);
}

static void put_string(const char *s)
{
	json_quote(reply, sizeof reply, s);
}

static void begin(double id)
{
	snprintf(reply, sizeof reply, "{\"id\":%.0f,\"ok\":true", id);
}

static void send_reply(void)
{
	put("}\n");
	fputs(reply, stdout);
	fflush(stdout);
}

static void fail(const char *id, const char *error, int err)
{
	snprintf(reply, sizeof reply, "{\"id\":%s,\"ok\":false,\"error\":", id);
	put_string(error);
	if (err)
		put(",\"errno\":\"%s\"", strerrorname_np(err) ? strerrorname_np(err) : "EUNKNOWN");
	send_reply();
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- addresses: "a.b.c.d:port" or "[v6]:port" ------------------------------------------- */

union address {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr_storage any;
};

/* An address of either family from its text (IPv6 with no brackets); 0 if it is neither. */
static socklen_t address_of(const char *text, unsigned port, union address *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, text, &a->v4.sin_addr) == 1) {
		a->v4.sin_family = AF_INET;
		a->v4.sin_port = htons((unsigned short)port);
		return sizeof a->v4;
	}
	if (inet_pton(AF_INET6, text, &a->v6.sin6_addr) == 1) {
		a->v6.sin6_family = AF_INET6;
		a->v6.sin6_port = htons((unsigned short)port);
		return sizeof a->v6;
	}
	return 0;
}

static void format_address(const union address *a, char *out, size_t cap)
{
	char text[INET6_ADDRSTRLEN];
	if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->v6.sin6_addr, text, sizeof text);
		snprintf(out, cap, "[%s]:%u", text, ntohs(a->v6.sin6_port));
	} else {
		inet_ntop(AF_INET, &a->v4.sin_addr, text, sizeof text);
		snprintf(out, cap, "%s:%u", text, ntohs(a->v4.sin_port));
	}
}

static void put_local(int fd)
{
	union address a;
	socklen_t len = sizeof a;
	char text[INET6_ADDRSTRLEN + 8];
	if (getsockname(fd, &a.sa, &len) == 0) {
		format_address(&a, text, sizeof text);
		put(",\"local\":\"%s\"", text);
	}
}

static unsigned port_of(const union address *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->v6.sin6_port : a->v4.sin_port);
}

/* ---- sockets the agent opened, and calls waiting on them ------------------------------ */

struct sock {
	int fd;
	int listening;
	double connect_started;
};

static struct sock sockets[MAX_SOCKETS];
static int nsockets;

static void track(int fd, int listening, double started)
{
	if (nsockets < MAX_SOCKETS)
		sockets[nsockets++] = (struct sock){ fd, listening, started };
}

static struct sock *find(int fd)
{
	for (int i = 0; i < nsockets; i++)
		if (sockets[i].fd == fd)
			return &sockets[i];
	return NULL;
}

enum wait_kind { WAIT_ACCEPT, WAIT_CONNECT };

struct wait {
	enum wait_kind kind;
	double id;
	int fd;
	int max;
	double deadline;
	int count;
	char accepted[8192];
};

static struct wait waits[MAX_WAITS];
static int nwaits;

static void drop_wait(int i)
{
	waits[i] = waits[--nwaits];
}

/* Accepts what is queued, up to the wait's max; returns 1 when the wait is satisfied. */
static int accept_ready(struct wait *w)
{
	while (w->count < w->max) {
		union address peer;
		socklen_t len = sizeof peer;
		int fd = accept4(w->fd, &peer.sa, &len, SOCK_NONBLOCK);
		if (fd < 0)
			return 0;
		track(fd, 0, 0);
		char one[256], text[INET6_ADDRSTRLEN + 8];
		format_address(&peer, text, sizeof text);
		snprintf(one, sizeof one, "%s{\"fd\":%d,\"peer\":\"%s\"}", w->count ? "," : "", fd, text);
		strncat(w->accepted, one, sizeof w->accepted - strlen(w->accepted) - 1);
		w->count++;
	}
	return 1;
}

static void finish_accept(struct wait *w)
{
	begin(w->id);
	put(",\"accepted\":[%s]", w->accepted);
	send_reply();
}

/* Replies with a connect's outcome once the socket is writable or failed; returns 1 if done. */
static int connect_done(struct wait *w, int timed_out)
{
	struct sock *s = find(w->fd);
	int err = 0;
	socklen_t len = sizeof err;
	if (!timed_out) {
		struct pollfd p = { w->fd, POLLOUT, 0 };
		if (poll(&p, 1, 0) <= 0)
			return 0;
		getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	}
	begin(w->id);
	put(",\"fd\":%d", w->fd);
	if (timed_out)
		put(",\"errno\":\"EINPROGRESS\",\"in_progress\":true");
	else if (err)
		put(",\"errno\":\"%s\"", strerrorname_np(err) ? strerrorname_np(err) : "EUNKNOWN");
	else
		put(",\"errno\":null");
	put(",\"elapsed_ms\":%.3f", now_ms() - (s ? s->connect_started : now_ms()));
	put_local(w->fd);
	send_reply();
	return 1;
}

/* ---- sysctls, restored by reset -------------------------------------------------------- */

struct sysctl_change {
	char name[J_STR_MAX];
	char previous[256];
};

static struct sysctl_change changes[MAX_SYSCTLS];
static int nchanges;

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

static int sysctl_read(const char *name, char *value, size_t cap)
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

static int sysctl_write(const char *name, const char *value)
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

/* ---- ops ------------------------------------------------------------------------------- */

/* Field accessors: each returns 0 and fails the request when the field is missing or ill-typed. */
static char id_text[32];

static int number(const struct jobject *o, const char *key, double *out, int required)
{
	const struct jfield *f = json_get(o, key);
	if (!f && !required)
		return 1;
	if (!f || f->type != J_NUMBER) {
		char message[96];
		snprintf(message, sizeof message, "field '%s' must be a number", key);
		fail(id_text, message, 0);
		return 0;
	}
	*out = f->number;
	return 1;
}

static int flag(const struct jobject *o, const char *key, int fallback)
{
	const struct jfield *f = json_get(o, key);
	return f && f->type == J_BOOL ? f->boolean : fallback;
}

/*
 * TCP_MAXSEG before listen() or connect(), when the request names one. Returns 1 when set or
 * absent; else the reply is sent and the socket closed.
 */
static int set_maxseg(int fd, const struct jobject *o)
{
	double maxseg = 0;
	if (!number(o, "maxseg", &maxseg, 0)) {
		close(fd);
		return 0;
	}
	int value = (int)maxseg;
	if (maxseg > 0 && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &value, sizeof value) < 0) {
		int err = errno;
		close(fd);
		fail(id_text, "TCP_MAXSEG failed", err);
		return 0;
	}
	return 1;
}

static void op_listen(double id, const struct jobject *o)
{
	double port, backlog;
	const struct jfield *addr = json_get(o, "addr");
	if (!number(o, "port", &port, 1) || !number(o, "backlog", &backlog, 1))
		return;
	union address a;
	socklen_t alen = address_of(addr && addr->type == J_STRING ? addr->string : "0.0.0.0", (unsigned)port, &a);
	if (!alen)
		return fail(id_text, "addr is not an IP address", 0);
	int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1, v6only = flag(o, "v6only", 1);
	if (fd < 0)
		return fail(id_text, "socket failed", errno);
	if (flag(o, "reuseaddr", 1))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Without IPV6_V6ONLY an IPv6 listener also takes IPv4 SYNs, as IPv4-mapped addresses (RFC 4291 §2.5.5.2). */
	if (a.sa.sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0) {
		int err = errno;
		close(fd);
		return fail(id_text, "IPV6_V6ONLY failed", err);
	}
	if (!set_maxseg(fd, o))
		return;
	if (bind(fd, &a.sa, alen) < 0 || listen(fd, (int)backlog) < 0) {
		int err = errno;
		close(fd);
		return fail(id_text, "listen failed", err);
	}
	double fastopen = 0;
	if (!number(o, "fastopen", &fastopen, 0)) {
		close(fd);
		return;
	}
	int qlen = (int)fastopen;
	if (qlen > 0 && setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof qlen) < 0) {
		int err = errno;
		close(fd);
		return fail(id_text, "TCP_FASTOPEN failed", err);
	}
	track(fd, 1, 0);
	begin(id);
	put(",\"fd\":%d", fd);
	send_reply();
}

static void op_accept(double id, const struct jobject *o)
{
	double fd, max, timeout = 0;
	if (!number(o, "fd", &fd, 1) || !number(o, "max", &max, 1) || !number(o, "timeout_ms", &timeout, 0))
		return;
	struct sock *s = find((int)fd);
	if (!s || !s->listening)
		return fail(id_text, "fd is not a listener of this agent", EBADF);
	if (nwaits == MAX_WAITS)
		return fail(id_text, "too many calls waiting", EAGAIN);
	struct wait *w = &waits[nwaits++];
	*w = (struct wait){ WAIT_ACCEPT, id, (int)fd, (int)max, now_ms() + timeout, 0, "" };
	if (accept_ready(w) || timeout <= 0) {
		finish_accept(w);
		drop_wait(nwaits - 1);
	}
}

static void op_connect(double id, const struct jobject *o)
{
	double port, syncnt = 0, timeout = 600000, bind_port = 0, fastopen = -1;
	const struct jfield *addr = json_get(o, "addr");
	if (!addr || addr->type != J_STRING)
		return fail(id_text, "field 'addr' must be a string", 0);
	if (!number(o, "port", &port, 1) || !number(o, "syncnt", &syncnt, 0) || !number(o, "timeout_ms", &timeout, 0) || !number(o, "bind_port", &bind_port, 0) ||
	    !number(o, "fastopen", &fastopen, 0))
		return;
	if (fastopen > 1400)
		return fail(id_text, "fastopen must be at most 1400 bytes", 0);
	union address a;
	socklen_t alen = address_of(addr->string, (unsigned)port, &a);
	if (!alen)
		return fail(id_text, "addr is not an IP address", 0);
	int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(id_text, "socket failed", errno);
	int value = (int)syncnt;
	if (syncnt > 0 && setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &value, sizeof value) < 0) {
		int err = errno;
		close(fd);
		return fail(id_text, "TCP_SYNCNT failed", err);
	}
	if (!set_maxseg(fd, o))
		return;
	if (bind_port > 0) {
		union address local;
		socklen_t llen = address_of(a.sa.sa_family == AF_INET6 ? "::" : "0.0.0.0", (unsigned)bind_port, &local);
		if (bind(fd, &local.sa, llen) < 0) {
			int err = errno;
			close(fd);
			return fail(id_text, "bind failed", err);
		}
	}
	double started = now_ms();
	track(fd, 0, started);
	/* With `fastopen`, sendto(MSG_FASTOPEN) connects: the SYN carries that much data where a
	 * Fast Open cookie is cached, and a cookie request otherwise (then nothing is sent). */
	char data[1400];
	for (int i = 0; i < (int)sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	ssize_t rc = fastopen < 0 ? connect(fd, &a.sa, alen) : sendto(fd, data, (size_t)fastopen, MSG_FASTOPEN, &a.sa, alen);
	int err = rc < 0 ? errno : 0;
	/* Data taken into the SYN: the connection is still under way. */
	if (fastopen >= 0 && rc >= 0)
		err = EINPROGRESS;
	if (err == EINPROGRESS && !flag(o, "nonblocking", 0) && nwaits < MAX_WAITS) {
		waits[nwaits++] = (struct wait){ WAIT_CONNECT, id, fd, 0, started + timeout, 0, "" };
		return;
	}
	begin(id);
	put(",\"fd\":%d", fd);
	if (err)
		put(",\"errno\":\"%s\"", strerrorname_np(err));
	else
		put(",\"errno\":null");
	if (err == EINPROGRESS)
		put(",\"in_progress\":true");
	if (fastopen >= 0)
		put(",\"sent\":%zd", rc < 0 ? (ssize_t)0 : rc);
	put(",\"elapsed_ms\":%.3f", now_ms() - started);
	put_local(fd);
	send_reply();
}

static void op_connect_wait(double id, const struct jobject *o)
{
	double fd, timeout = 600000;
	if (!number(o, "fd", &fd, 1) || !number(o, "timeout_ms", &timeout, 0))
		return;
	if (!find((int)fd))
		return fail(id_text, "fd is not a socket of this agent", EBADF);
	if (nwaits == MAX_WAITS)
		return fail(id_text, "too many calls waiting", EAGAIN);
	struct wait *w = &waits[nwaits++];
	*w = (struct wait){ WAIT_CONNECT, id, (int)fd, 0, now_ms() + timeout, 0, "" };
	if (connect_done(w, 0))
		drop_wait(nwaits - 1);
}

/* Cancels every call waiting on fd (or all, fd < 0) with an error reply. */
static void cancel_waits(int fd, const char *why)
{
	for (int i = nwaits - 1; i >= 0; i--) {
		if (fd >= 0 && waits[i].fd != fd)
			continue;
		char wid[32];
		snprintf(wid, sizeof wid, "%.0f", waits[i].id);
		fail(wid, why, 0);
		drop_wait(i);
	}
}

/* TCPCONFORM_PLAIN_CLOSE_HANDSHAKES (set by the gVisor target): a socket whose handshake is
 * not done (SYN-RECEIVED after crossed SYNs) is closed plainly between cases. gVisor's netstack
 * (runsc 20221219) panics resetting one, its sender not yet made
 * (tcp.(*endpoint).resetConnectionLocked; fixed upstream in google/gvisor#12567), and the reset
 * must not take the sandbox down. Linux keeps the RST: closed plainly, its SYN-RECEIVED socket
 * would retransmit into the next case (TCPSynRetrans). */
static int plain_close_handshakes;

static int handshake_pending(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof info;
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && (info.tcpi_state == TCP_SYN_SENT || info.tcpi_state == TCP_SYN_RECV);
}

static void close_socket(int fd, int abortive)
{
	if (abortive && !(plain_close_handshakes && handshake_pending(fd))) {
		struct linger l = { 1, 0 }; /* RST instead of FIN */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	close(fd);
	struct sock *s = find(fd);
	if (s)
		*s = sockets[--nsockets];
}

static void op_close(double id, const struct jobject *o)
{
	double fd;
	if (!number(o, "fd", &fd, 1))
		return;
	if (!find((int)fd))
		return fail(id_text, "fd is not a socket of this agent", EBADF);
	cancel_waits((int)fd, "socket closed");
	close_socket((int)fd, flag(o, "abortive", 0));
	begin(id);
	send_reply();
}

static void op_sysctl_get(double id, const struct jobject *o)
{
	const struct jfield *names = json_get(o, "names");
	if (!names || names->type != J_STRINGS)
		return fail(id_text, "field 'names' must be an array of strings", 0);
	begin(id);
	put(",\"values\":{");
	int first = 1;
	for (int i = 0; i < names->count; i++) {
		char value[512];
		if (sysctl_read(names->strings[i], value, sizeof value))
			continue; /* absent on this kernel: left out, so callers can tell */
		put("%s", first ? "" : ",");
		put_string(names->strings[i]);
		put(":");
		put_string(value);
		first = 0;
	}
	put("}");
	send_reply();
}

static void op_sysctl_set(double id, const struct jobject *o)
{
	const struct jfield *name = json_get(o, "name"), *value = json_get(o, "value");
	if (!name || name->type != J_STRING || !value || value->type != J_STRING)
		return fail(id_text, "fields 'name' and 'value' must be strings", 0);
	char previous[256];
	int err = sysctl_read(name->string, previous, sizeof previous);
	if (!err)
		err = sysctl_write(name->string, value->string);
	if (err) {
		char what[512];
		snprintf(what, sizeof what, "writing %.200s=%.200s failed", name->string, value->string);
		return fail(id_text, what, err);
	}
	int known = 0;
	for (int i = 0; i < nchanges; i++)
		known |= !strcmp(changes[i].name, name->string);
	if (!known && nchanges < MAX_SYSCTLS) {
		snprintf(changes[nchanges].name, sizeof changes[0].name, "%s", name->string);
		snprintf(changes[nchanges].previous, sizeof changes[0].previous, "%s", previous);
		nchanges++;
	}
	begin(id);
	put(",\"previous\":");
	put_string(previous);
	send_reply();
}

static void op_set_mtu(double id, const struct jobject *o)
{
	double mtu;
	const struct jfield *addr = json_get(o, "addr");
	if (!addr || addr->type != J_STRING)
		return fail(id_text, "field 'addr' must be a string", 0);
	if (!number(o, "mtu", &mtu, 1))
		return;
	int previous = 0;
	int err = link_set_mtu(addr->string, (int)mtu, &previous);
	if (err)
		return fail(id_text, "setting the MTU failed", err);
	begin(id);
	put(",\"previous\":%d", previous);
	send_reply();
}

static const char *tcp_state(unsigned st)
{
	static const char *names[] = { "UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV" };
	return st < sizeof names / sizeof names[0] ? names[st] : "UNKNOWN";
}

/* A listener's accept queue as ss shows it: TCP_INFO's unacked and sacked fields (Linux reuses them). */
static int listener_queue(unsigned port, unsigned *length, unsigned *limit)
{
	for (int i = 0; i < nsockets; i++) {
		union address a;
		socklen_t len = sizeof a;
		struct tcp_info info;
		socklen_t ilen = sizeof info;
		if (!sockets[i].listening || getsockname(sockets[i].fd, &a.sa, &len) || port_of(&a) != port)
			continue;
		if (getsockopt(sockets[i].fd, IPPROTO_TCP, TCP_INFO, &info, &ilen))
			return 0;
		*length = info.tcpi_unacked;
		*limit = info.tcpi_sacked;
		return 1;
	}
	return 0;
}

/* One /proc/net/tcp or tcp6 table as ss -tan shows it; addresses are in the kernel's byte order, word by word. */
static void put_sockets(const char *path, int family, double want, int *first)
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
			listener_queue(lport, &rxq, &txq);
		union address l, r;
		memset(&l, 0, sizeof l);
		memset(&r, 0, sizeof r);
		l.sa.sa_family = r.sa.sa_family = (sa_family_t)family;
		unsigned char *lb = family == AF_INET6 ? l.v6.sin6_addr.s6_addr : (unsigned char *)&l.v4.sin_addr;
		unsigned char *rb = family == AF_INET6 ? r.v6.sin6_addr.s6_addr : (unsigned char *)&r.v4.sin_addr;
		for (size_t w = 0; w < strlen(lhex) / 8 && w < 4; w++) {
			unsigned lw, rw;
			sscanf(lhex + 8 * w, "%8X", &lw);
			sscanf(rhex + 8 * w, "%8X", &rw);
			memcpy(lb + 4 * w, &lw, 4);
			memcpy(rb + 4 * w, &rw, 4);
		}
		if (family == AF_INET6) {
			l.v6.sin6_port = htons((unsigned short)lport);
			r.v6.sin6_port = htons((unsigned short)rport);
		} else {
			l.v4.sin_port = htons((unsigned short)lport);
			r.v4.sin_port = htons((unsigned short)rport);
		}
		char ltext[INET6_ADDRSTRLEN + 8], rtext[INET6_ADDRSTRLEN + 8];
		format_address(&l, ltext, sizeof ltext);
		format_address(&r, rtext, sizeof rtext);
		put("%s{\"state\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\",\"recv_q\":%u,\"send_q\":%u}", *first ? "" : ",", tcp_state(st), ltext, rtext, rxq, txq);
		*first = 0;
	}
	fclose(f);
}

static void op_sockets(double id, const struct jobject *o)
{
	double want = -1;
	if (!number(o, "port", &want, 0))
		return;
	int first = 1;
	begin(id);
	put(",\"sockets\":[");
	put_sockets("/proc/net/tcp", AF_INET, want, &first);
	put_sockets("/proc/net/tcp6", AF_INET6, want, &first);
	put("]");
	send_reply();
}

/* /proc/net/netstat and /proc/net/snmp: a header line of names, then a line of values. */
static void put_counters(const char *path, int *first)
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
			put("%s\"%s.%s\":%s", *first ? "" : ",", group, name, value);
			*first = 0;
		}
	}
	fclose(f);
}

static void op_counters(double id)
{
	int first = 1;
	begin(id);
	put(",\"counters\":{");
	put_counters("/proc/net/netstat", &first);
	put_counters("/proc/net/snmp", &first);
	put("}");
	send_reply();
}

static void reset_all(void)
{
	cancel_waits(-1, "cancelled by reset");
	while (nsockets)
		close_socket(sockets[0].fd, 1);
	while (nchanges) {
		nchanges--;
		sysctl_write(changes[nchanges].name, changes[nchanges].previous);
	}
	link_restore();
	/* Cached routes and path-MTU exceptions would carry one case's ICMP into the next, and
	 * cached Fast Open cookies one case's SYN-ACK into the next connect(). */
	sysctl_write("net.ipv4.route.flush", "1");
	sysctl_write("net.ipv6.route.flush", "1");
	link_flush_tcp_metrics();
}

static void op_info(double id)
{
	struct utsname u;
	uname(&u);
	begin(id);
	put(",\"kernel\":");
	put_string(u.release);
	put(",\"hostname\":");
	put_string(u.nodename);
	send_reply();
}

static void handle(const char *line)
{
	struct jobject o;
	const char *error = json_parse(line, &o);
	const struct jfield *idf = error ? NULL : json_get(&o, "id");
	snprintf(id_text, sizeof id_text, "null");
	if (error)
		return fail("null", error, 0);
	if (!idf || idf->type != J_NUMBER)
		return fail("null", "field 'id' must be a number", 0);
	snprintf(id_text, sizeof id_text, "%.0f", idf->number);
	double id = idf->number;
	const struct jfield *op = json_get(&o, "op");
	if (!op || op->type != J_STRING)
		return fail(id_text, "field 'op' must be a string", 0);
	const char *name = op->string;
	if (!strcmp(name, "listen")) op_listen(id, &o);
	else if (!strcmp(name, "accept")) op_accept(id, &o);
	else if (!strcmp(name, "connect")) op_connect(id, &o);
	else if (!strcmp(name, "connect_wait")) op_connect_wait(id, &o);
	else if (!strcmp(name, "close")) op_close(id, &o);
	else if (!strcmp(name, "sysctl_get")) op_sysctl_get(id, &o);
	else if (!strcmp(name, "sysctl_set")) op_sysctl_set(id, &o);
	else if (!strcmp(name, "set_mtu")) op_set_mtu(id, &o);
	else if (!strcmp(name, "sockets")) op_sockets(id, &o);
	else if (!strcmp(name, "counters")) op_counters(id);
	else if (!strcmp(name, "info")) op_info(id);
	else if (!strcmp(name, "reset")) {
		reset_all();
		begin(id);
		send_reply();
	} else {
		char message[128];
		snprintf(message, sizeof message, "unknown op '%.64s'", name);
		fail(id_text, message, 0);
	}
}

/* Completes waits whose socket is ready or whose deadline passed. */
static void service_waits(void)
{
	double now = now_ms();
	for (int i = nwaits - 1; i >= 0; i--) {
		struct wait *w = &waits[i];
		int expired = now >= w->deadline;
		int done = w->kind == WAIT_ACCEPT ? accept_ready(w) || expired : connect_done(w, 0) || (expired && connect_done(w, 1));
		if (done && w->kind == WAIT_ACCEPT)
			finish_accept(w);
		if (done)
			drop_wait(i);
	}
}

int main(void)
{
	static char buffer[MAX_LINE + 1];
	size_t used = 0;
	int discarding = 0;
	struct utsname u;
	uname(&u);
	plain_close_handshakes = getenv("TCPCONFORM_PLAIN_CLOSE_HANDSHAKES") != NULL;
	printf("{\"id\":0,\"ok\":true,\"ready\":true,\"kernel\":");
	reply[0] = 0;
	put_string(u.release);
	printf("%s}\n", reply);
	fflush(stdout);

	for (;;) {
		struct pollfd fds[MAX_WAITS + 1] = { { STDIN_FILENO, POLLIN, 0 } };
		double soonest = -1;
		for (int i = 0; i < nwaits; i++) {
			fds[i + 1] = (struct pollfd){ waits[i].fd, waits[i].kind == WAIT_ACCEPT ? POLLIN : POLLOUT, 0 };
			double left = waits[i].deadline - now_ms();
			if (soonest < 0 || left < soonest)
				soonest = left < 0 ? 0 : left;
		}
		poll(fds, (nfds_t)nwaits + 1, soonest < 0 ? -1 : (int)soonest + 1);
		service_waits();
		if (!(fds[0].revents & (POLLIN | POLLHUP)))
			continue;
		ssize_t n = read(STDIN_FILENO, buffer + used, MAX_LINE - used);
		if (n <= 0)
			break; /* EOF: the harness is gone */
		used += (size_t)n;
		char *start = buffer, *nl;
		while ((nl = memchr(start, '\n', used - (size_t)(start - buffer)))) {
			*nl = 0;
			if (discarding)
				discarding = 0;
			else if (nl > start)
				handle(start);
			start = nl + 1;
		}
		used -= (size_t)(start - buffer);
		memmove(buffer, start, used);
		if (used == MAX_LINE) {
			fail("null", "request line too long", 0);
			used = 0;
			discarding = 1;
		}
	}
	reset_all();
	return 0;
}
