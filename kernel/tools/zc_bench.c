// SPDX-License-Identifier: Apache-2.0
/*
 * zc_bench: loopback throughput of MSG_ZEROCOPY with the two ways of
 * collecting completions, modelled on the method of the kernel selftest
 * msg_zerocopy (a sender process and a receiver process on localhost, the
 * sender sends fixed-size buffers for a fixed time and reports MB sent).
 *
 *   -m copy      plain sendmsg, no MSG_ZEROCOPY
 *   -m zc        MSG_ZEROCOPY; every -l N sends, read the error queue with
 *                recvmsg(MSG_ERRQUEUE) until EAGAIN (the paper's Fig. 9 loop)
 *   -m zc-cmsg   MSG_ZEROCOPY; every N-th sendmsg carries an
 *                SCM_ZC_NOTIFICATION placeholder (-n slots, default 16) and
 *                the completions it returns are consumed.  If it came back
 *                full, the next sendmsg carries it again.  The error queue is
 *                read only on ENOBUFS, on POLLERR while waiting for POLLOUT,
 *                and at the end for the trailing sends.
 *                -l 1 = placeholder on every sendmsg (the paper's "New ZC").
 *   -w           (zc-cmsg) set SO_ZEROCOPY_DEFER_POLLERR: notifications the
 *                next sendmsg collects do not raise POLLERR
 *   -R MBPS      (TCP) the receiver reads at most MBPS MiB/s, a slow
 *                peer: TCP flow control then holds sends in the sender's
 *                queue, so several are in flight when completions arrive
 *                (as for a file server streaming to a slow client).
 *   -V           (zc modes, diagnostic) at every POLLERR of the timed loop,
 *                drain the error queue at once and classify the POLLERR:
 *                pollerr_idle= no send was left in flight, pollerr_bound= the
 *                queue held ZC_NOTIFICATION_MAX or more entries, pollerr_busy=
 *                neither: sends were still in flight, which with -w only
 *                happens while a POLLERR raised earlier has not been cleared
 *                (it stays until the queue is empty).  This changes where
 *                completions are collected: its throughput is not comparable.
 *
 * pollerr= counts the poll() calls of the timed loop that returned POLLERR:
 * the wakeups an event loop would take for the error queue.
 *
 * At the end both zc modes wait (poll POLLERR + recvmsg) until every send
 * id has completed; a missing completion makes the exit status 1.
 * One result line on stdout, "key=value" pairs, see print_result().
 *
 * By default the sender forks its own draining receiver.  -r PORT runs only
 * that receiver, as a process of its own on loopback PORT, until SIGTERM;
 * -D PORT sends to such a receiver instead of forking one.  So several
 * senders (this one, the Java harness) can stream to one receiver process
 * and their figures then compare sender cost with sender cost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_abi.h"
#include "zc_common.h"

enum mode { M_COPY, M_ZC, M_ZC_CMSG };
static const char *const mode_names[] = { "copy", "zc", "zc-cmsg" };

static enum mode cfg_mode = M_ZC;
static int cfg_family = AF_INET;
static int cfg_type = SOCK_STREAM;
static size_t cfg_size = 65536;
static double cfg_secs = 2.0;
static unsigned int cfg_interval = 32;
static unsigned int cfg_slots = ZC_NOTIFICATION_MAX;
static bool cfg_poll_each;
static int cfg_cpu = -1;
static unsigned int cfg_probe;
static bool cfg_defer_pollerr;	/* -w */
static bool cfg_verify_pollerr;	/* -V */
static unsigned int cfg_rx_mbps;	/* -R, 0: the receiver reads at once */
static bool timed_loop;		/* st.pollerr counts only in the timed loop */
static int cfg_rx_port = -1;	/* -r: receiver only */
static int cfg_dst_port = -1;	/* -D: send to an existing receiver */

static struct {
	uint64_t bytes, sends, ids;
	uint64_t n_sendmsg, n_recvmsg, n_poll;
	uint64_t compl_cmsg, compl_errq, copied, enobufs, eagain;
	uint64_t cmsg_full;
	uint64_t pollerr;
	uint64_t pollerr_idle, pollerr_bound, pollerr_busy;	/* -V */
} st;

