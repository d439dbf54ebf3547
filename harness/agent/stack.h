/*
 * The stack the agent's socket calls go to, chosen at build time: the kernel's
 * (stack-kernel.c: the static agent in labs, VMs, sandboxes and on remote hosts) or lwIP's
 * (stack-lwip.c: linked against Debian's liblwip, its tap in the tester namespace). agent.c
 * speaks the JSON protocol and keeps the sockets; everything that differs between stacks is here.
 */
#ifndef TCPCONFORM_STACK_H
#define TCPCONFORM_STACK_H

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>

/* Brings the stack up (lwIP: its thread and interface). Returns 0, or fails with a message on stderr. */
int stack_init(void);
/* What the ready line and `info` report as the kernel: uname's release, or the stack's name and version. */
const char *stack_name(void);
/* The socket features the stack lacks, as a JSON array's items (protocol.ts SocketFeature): a
 * scenario that needs one is not applicable there. */
const char *stack_lacks(void);

/* The socket calls, with the kernel's signatures and errno; sockets are non-blocking. */
int sk_socket(int family);
int sk_setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int sk_getsockopt(int fd, int level, int name, void *value, socklen_t *len);
int sk_bind(int fd, const struct sockaddr *a, socklen_t len);
int sk_listen(int fd, int backlog);
/* A queued connection as a non-blocking socket, or -1 (EAGAIN when none). */
int sk_accept(int fd, struct sockaddr *peer, socklen_t *len);
int sk_connect(int fd, const struct sockaddr *a, socklen_t len);
ssize_t sk_sendto(int fd, const void *data, size_t len, int flags, const struct sockaddr *a, socklen_t alen);
int sk_close(int fd);
int sk_getsockname(int fd, struct sockaddr *a, socklen_t *len);
/* poll(2) over the stack's sockets only. */
int sk_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
/* Waits up to timeout_ms (-1: no limit) until stdin (fds[0], a host descriptor) or one of the
 * stack's sockets (fds[1..n-1]) is ready; revents as poll(2) sets them. */
void sk_wait(struct pollfd *fds, nfds_t n, int timeout_ms);

/* The settings the model reads, by their Linux sysctl names. Read: 0 or an errno (ENOENT: the
 * stack has no such setting). Write: 0 or an errno (a fixed setting refuses). */
int stack_setting_read(const char *name, char *value, size_t cap);
int stack_setting_write(const char *name, const char *value);
/* Sets the MTU of the interface holding `addr`; *previous gets the old one. 0 or an errno. */
int stack_set_mtu(const char *addr, int mtu, int *previous);
/* Between cases: undoes MTU changes and empties caches that would carry one case into the next. */
void stack_reset(void);
/* The stack's TCP sockets as `ss -tan` shows them (JSON objects, comma-separated, via reply_put);
 * `want` < 0: every port. `listeners`: the agent's listening sockets (their queue lengths).
 * Returns 0, or an errno when the stack keeps no such table. */
int stack_put_sockets(double want, const int *listeners, int nlisteners);
/* The stack's counters as "Group.Name":value pairs, comma-separated (none: nothing written). */
void stack_put_counters(void);

/* CLOCK_MONOTONIC in milliseconds (agent.c). */
double now_ms(void);

/* The agent's reply being built (agent.c). */
void reply_put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void reply_put_string(const char *s);

#endif
