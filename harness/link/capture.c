/*
 * The raw link's ears, run by the harness inside the tester namespace: every IPv4 and IPv6 packet
 * the namespace receives, whole, header and extension headers included (a raw IPv6 socket would
 * strip the header), framed on stdout as the relay frames them (framing.ts: u32 length, u8 kind,
 * f64 CLOCK_MONOTONIC milliseconds, all little-endian). Packets the namespace sends are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FRAME_RECEIVED = 2, FRAME_READY = 3 };

static double monotonic_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int write_all(const unsigned char *bytes, size_t length) {
  while (length > 0) {
    ssize_t n = write(STDOUT_FILENO, bytes, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    bytes += n;
    length -= (size_t)n;
  }
  return 0;
}

static int write_frame(uint8_t kind, double at, const unsigned char *payload, uint32_t length) {
  unsigned char header[13];
  memcpy(header, &length, 4); /* x86 and arm64 are little-endian, as the frame is */
  header[4] = kind;
  memcpy(header + 5, &at, 8);
  if (write_all(header, sizeof header) < 0) return -1;
  return write_all(payload, length);
}

int main(void) {
  /* The relay is our only reader: end with it. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
  if (fd < 0) {
    fprintf(stderr, "capture: socket(AF_PACKET): %s\n", strerror(errno));
    return 1;
  }
  if (write_frame(FRAME_READY, monotonic_ms(), NULL, 0) < 0) return 0;
  static unsigned char packet[65536];
  for (;;) {
    struct sockaddr_ll from;
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(fd, packet, sizeof packet, 0, (struct sockaddr *)&from, &length);
    double at = monotonic_ms();
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "capture: recvfrom: %s\n", strerror(errno));
      return 1;
    }
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    uint16_t protocol = ntohs(from.sll_protocol);
    if (protocol != ETH_P_IP && protocol != ETH_P_IPV6) continue;
    if (write_frame(FRAME_RECEIVED, at, packet, (uint32_t)n) < 0) return 0;
  }
}