static void die(const char *what)
{
	fprintf(stderr, "zc_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: zc_bench [-4|-6] [-p tcp|udp] [-m copy|zc|zc-cmsg] [-s bytes]\n"
		"                [-t seconds] [-l interval] [-n slots] [-P] [-w] [-c cpu]\n"
		"                [-R mbps] [-V] [-D port]\n"
		"       zc_bench -r port [-4|-6] [-p tcp|udp] [-R mbps] [-c cpu]\n"
		"  -l N  zc: read the error queue every N sends;\n"
		"        zc-cmsg: attach the placeholder to every N-th sendmsg\n"
		"  -n N  placeholder capacity in zc-cmsg mode (1..16, default 16)\n"
		"  -P    poll(POLLOUT) after every send, like the kernel selftest\n"
		"  -w    zc-cmsg: SO_ZEROCOPY_DEFER_POLLERR (POLLERR only when no\n"
		"        zerocopy send is left in flight or 16 entries are queued)\n"
		"  -R N  TCP: the receiver reads at most N MiB/s (a slow\n"
		"        peer: flow control keeps several sends in flight)\n"
		"  -V    diagnostic: drain the error queue at each POLLERR and count\n"
		"        whether a send was still in flight (pollerr_idle/bound/busy)\n"
		"  -c N  pin sender and receiver to CPU N\n"
		"  -E N  first time N empty recvmsg(MSG_ERRQUEUE) and N poll()\n"
		"        calls (cost of a notification syscall), N non-empty\n"
		"        recvmsg(MSG_ERRQUEUE) (UDP), and N 1-byte UDP sendmsg()\n"
		"        without and with a 1- and a 16-slot placeholder, print, exit\n"
		"  -r P  receiver only: drain every connection to loopback port P\n"
		"        until SIGTERM; TCP: one line per connection, and its byte\n"
		"        count is sent back to the sender after EOF\n"
		"  -D P  send to the receiver on loopback port P (a zc_bench -r)\n");
	exit(2);
}

static void pin(void)
{
	cpu_set_t set;

	if (cfg_cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cfg_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "zc_bench: cannot pin to cpu %d\n", cfg_cpu);
}

/* ---------------------------------------------------------------- */
/* receiver                                                         */

static volatile sig_atomic_t rx_stop;

static void on_term(int sig)
{
	(void)sig;
	rx_stop = 1;
}

static void on_term_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
}

/* Bytes received on fd until EOF (TCP) or SIGTERM. */
static uint64_t drain(int fd)
{
	static char buf[256];
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	uint64_t bytes = 0, t0 = zc_now_ns();
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (cfg_type == SOCK_STREAM)
		zc_setint(fd, SOL_SOCKET, SO_RCVLOWAT, 1 << 16);

	while (!rx_stop) {
		/* -R: sleep until the bytes read so far are due */
		if (cfg_rx_mbps) {
			uint64_t due = t0 + bytes * 1000000000ull /
				       ((uint64_t)cfg_rx_mbps << 20);
			uint64_t now = zc_now_ns();

			if (due > now) {
				struct timespec ts = {
					.tv_sec = (time_t)((due - now) / 1000000000ull),
					.tv_nsec = (long)((due - now) % 1000000000ull),
				};

				nanosleep(&ts, NULL);
			}
		}
		/* MSG_TRUNC: TCP discards, UDP reports the full length. */
		if (cfg_type == SOCK_STREAM)
			n = recv(fd, NULL, cfg_rx_mbps ? 1 << 16 : 1 << 21, MSG_TRUNC);
		else
			n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (n > 0)
			bytes += n;
		else if (n == 0 && cfg_type == SOCK_STREAM)
			break;
		else if (n < 0 && errno == ECONNRESET)
			break;		/* a sender that closed with data unread */
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			die("recv");
	}
	return bytes;
}

static void run_receiver(int fd, int report_fd)
{
	uint64_t bytes;

	on_term_install();
	pin();
	bytes = drain(fd);
	if (write(report_fd, &bytes, sizeof(bytes)) != sizeof(bytes))
		die("report");
	_exit(0);
}

static socklen_t loopback_addr(struct sockaddr_storage *ss, int port)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (cfg_family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons((uint16_t)port);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	sin6->sin6_port = htons((uint16_t)port);
	return sizeof(*sin6);
}

/*
 * -r: the fork()ed receiver's loop as a process of its own, with the same
 * socket options, serving one sender after the other.  After a TCP
 * sender's EOF it sends the byte count back (a -D sender reads it; a
 * sender that closed outright gets a reset, which is fine).
 */
