/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers shared by zc_abi_selftest and zc_bench: loopback socket
 * pairs and parsing of zerocopy completions from both delivery paths.
 */
#ifndef ZC_TOOLS_ZC_COMMON_H
#define ZC_TOOLS_ZC_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zc_abi.h"

#ifndef IP_RECVERR
#define IP_RECVERR 11
#endif
#ifndef IPV6_RECVERR
#define IPV6_RECVERR 25
#endif

struct zc_pair {
	int tx;			/* sender, SO_ZEROCOPY set if requested */
	int rx;			/* receiver (accepted socket for TCP) */
	int family;		/* AF_INET or AF_INET6 */
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
};

static inline const char *zc_proto_name(int family, int type)
{
	if (type == SOCK_STREAM)
		return family == AF_INET ? "tcp4" : "tcp6";
	return family == AF_INET ? "udp4" : "udp6";
}

static inline uint64_t zc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int zc_setint(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

static inline void zc_close_pair(struct zc_pair *p)
{
	if (p->tx >= 0)
		close(p->tx);
	if (p->rx >= 0)
		close(p->rx);
	p->tx = p->rx = -1;
}

/*
 * Connect a sender to a receiver over loopback.  Returns 0 or -errno.
 * The sender's SO_ZEROCOPY is set before connect (TCP refuses it later).
 */
static inline int zc_open_pair(struct zc_pair *p, int family, int type,
			       bool zerocopy, int bufsize)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int lfd, err;

	p->tx = p->rx = -1;
	p->family = family;
	p->type = type;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		slen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		slen = sizeof(*sin6);
	}

	lfd = socket(family, type, 0);
	if (lfd < 0)
		return -errno;
	if (bufsize)
		zc_setint(lfd, SOL_SOCKET, SO_RCVBUF, bufsize);
	if (bind(lfd, (void *)&ss, slen) || getsockname(lfd, (void *)&ss, &slen))
		goto fail_l;
	if (type == SOCK_STREAM && listen(lfd, 1))
		goto fail_l;

	p->tx = socket(family, type, 0);
	if (p->tx < 0)
		goto fail_l;
	if (bufsize)
		zc_setint(p->tx, SOL_SOCKET, SO_SNDBUF, bufsize);
	if (zerocopy && zc_setint(p->tx, SOL_SOCKET, SO_ZEROCOPY, 1))
		goto fail_l;
	if (connect(p->tx, (void *)&ss, slen))
		goto fail_l;

	if (type == SOCK_STREAM) {
		p->rx = accept(lfd, NULL, NULL);
		if (p->rx < 0)
			goto fail_l;
		close(lfd);
	} else {
		p->rx = lfd;
	}
	return 0;

fail_l:
	err = -errno;
	close(lfd);
	if (p->tx >= 0)
		close(p->tx);
	p->tx = p->rx = -1;
	return err;
}

/* One completion range as seen by the application. */
struct zc_range {
	uint32_t lo, hi;
	bool copied;
};

/*
 * Read one notification from the error queue.
 * Returns 1 with *r filled, 0 when the queue is empty, -1 on a malformed
 * or non-zerocopy message (details in *why), -2 on a syscall error.
 */
static inline int zc_errq_read_one(int fd, int family, struct zc_range *r,
				   const char **why)
{
	char control[128];
	struct msghdr msg;
	struct cmsghdr *cm;
	struct sock_extended_err *ee;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);

	ret = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (ret < 0)
		return errno == EAGAIN ? 0 : -2;

	*why = "no cmsg";
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || (msg.msg_flags & MSG_CTRUNC))
		return -1;
	*why = "unexpected cmsg level/type";
	if (family == AF_INET &&
	    !(cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR))
		return -1;
	if (family == AF_INET6 &&
	    !(cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR))
		return -1;
	ee = (struct sock_extended_err *)CMSG_DATA(cm);
	*why = "not a zerocopy notification";
	if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno != 0)
		return -1;
	r->lo = ee->ee_info;
	r->hi = ee->ee_data;
	r->copied = ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
	return 1;
}

/* Build a placeholder cmsg with room for n elements into buf. */
static inline size_t zc_put_placeholder(void *buf, size_t buflen, uint32_t n)
{
	struct cmsghdr *cm = buf;
	struct zc_info zi = { .capacity = n, .count = 0 };

	if (CMSG_SPACE(ZC_INFO_LEN(n)) > buflen)
		return 0;
	memset(buf, 0, CMSG_SPACE(ZC_INFO_LEN(n)));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_ZC_NOTIFICATION;
	cm->cmsg_len = CMSG_LEN(ZC_INFO_LEN(n));
	memcpy(CMSG_DATA(cm), &zi, sizeof(zi));
	return CMSG_SPACE(ZC_INFO_LEN(n));
}

#endif /* ZC_TOOLS_ZC_COMMON_H */
