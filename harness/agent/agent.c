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
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "stack.h"

#define MAX_LINE 65536
#define MAX_SOCKETS 512
#define MAX_WAITS 256
#define MAX_SYSCTLS 64
#define REPLY_MAX 262144

/* ---- replies ---------------------------------------------------------------------------- */

static char reply[REPLY_MAX];

void reply_put(const char *fmt, ...)
{
	size_t n = strlen(reply);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reply + n, sizeof reply - n, fmt, ap);
	va_end(ap);
}

void reply_put_string(const char *s)
{
	json_quote(reply, sizeof reply, s);
}

#define put reply_put
#define put_string reply_put_string

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

double now_ms(void)
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
	if (sk_getsockname(fd, &a.sa, &len) == 0) {
		format_address(&a, text, sizeof text);
		put(",\"local\":\"%s\"", text);
	}
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
		int fd = sk_accept(w->fd, &peer.sa, &len);
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
		if (sk_poll(&p, 1, 0) <= 0)
			return 0;
		sk_getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len);
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

/* ---- settings (sysctls), restored by reset ---------------------------------------------- */

struct sysctl_change {
	char name[J_STR_MAX];
	char previous[256];
};

static struct sysctl_change changes[MAX_SYSCTLS];
static int nchanges;

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
		sk_close(fd);
		return 0;
	}
	int value = (int)maxseg;
	if (maxseg > 0 && sk_setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &value, sizeof value) < 0) {
		int err = errno;
		sk_close(fd);
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
	int fd = sk_socket(a.sa.sa_family);
	int one = 1, v6only = flag(o, "v6only", 1);
	if (fd < 0)
		return fail(id_text, "socket failed", errno);
	if (flag(o, "reuseaddr", 1))
		sk_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Without IPV6_V6ONLY an IPv6 listener also takes IPv4 SYNs, as IPv4-mapped addresses (RFC 4291 §2.5.5.2). */
	if (a.sa.sa_family == AF_INET6 && sk_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0) {
		int err = errno;
		sk_close(fd);
		return fail(id_text, "IPV6_V6ONLY failed", err);
	}
	if (!set_maxseg(fd, o))
		return;
	if (sk_bind(fd, &a.sa, alen) < 0 || sk_listen(fd, (int)backlog) < 0) {
		int err = errno;
		sk_close(fd);
		return fail(id_text, "listen failed", err);
	}
	double fastopen = 0;
	if (!number(o, "fastopen", &fastopen, 0)) {
		sk_close(fd);
		return;
	}
	int qlen = (int)fastopen;
	if (qlen > 0 && sk_setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof qlen) < 0) {
		int err = errno;
		sk_close(fd);
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
	int fd = sk_socket(a.sa.sa_family);
	if (fd < 0)
		return fail(id_text, "socket failed", errno);
	int value = (int)syncnt;
	if (syncnt > 0 && sk_setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &value, sizeof value) < 0) {
		int err = errno;
		sk_close(fd);
		return fail(id_text, "TCP_SYNCNT failed", err);
	}
	if (!set_maxseg(fd, o))
		return;
	if (bind_port > 0) {
		union address local;
		socklen_t llen = address_of(a.sa.sa_family == AF_INET6 ? "::" : "0.0.0.0", (unsigned)bind_port, &local);
		if (sk_bind(fd, &local.sa, llen) < 0) {
			int err = errno;
			sk_close(fd);
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
	ssize_t rc = fastopen < 0 ? sk_connect(fd, &a.sa, alen) : sk_sendto(fd, data, (size_t)fastopen, MSG_FASTOPEN, &a.sa, alen);
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
	return sk_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && (info.tcpi_state == TCP_SYN_SENT || info.tcpi_state == TCP_SYN_RECV);
}

/* An abortive close sets SO_LINGER {1,0} (RST, not FIN) on connections only: a listener sends
 * nothing either way, and lwIP 2.1.3 asserts and aborts the process closing a listener so set
 * ("don't call tcp_abort/tcp_abandon for listen-pcbs", tcp.c). */
static void close_socket(int fd, int abortive)
{
	struct sock *s = find(fd);
	if (abortive && !(s && s->listening) && !(plain_close_handshakes && handshake_pending(fd))) {
		struct linger l = { 1, 0 }; /* RST instead of FIN */
		sk_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	sk_close(fd);
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
		if (stack_setting_read(names->strings[i], value, sizeof value))
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
	int err = stack_setting_read(name->string, previous, sizeof previous);
	if (!err)
		err = stack_setting_write(name->string, value->string);
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
	int err = stack_set_mtu(addr->string, (int)mtu, &previous);
	if (err)
		return fail(id_text, "setting the MTU failed", err);
	begin(id);
	put(",\"previous\":%d", previous);
	send_reply();
}

static void op_sockets(double id, const struct jobject *o)
{
	double want = -1;
	if (!number(o, "port", &want, 0))
		return;
	int listeners[MAX_SOCKETS], n = 0;
	for (int i = 0; i < nsockets; i++)
		if (sockets[i].listening)
			listeners[n++] = sockets[i].fd;
	begin(id);
	put(",\"sockets\":[");
	int err = stack_put_sockets(want, listeners, n);
	if (err)
		return fail(id_text, "this stack keeps no table of its sockets", err);
	put("]");
	send_reply();
}

static void op_counters(double id)
{
	begin(id);
	put(",\"counters\":{");
	stack_put_counters();
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
		stack_setting_write(changes[nchanges].name, changes[nchanges].previous);
	}
	stack_reset();
}

static void op_info(double id)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	begin(id);
	put(",\"kernel\":");
	put_string(stack_name());
	put(",\"hostname\":");
	put_string(host);
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
	plain_close_handshakes = getenv("TCPCONFORM_PLAIN_CLOSE_HANDSHAKES") != NULL;
	if (stack_init())
		return 1;
	printf("{\"id\":0,\"ok\":true,\"ready\":true,\"kernel\":");
	reply[0] = 0;
	put_string(stack_name());
	printf("%s,\"lacks\":[%s]}\n", reply, stack_lacks());
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
		sk_wait(fds, (nfds_t)nwaits + 1, soonest < 0 ? -1 : (int)soonest + 1);
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