static int serve_receiver(void)
{
	struct sockaddr_storage ss;
	socklen_t slen = loopback_addr(&ss, cfg_rx_port);
	unsigned int conns = 0;
	uint64_t bytes;
	int lfd, fd;

	lfd = socket(cfg_family, cfg_type, 0);
	if (lfd < 0)
		die("socket");
	zc_setint(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
	zc_setint(lfd, SOL_SOCKET, SO_RCVBUF, 1 << 21);	/* as zc_open_pair */
	if (bind(lfd, (void *)&ss, slen))
		die("bind");
	if (cfg_type == SOCK_STREAM && listen(lfd, 16))
		die("listen");
	on_term_install();
	pin();
	printf("receiver proto=%s family=ipv%c port=%d pid=%d\n",
	       cfg_type == SOCK_STREAM ? "tcp" : "udp",
	       cfg_family == AF_INET ? '4' : '6', cfg_rx_port, (int)getpid());
	fflush(stdout);
	if (cfg_type == SOCK_DGRAM) {
		bytes = drain(lfd);
		printf("rx proto=udp bytes=%llu\n", (unsigned long long)bytes);
		return 0;
	}
	while (!rx_stop) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		bytes = drain(fd);
		if (send(fd, &bytes, sizeof(bytes), MSG_NOSIGNAL) < 0 &&
		    errno != EPIPE && errno != ECONNRESET)
			die("send count");
		close(fd);
		printf("rx conn=%u bytes=%llu\n", ++conns,
		       (unsigned long long)bytes);
		fflush(stdout);
	}
	return 0;
}

