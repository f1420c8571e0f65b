// SPDX-License-Identifier: Apache-2.0
/*
 * Smoke check for the SCM_ZC_NOTIFICATION kernel patches, meant to run in
 * the test VM (kernel/vm run -- kernel/patches-check/run.sh).  The real ABI
 * selftest lives in kernel/tools/; this only proves the patch is alive.
 *
 * Checks, for TCP and UDP over IPv4 and IPv6:
 *  - EINVAL without SO_ZEROCOPY, for size > ZC_NOTIFICATION_MAX and for a
 *    payload length that does not match size;
 *  - MSG_ZEROCOPY sends, then completions returned through sendmsg() in
 *    place (count set, msg_controllen/cmsg_len/capacity unchanged), all ids
 *    seen exactly once;
 *  - POLLERR cleared once the error queue is drained;
 *  - copy-back failure (read-only msg_control): bytes still sent, count
 *    still 0, notifications still on the error queue.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SCM_ZC_NOTIFICATION
#define SCM_ZC_NOTIFICATION 99
struct zc_info_elem {
	__u32 lo;
	__u32 hi;
	__u8 zerocopy;
	__u8 reserved[3];
};
struct zc_info {
	__u32 capacity;
	__u32 count;
	struct zc_info_elem arr[];
};
#define ZC_NOTIFICATION_MAX 16
#endif

#define NSEND 32
#define CHUNK (64 * 1024)

static int failures;
static int expect_zerocopy = -1;	/* -1: don't check, 0/1: expected value */
#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static char buf[CHUNK];
static union {
	char b[CMSG_SPACE(sizeof(struct zc_info) +
			  ZC_NOTIFICATION_MAX * sizeof(struct zc_info_elem))];
	struct cmsghdr align;
} ctl;

/* returns sendmsg()'s result; fills seen[] from the returned cmsg */
static ssize_t send_zc(int fd, const void *data, size_t len, int flags,
		       unsigned int size, size_t datalen_override, void *ctlbuf,
		       unsigned char *seen, int *nseen, size_t *controllen)
{
	struct iovec iov = { (void *)data, len };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	size_t dlen = sizeof(struct zc_info) + size * sizeof(struct zc_info_elem);
	ssize_t ret;

	if (datalen_override)
		dlen = datalen_override;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctlbuf;
	msg.msg_controllen = ctlbuf ? CMSG_SPACE(dlen) : 0;
	if (ctlbuf == ctl.b) {
		memset(ctl.b, 0, sizeof(ctl.b));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_ZC_NOTIFICATION;
		cm->cmsg_len = CMSG_LEN(dlen);
		if (dlen >= sizeof(struct zc_info)) {
			((struct zc_info *)CMSG_DATA(cm))->capacity = size;
			((struct zc_info *)CMSG_DATA(cm))->count = 0;
		} else {
			memcpy(CMSG_DATA(cm), &size, dlen < sizeof(size) ? dlen : sizeof(size));
		}
	}
	ret = sendmsg(fd, &msg, flags);
	if (controllen)
		*controllen = msg.msg_controllen;
	if (ret < 0 || !seen)
		return ret;
	/* answered in place: only count and the filled elements change */
	CHECK(msg.msg_controllen == CMSG_SPACE(dlen), "msg_controllen changed to %zu",
	      (size_t)msg.msg_controllen);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		struct zc_info *zc = (struct zc_info *)CMSG_DATA(cm);
		unsigned int i, id;

		CHECK(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_ZC_NOTIFICATION,
		      "unexpected cmsg %d/%d", cm->cmsg_level, cm->cmsg_type);
		CHECK(cm->cmsg_len == CMSG_LEN(dlen), "cmsg_len changed to %zu",
		      (size_t)cm->cmsg_len);
		CHECK(zc->capacity == size, "capacity changed: %u", zc->capacity);
		CHECK(zc->count <= size, "count %u > capacity %u", zc->count, size);
		for (i = 0; i < zc->count && i < size; i++) {
			CHECK(zc->arr[i].lo <= zc->arr[i].hi && zc->arr[i].hi < NSEND,
			      "bad range [%u,%u]", zc->arr[i].lo, zc->arr[i].hi);
			CHECK(expect_zerocopy < 0 || zc->arr[i].zerocopy == expect_zerocopy,
			      "range [%u,%u]: zerocopy=%u, expected %d", zc->arr[i].lo,
			      zc->arr[i].hi, zc->arr[i].zerocopy, expect_zerocopy);
			for (id = zc->arr[i].lo; id <= zc->arr[i].hi && id < NSEND; id++) {
				CHECK(!seen[id], "id %u reported twice", id);
				seen[id] = 1;
				(*nseen)++;
			}
		}
	}
	return ret;
}