/* -D: a sender socket connected to a zc_bench -r, set up as zc_open_pair's. */
static int connect_to_receiver(struct zc_pair *p, bool zerocopy)
{
	struct sockaddr_storage ss;
	socklen_t slen = loopback_addr(&ss, cfg_dst_port);

	p->family = cfg_family;
	p->type = cfg_type;
	p->rx = -1;
	p->tx = socket(cfg_family, cfg_type, 0);
	if (p->tx < 0)
		return -errno;
	zc_setint(p->tx, SOL_SOCKET, SO_SNDBUF, 1 << 21);
	if ((zerocopy && zc_setint(p->tx, SOL_SOCKET, SO_ZEROCOPY, 1)) ||
	    connect(p->tx, (void *)&ss, slen)) {
		int err = -errno;

		close(p->tx);
		p->tx = -1;
		return err;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* completions                                                      */

static void account(uint32_t lo, uint32_t hi, bool copied, bool via_cmsg)
{
	uint64_t n = (uint64_t)(hi - lo) + 1;

	if (via_cmsg)
		st.compl_cmsg += n;
	else
		st.compl_errq += n;
	if (copied)
		st.copied += n;
}

/* recvmsg(MSG_ERRQUEUE) until EAGAIN; returns ranges read. */
static int read_errq(int fd)
{
	struct zc_range r;
	const char *why = "";
	int ret, got = 0;

	for (;;) {
		st.n_recvmsg++;
		ret = zc_errq_read_one(fd, cfg_family, &r, &why);
		if (ret == 0)
			return got;
		if (ret == -2)
			die("recvmsg(MSG_ERRQUEUE)");
		if (ret < 0) {
			fprintf(stderr, "zc_bench: errqueue: %s\n", why);
			exit(1);
		}
		account(r.lo, r.hi, r.copied, false);
		got++;
	}
}

/* Returns the revents of one poll() call. */
static short poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	st.n_poll++;
	if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
		die("poll");
	if ((pfd.revents & POLLERR) && timed_loop)
		st.pollerr++;
	return pfd.revents;
}

static uint64_t completed(void)
{
	return st.compl_cmsg + st.compl_errq;
}

/*
 * -V: why did poll() report POLLERR?  Drained at once, before the sender
 * makes another send, the queue shows whether a send was still in flight
 * (a completion that leaves none in flight raises POLLERR by design, with
 * or without SO_ZEROCOPY_DEFER_POLLERR).
 */
static void classify_pollerr(int fd)
{
	int got = read_errq(fd);

	if (completed() == st.ids)
		st.pollerr_idle++;
	else if (got >= ZC_NOTIFICATION_MAX)
		st.pollerr_bound++;
	else
		st.pollerr_busy++;
}

/*
 * Wait until the socket is writable.  poll() reports POLLERR whenever the
 * error queue holds anything and then cannot sleep for POLLOUT, so pending
 * completions are read from the error queue here, in every zc mode (this
 * is the "when needed" fallback of zc-cmsg).
 */
static void wait_writable(int fd)
{
	short rev;

	for (;;) {
		rev = poll_fd(fd, POLLOUT, 500);
		if ((rev & POLLERR) && cfg_verify_pollerr && timed_loop)
			classify_pollerr(fd);
		if (rev & POLLOUT)
			return;
		if ((rev & POLLERR) && cfg_mode != M_COPY)
			read_errq(fd);
	}
}

/* ---------------------------------------------------------------- */
/* sender                                                           */

static void print_result(double secs, uint64_t rx_bytes)
{
	double calls = (double)(st.n_sendmsg + st.n_recvmsg + st.n_poll);

	printf("mode=%s proto=%s family=ipv%c size=%zu interval=%u secs=%.3f "
	       "mb=%llu mbps=%.1f rx_mb=%llu sends=%llu sendmsg=%llu "
	       "recvmsg=%llu poll=%llu syscalls_per_send=%.3f "
	       "compl_cmsg=%llu compl_errq=%llu expected=%llu copied=%llu "
	       "enobufs=%llu eagain=%llu slots=%u defer_pollerr=%d pollerr=%llu "
	       "pollerr_per_send=%.4f",
	       mode_names[cfg_mode], cfg_type == SOCK_STREAM ? "tcp" : "udp",
	       cfg_family == AF_INET ? '4' : '6', cfg_size,
	       cfg_mode == M_COPY ? 0 : cfg_interval, secs,
	       (unsigned long long)(st.bytes >> 20),
	       (double)st.bytes / 1048576.0 / secs,
	       (unsigned long long)(rx_bytes >> 20),
	       (unsigned long long)st.sends,
	       (unsigned long long)st.n_sendmsg,
	       (unsigned long long)st.n_recvmsg,
	       (unsigned long long)st.n_poll,
	       st.sends ? calls / (double)st.sends : 0.0,
	       (unsigned long long)st.compl_cmsg,
	       (unsigned long long)st.compl_errq,
	       (unsigned long long)st.ids,
	       (unsigned long long)st.copied,
	       (unsigned long long)st.enobufs,
	       (unsigned long long)st.eagain,
	       cfg_mode == M_ZC_CMSG ? cfg_slots : 0, cfg_defer_pollerr,
	       (unsigned long long)st.pollerr,
	       st.sends ? (double)st.pollerr / (double)st.sends : 0.0);
	if (cfg_verify_pollerr)
		printf(" pollerr_idle=%llu pollerr_bound=%llu pollerr_busy=%llu",
		       (unsigned long long)st.pollerr_idle,
		       (unsigned long long)st.pollerr_bound,
		       (unsigned long long)st.pollerr_busy);
	printf("\n");
}

/*
 * -E: a UDP pair with SO_ZEROCOPY for a timed probe; returns the cost of
 * one zc_now_ns() call, which the probes subtract from each timed call.
 */
static uint64_t probe_open_pair(struct zc_pair *q, unsigned int n)
{
	uint64_t t0;
	unsigned int i;
	int err;

	err = zc_open_pair(q, cfg_family, SOCK_DGRAM, true, 1 << 21);
	if (err) {
		errno = -err;
		die("udp pair");
	}
	t0 = zc_now_ns();
	for (i = 0; i < n; i++)
		(void)zc_now_ns();
	return (zc_now_ns() - t0) / (n + 1);
}

/*
 * -E, second part: the cost of a recvmsg(MSG_ERRQUEUE) that returns one
 * notification, the call the in-band path removes besides the empty one.
 * UDP, so that each send's completion is queued before the timed call
 * (the receiver reads the datagram first: with the loopback switch on its
 * pages are released only then).  Returns ns per call, *missing = timed
 * calls that found the queue empty (not counted in the mean).
 */
static double probe_full_recvmsg(unsigned int n, unsigned int *missing)
{
	struct zc_pair q;
	struct zc_range r;
	const char *why = "";
	uint64_t t0, t1, sum = 0, clock_cost, ok = 0;
	unsigned int i;
	char byte = 'x', sink[16];
	int err;

	clock_cost = probe_open_pair(&q, n);
	*missing = 0;
	for (i = 0; i < n; i++) {
		if (send(q.tx, &byte, 1, MSG_ZEROCOPY) != 1)
			die("send");
		if (recv(q.rx, sink, sizeof(sink), MSG_DONTWAIT) < 0)
			die("recv");
		t0 = zc_now_ns();
		err = zc_errq_read_one(q.tx, cfg_family, &r, &why);
		t1 = zc_now_ns();
		if (err < 0) {
			fprintf(stderr, "zc_bench: errqueue: %s\n", why);
			exit(1);
		}
		if (err == 0) {
			(*missing)++;
			continue;
		}
		sum += t1 - t0 > clock_cost ? t1 - t0 - clock_cost : 0;
		ok++;
	}
	zc_close_pair(&q);
	return ok ? (double)sum / (double)ok : 0.0;
}

/*
 * -E, third part: the placeholder's own cost.  ns per 1-byte UDP sendmsg()
 * (no MSG_ZEROCOPY, empty error queue) without control data and with a
 * placeholder of 1 and of ZC_NOTIFICATION_MAX slots, each datagram read by
 * the receiver outside the timed call.  A negative result: the kernel
 * refused the placeholder (no SCM_ZC_NOTIFICATION).
 */
static double probe_sendmsg(unsigned int n, unsigned int slots, bool with_cmsg)
{
	union {
		char buf[CMSG_SPACE(ZC_INFO_LEN(ZC_NOTIFICATION_MAX))];
		struct cmsghdr align;
	} ctl;
	struct zc_info zi = { .capacity = slots, .count = 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm = &ctl.align;
	uint64_t t0, t1, sum = 0, clock_cost;
	struct zc_pair q;
	unsigned int i;
	char sink[16];
	int err;

	clock_cost = probe_open_pair(&q, n);
	for (i = 0; i < n; i++) {
		if (with_cmsg) {
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_ZC_NOTIFICATION;
			cm->cmsg_len = CMSG_LEN(ZC_INFO_LEN(slots));
			memcpy(CMSG_DATA(cm), &zi, sizeof(zi));
			msg.msg_control = ctl.buf;
			msg.msg_controllen = CMSG_SPACE(ZC_INFO_LEN(slots));
		}
		t0 = zc_now_ns();
		err = sendmsg(q.tx, &msg, 0) == 1 ? 0 : -errno;
		t1 = zc_now_ns();
		if (err) {
			zc_close_pair(&q);
			if (err == -EINVAL && with_cmsg)
				return -1.0;
			errno = -err;
			die("sendmsg");
		}
		if (recv(q.rx, sink, sizeof(sink), 0) != 1)
			die("recv");
		sum += t1 - t0 > clock_cost ? t1 - t0 - clock_cost : 0;
	}
	zc_close_pair(&q);
	return (double)sum / n;
}

int main(int argc, char **argv)
{
	union {
		char buf[CMSG_SPACE(ZC_INFO_LEN(ZC_NOTIFICATION_MAX))];
		struct cmsghdr align;
	} ctl;
	struct zc_pair p;
	struct iovec iov;
	struct msghdr msg;
	struct zc_info zi;
	uint64_t t0, tstop, rx_bytes = 0;
	unsigned int since = 0;
	size_t max_udp;
	char *payload;
	int c, err, flags, pipefd[2], status, rx_fd;
	pid_t child;
	bool attach;
	double secs;

	while ((c = getopt(argc, argv, "46c:D:E:l:m:n:p:PR:r:s:t:Vw")) != -1) {
		switch (c) {
		case '4': cfg_family = AF_INET; break;
		case '6': cfg_family = AF_INET6; break;
		case 'c': cfg_cpu = atoi(optarg); break;
		case 'D': cfg_dst_port = atoi(optarg); break;
		case 'r': cfg_rx_port = atoi(optarg); break;
		case 'w': cfg_defer_pollerr = true; break;
		case 'V': cfg_verify_pollerr = true; break;
		case 'R': cfg_rx_mbps = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'E': cfg_probe = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'l': cfg_interval = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'n': cfg_slots = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'P': cfg_poll_each = true; break;
		case 's': cfg_size = strtoul(optarg, NULL, 0); break;
		case 't': cfg_secs = atof(optarg); break;
		case 'm':
			for (c = 0; c < 3 && strcmp(optarg, mode_names[c]); c++)
				;
			if (c == 3)
				usage();
			cfg_mode = (enum mode)c;
			break;
		case 'p':
			if (!strcmp(optarg, "tcp"))
				cfg_type = SOCK_STREAM;
			else if (!strcmp(optarg, "udp"))
				cfg_type = SOCK_DGRAM;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cfg_interval || cfg_secs <= 0 || !cfg_size ||
	    !cfg_slots || cfg_slots > ZC_NOTIFICATION_MAX ||
	    (cfg_defer_pollerr && cfg_mode != M_ZC_CMSG) ||
	    (cfg_verify_pollerr && cfg_mode == M_COPY) ||
	    (cfg_rx_mbps && (cfg_type != SOCK_STREAM || cfg_dst_port >= 0)) ||
	    cfg_rx_port > 65535 || cfg_dst_port > 65535 ||
	    (cfg_rx_port >= 0 && cfg_dst_port >= 0))
		usage();
	if (cfg_rx_port >= 0)
		return serve_receiver();
	max_udp = 65535 - 8 - (cfg_family == AF_INET ? 20 : 0);
	if (cfg_type == SOCK_DGRAM && cfg_size > max_udp) {
		fprintf(stderr, "zc_bench: UDP payload clamped to %zu\n", max_udp);
		cfg_size = max_udp;
	}
	payload = malloc(cfg_size);
	if (!payload)
		die("malloc");
	for (size_t i = 0; i < cfg_size; i++)
		payload[i] = (char)('a' + i % 26);

	if (cfg_dst_port >= 0)
		err = connect_to_receiver(&p, cfg_mode != M_COPY);
	else
		err = zc_open_pair(&p, cfg_family, cfg_type, cfg_mode != M_COPY, 1 << 21);
	if (err) {
		errno = -err;
		die(cfg_dst_port >= 0 ? "connect to receiver" : "loopback socket pair");
	}
	if (cfg_defer_pollerr &&
	    zc_setint(p.tx, SOL_SOCKET, SO_ZEROCOPY, 1 | SO_ZEROCOPY_DEFER_POLLERR)) {
		fprintf(stderr, "zc_bench: SO_ZEROCOPY_DEFER_POLLERR: %s\n",
			strerror(errno));
		return 2;
	}
	if (cfg_probe) {
		uint64_t a, b, c2;
		unsigned int i, missing;
		double full;

		a = zc_now_ns();
		for (i = 0; i < cfg_probe; i++)
			read_errq(p.tx);
		b = zc_now_ns();
		for (i = 0; i < cfg_probe; i++)
			poll_fd(p.tx, POLLOUT, 0);
		c2 = zc_now_ns();
		full = probe_full_recvmsg(cfg_probe, &missing);
		printf("probe proto=%s family=ipv%c calls=%u "
		       "recvmsg_errqueue_empty_ns=%.0f poll_ns=%.0f "
		       "recvmsg_errqueue_one_udp_ns=%.0f one_missing=%u",
		       cfg_type == SOCK_STREAM ? "tcp" : "udp",
		       cfg_family == AF_INET ? '4' : '6', cfg_probe,
		       (double)(b - a) / cfg_probe, (double)(c2 - b) / cfg_probe,
		       full, missing);
		/* the placeholder's own cost, 1 and 16 slots */
		printf(" sendmsg_udp_ns=%.0f", probe_sendmsg(cfg_probe, 0, false));
		for (i = 1; i <= ZC_NOTIFICATION_MAX; i += ZC_NOTIFICATION_MAX - 1) {
			full = probe_sendmsg(cfg_probe, i, true);
			if (full < 0)
				printf(" sendmsg_udp_placeholder%u_ns=n/a", i);
			else
				printf(" sendmsg_udp_placeholder%u_ns=%.0f", i, full);
		}
		printf("\n");
		return 0;
	}
	child = -1;
	if (cfg_dst_port < 0) {
		if (pipe(pipefd))
			die("pipe");
		child = fork();
		if (child < 0)
			die("fork");
		if (child == 0) {
			close(p.tx);
			close(pipefd[0]);
			run_receiver(p.rx, pipefd[1]);
		}
		close(p.rx);
		close(pipefd[1]);
	}
	pin();

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = payload;
	iov.iov_len = cfg_size;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	flags = cfg_mode == M_COPY ? 0 : MSG_ZEROCOPY;
	if (cfg_poll_each)
		flags |= MSG_DONTWAIT;

	t0 = zc_now_ns();
	tstop = t0 + (uint64_t)(cfg_secs * 1e9);
	timed_loop = true;
	do {
		ssize_t ret;

		attach = cfg_mode == M_ZC_CMSG && since + 1 >= cfg_interval;
		if (attach) {
			struct cmsghdr *cm = &ctl.align;

			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_ZC_NOTIFICATION;
			cm->cmsg_len = CMSG_LEN(ZC_INFO_LEN(cfg_slots));
			zi.capacity = cfg_slots;
			zi.count = 0;
			memcpy(CMSG_DATA(cm), &zi, sizeof(zi));
			msg.msg_control = ctl.buf;
			msg.msg_controllen = CMSG_SPACE(ZC_INFO_LEN(cfg_slots));
		} else {
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}

		st.n_sendmsg++;
		ret = sendmsg(p.tx, &msg, flags);
		if (ret < 0) {
			if (errno == ENOBUFS && cfg_mode != M_COPY) {
				/* optmem full of notifications: drain, retry */
				st.enobufs++;
				if (!read_errq(p.tx))
					poll_fd(p.tx, 0, 10);
				continue;
			}
			if (errno == EAGAIN) {
				st.eagain++;
				wait_writable(p.tx);
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == EINVAL && attach) {
				fprintf(stderr, "zc_bench: SCM_ZC_NOTIFICATION "
					"unsupported by this kernel\n");
				if (child > 0) {
					kill(child, SIGTERM);
					waitpid(child, NULL, 0);
				}
				return 2;
			}
			die("sendmsg");
		}
		st.bytes += (uint64_t)ret;
		st.sends++;
		if (cfg_mode != M_COPY)
			st.ids++;

		if (attach) {
			struct cmsghdr *cm = &ctl.align;
			struct zc_info_elem e;
			uint32_t i;

			/* answered in place: only count and the elements change */
			memcpy(&zi, CMSG_DATA(cm), sizeof(zi));
			if (msg.msg_controllen != CMSG_SPACE(ZC_INFO_LEN(cfg_slots)) ||
			    cm->cmsg_len != CMSG_LEN(ZC_INFO_LEN(cfg_slots)) ||
			    zi.capacity != cfg_slots || zi.count > cfg_slots) {
				fprintf(stderr, "zc_bench: bad answer: controllen %zu "
					"cmsg_len %zu capacity %u count %u\n",
					(size_t)msg.msg_controllen,
					(size_t)cm->cmsg_len, zi.capacity, zi.count);
				return 1;
			}
			for (i = 0; i < zi.count; i++) {
				memcpy(&e, CMSG_DATA(cm) + ZC_INFO_LEN(i), sizeof(e));
				account(e.lo, e.hi, !e.zerocopy, true);
			}
			/* Came back full: more may wait, ask again next send. */
			if (zi.count == cfg_slots) {
				st.cmsg_full++;
				since = cfg_interval;
			} else {
				since = 0;
			}
		} else if (cfg_mode == M_ZC && ++since >= cfg_interval) {
			read_errq(p.tx);
			since = 0;
		} else if (cfg_mode == M_ZC_CMSG) {
			since++;
		}

		if (cfg_poll_each)
			wait_writable(p.tx);
	} while (zc_now_ns() < tstop);
	secs = (double)(zc_now_ns() - t0) / 1e9;
	timed_loop = false;

	/* Trailing completions: no later sendmsg will carry them. */
	if (cfg_mode != M_COPY) {
		uint64_t wait_stop = zc_now_ns() + 2000000000ull;

		while (completed() < st.ids && zc_now_ns() < wait_stop)
			if (poll_fd(p.tx, 0, 100) & POLLERR)
				read_errq(p.tx);
	}

	if (cfg_type == SOCK_STREAM)
		shutdown(p.tx, SHUT_WR);
	else if (child > 0)
		kill(child, SIGTERM);
	/* -D: a zc_bench -r sends a TCP sender its count back; UDP: unknown */
	rx_fd = child > 0 ? pipefd[0] : cfg_type == SOCK_STREAM ? p.tx : -1;
	if (rx_fd < 0 || read(rx_fd, &rx_bytes, sizeof(rx_bytes)) != sizeof(rx_bytes))
		rx_bytes = 0;
	if (child > 0)
		waitpid(child, &status, 0);
	close(p.tx);

	print_result(secs, rx_bytes);
	if (cfg_mode != M_COPY && completed() != st.ids) {
		fprintf(stderr, "zc_bench: %llu of %llu completions missing\n",
			(unsigned long long)(st.ids - completed()),
			(unsigned long long)st.ids);
		return 1;
	}
	return 0;
}