static int drain_errqueue(int fd, unsigned char *seen, int *nseen)
{
	char cbuf[128];
	int n = 0;

	for (;;) {
		struct msghdr msg = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct sock_extended_err *ee;
		struct cmsghdr *cm;
		unsigned int id;

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		cm = CMSG_FIRSTHDR(&msg);
		if (!cm)
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
			continue;
		for (id = ee->ee_info; id <= ee->ee_data && id < NSEND; id++) {
			if (seen) {
				CHECK(!seen[id], "id %u reported twice (errqueue)", id);
				seen[id] = 1;
				(*nseen)++;
			}
		}
		n++;
	}
	return n;
}

static void test(int family, int type)
{
	const char *name = type == SOCK_STREAM ? (family == AF_INET ? "tcp4" : "tcp6")
					       : (family == AF_INET ? "udp4" : "udp6");
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	unsigned char seen[NSEND] = { 0 };
	struct timespec deadline;
	int rfd, sfd, one = 1, nseen = 0, i, tries;
	size_t clen;
	ssize_t ret;
	pid_t pid;
	char *ro;

	ss.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;

	rfd = socket(family, type, 0);
	if (rfd < 0 || bind(rfd, (void *)&ss, sl) || getsockname(rfd, (void *)&ss, &sl)) {
		CHECK(0, "%s: receiver setup: %s", name, strerror(errno));
		return;
	}
	if (type == SOCK_STREAM)
		listen(rfd, 1);
	sfd = socket(family, type, 0);

	/* without SO_ZEROCOPY: EINVAL */
	{
		int t = socket(family, type, 0);

		connect(t, (void *)&ss, sl);
		ret = send_zc(t, buf, 1, 0, 1, 0, ctl.b, NULL, NULL, NULL);
		CHECK(ret < 0 && errno == EINVAL, "%s: no SO_ZEROCOPY: ret %zd errno %d",
		      name, ret, errno);
		close(t);
		if (type == SOCK_STREAM)
			close(accept(rfd, NULL, NULL));
		else
			recv(rfd, buf, 1, MSG_DONTWAIT);
	}

	if (setsockopt(sfd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		CHECK(0, "%s: SO_ZEROCOPY: %s", name, strerror(errno));
	if (connect(sfd, (void *)&ss, sl))
		CHECK(0, "%s: connect: %s", name, strerror(errno));

	pid = fork();
	if (pid == 0) {	/* receiver: read and discard until EOF */
		static char rbuf[CHUNK];
		int c = type == SOCK_STREAM ? accept(rfd, NULL, NULL) : rfd;

		struct timeval tv = { 60, 0 };
		ssize_t n;

		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* TCP: until EOF; UDP: until the 1-byte "Q" datagram */
		while ((n = recv(c, rbuf, sizeof(rbuf), 0)) >= 0) {
			if (type == SOCK_STREAM ? n == 0 : (n == 1 && rbuf[0] == 'Q'))
				break;
		}
		_exit(0);
	}

	/* malformed requests */
	ret = send_zc(sfd, buf, 1, 0, ZC_NOTIFICATION_MAX + 1, 0, ctl.b, NULL, NULL, NULL);
	CHECK(ret < 0 && errno == EINVAL, "%s: size 17: ret %zd errno %d", name, ret, errno);
	ret = send_zc(sfd, buf, 1, 0, 2, sizeof(struct zc_info) + 1 * sizeof(struct zc_info_elem),
		      ctl.b, NULL, NULL, NULL);
	CHECK(ret < 0 && errno == EINVAL, "%s: len mismatch: ret %zd errno %d", name, ret, errno);
	ret = send_zc(sfd, buf, 1, 0, 0, 2, ctl.b, NULL, NULL, NULL);
	CHECK(ret < 0 && errno == EINVAL, "%s: short payload: ret %zd errno %d", name, ret, errno);

	/* NSEND zerocopy sends; each one also asks for completions */
	for (i = 0; i < NSEND; i++) {
		size_t len = type == SOCK_STREAM ? CHUNK : 8192;

		ret = send_zc(sfd, buf, len, MSG_ZEROCOPY, ZC_NOTIFICATION_MAX, 0, ctl.b,
			      seen, &nseen, &clen);
		CHECK(ret == (ssize_t)len, "%s: send %d: ret %zd errno %d", name, i, ret, errno);
		if (ret != (ssize_t)len)
			break;
	}
	/*
	 * trailing completions: zero-length sends with the cmsg only, for up
	 * to 20 s by the clock.  (A count of 2000 x usleep(10000) was not a
	 * time limit: a 32-bit glibc sleeps with a 32-bit time_t syscall,
	 * which a kernel without CONFIG_COMPAT_32BIT_TIME answers at once with
	 * ENOSYS, and the loop gave up after 30 ms: "saw 0 of 32 ids".)
	 */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 20;
	for (tries = 0; nseen < NSEND; tries++) {
		struct timespec now;

		ret = send_zc(sfd, buf, 0, 0, ZC_NOTIFICATION_MAX, 0, ctl.b, seen, &nseen, &clen);
		CHECK(ret == 0, "%s: empty send: ret %zd errno %d", name, ret, errno);
		if (ret || nseen == NSEND)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec ||
		    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
			break;
		if (usleep(10000)) {
			CHECK(0, "%s: usleep: %s", name, strerror(errno));
			break;
		}
	}
	CHECK(nseen == NSEND, "%s: saw %d of %d ids via sendmsg (%d empty sends)", name, nseen, NSEND, tries);
	{
		struct pollfd pfd = { .fd = sfd, .events = 0 };

		CHECK(poll(&pfd, 1, 0) == 0 || !(pfd.revents & POLLERR),
		      "%s: POLLERR still set after draining (revents %x)", name, pfd.revents);
	}

	/* copy-back failure: read-only control buffer */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	{
		struct msghdr m = { .msg_control = ro, .msg_controllen = 4096 };
		struct cmsghdr *cm;

		m.msg_controllen = CMSG_SPACE(sizeof(struct zc_info) + 4 * sizeof(struct zc_info_elem));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_ZC_NOTIFICATION;
		cm->cmsg_len = CMSG_LEN(sizeof(struct zc_info) + 4 * sizeof(struct zc_info_elem));
		((struct zc_info *)CMSG_DATA(cm))->capacity = 4;
		((struct zc_info *)CMSG_DATA(cm))->count = 0;
	}
	mprotect(ro, 4096, PROT_READ);
	{
		unsigned char seen2[NSEND] = { 0 };
		int n2 = 0, got;
		size_t len = type == SOCK_STREAM ? CHUNK : 8192;

		/* one more zerocopy send (id NSEND is out of seen[] range: fine) */
		struct pollfd pfd = { .fd = sfd, .events = 0 };

		ret = send_zc(sfd, buf, len, MSG_ZEROCOPY, 0, 0, NULL, NULL, NULL, NULL);
		CHECK(ret == (ssize_t)len, "%s: plain zerocopy send: ret %zd errno %d",
		      name, ret, errno);
		/* wait until the completion is queued, then fail the copy-back */
		CHECK(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLERR),
		      "%s: no completion queued within 10 s", name);
		ret = send_zc(sfd, buf, 1, 0, 4, 0, ro, NULL, NULL, &clen);
		CHECK(ret == 1, "%s: send with read-only control: ret %zd errno %d", name, ret, errno);
		CHECK(((struct zc_info *)CMSG_DATA((struct cmsghdr *)ro))->count == 0,
		      "%s: count written into a read-only buffer?", name);
		got = drain_errqueue(sfd, seen2, &n2);
		CHECK(got >= 1, "%s: notification lost after failed copy-back", name);
	}
	munmap(ro, 4096);

	shutdown(sfd, SHUT_WR);
	close(sfd);
	if (type == SOCK_DGRAM) {
		/* wake the receiver */
		int k = socket(family, type, 0);

		sendto(k, "Q", 1, 0, (void *)&ss, sl);
		close(k);
	}
	waitpid(pid, NULL, 0);
	close(rfd);
	printf("%s: %s\n", name, failures ? "FAILURES so far" : "ok");
}

int main(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons(9) };

	FILE *f = fopen("/proc/sys/net/core/msg_zerocopy_loopback", "r");

	/* loopback: deferred copy (zerocopy=0) unless the benchmark sysctl is on */
	if (f) {
		if (fscanf(f, "%d", &expect_zerocopy) != 1)
			expect_zerocopy = -1;
		fclose(f);
	}
	printf("%zu-bit, net.core.msg_zerocopy_loopback=%d\n", sizeof(long) * 8,
	       expect_zerocopy);

	/* probe: a kernel without the patch rejects the cmsg type */
	setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));
	connect(fd, (void *)&sin, sizeof(sin));
	if (send_zc(fd, buf, 0, 0, 1, 0, ctl.b, NULL, NULL, NULL) < 0) {
		fprintf(stderr, "SCM_ZC_NOTIFICATION not supported by this kernel: %s\n",
			strerror(errno));
		return 2;
	}
	close(fd);
	memset(buf, 'z', sizeof(buf));
	test(AF_INET, SOCK_STREAM);
	test(AF_INET6, SOCK_STREAM);
	test(AF_INET, SOCK_DGRAM);
	test(AF_INET6, SOCK_DGRAM);
	printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
	return failures ? 1 : 0;
}
