// SPDX-License-Identifier: Apache-2.0
/*
 * zc_abi_selftest: self-checking test of the SCM_ZC_NOTIFICATION sendmsg
 * ABI (in-band MSG_ZEROCOPY completions), written in the style of the
 * kernel's net selftests.  One line per case ("ok N - ..." or
 * "not ok N - ..."), diagnostics as "# ..." lines, and a final line
 * "P passed, F failed".  Exit status is 0 only when nothing failed.
 *
 * On a kernel without the feature the in-band cases are skipped (exit 0)
 * and only the error-queue checks run.
 *
 * Environment:
 *   ZC_EXPECT_COPIED=1|0|any  what completions must report on loopback
 *                             (default 1: loopback defers the copy, so
 *                             every completion says "copied"; use 0 or
 *                             any under the benchmark loopback sysctl)
 *   ZC_SEED=N                 seed of the random collection schedule
 *   ZC_SENDS=N                sends per protocol in the stress cases
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <linux/net_tstamp.h>
#include <unistd.h>

#include "zc_abi.h"
#include "zc_common.h"

#define GUARD 64		/* bytes after msg_controllen that must stay */
#define FILL 0xAA		/* pre-fill pattern of control buffers */
#define CTRL_MAX (CMSG_SPACE(ZC_INFO_LEN(ZC_NOTIFICATION_MAX + 2)) + \
		  CMSG_SPACE(sizeof(uint32_t)) + GUARD)

static int n_pass, n_fail, n_case;
static bool supported;
static int expect_copied = 1;	/* 1, 0, or -1 for "any" */
static unsigned int seed;
static char rxbuf[1 << 17];
static char txbuf[1 << 16];

static void __attribute__((format(printf, 2, 3)))
result(bool ok, const char *fmt, ...)
{
	va_list ap;

	n_case++;
	if (ok)
		n_pass++;
	else
		n_fail++;
	printf("%sok %d - ", ok ? "" : "not ", n_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#define diag(fmt, ...) printf("# " fmt "\n", ##__VA_ARGS__)

/* ---------------------------------------------------------------- */
/* completion bookkeeping                                           */

struct tracker {
	uint8_t *seen;		/* one byte per id */
	uint32_t cap;
	uint32_t sent;		/* ids handed out: 0 .. sent-1 */
	uint64_t dup, future, backwards, badflag;
	uint64_t via_cmsg, via_errq, copied, zerocopy;
	uint64_t cmsg_calls, cmsg_elems, errq_reads;
	uint64_t enobufs, fmt_errors;
};

static bool zerocopy_flag_ok(bool copied)
{
	if (expect_copied == 1)
		return copied;
	if (expect_copied == 0)
		return !copied;
	return true;
}

/* Account the inclusive range [lo, hi]; limit = ids sent before it. */
static void track(struct tracker *t, uint32_t lo, uint32_t hi, bool copied,
		  bool via_cmsg, uint32_t limit)
{
	uint32_t id;

	if (hi < lo) {
		t->backwards++;
		return;
	}
	if (!zerocopy_flag_ok(copied))
		t->badflag++;
	for (id = lo;; id++) {
		if (id >= limit || id >= t->cap) {
			t->future++;
		} else if (t->seen[id]) {
			t->dup++;
		} else {
			t->seen[id] = 1;
			if (via_cmsg)
				t->via_cmsg++;
			else
				t->via_errq++;
			if (copied)
				t->copied++;
			else
				t->zerocopy++;
		}
		if (id == hi)
			break;
	}
}

static uint32_t count_seen(const struct tracker *t)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->cap; i++)
		n += t->seen[i];
	return n;
}

/* Read everything currently on the error queue.  Returns -1 on error. */
static int drain_errq(struct zc_pair *p, struct tracker *t)
{
	struct zc_range r = { 0, 0, false };
	const char *why = "";
	int ret;

	for (;;) {
		ret = zc_errq_read_one(p->tx, p->family, &r, &why);
		if (ret == 0)
			return 0;
		if (ret < 0) {
			diag("errqueue read failed: %s",
			     ret == -2 ? strerror(errno) : why);
			t->fmt_errors++;
			return -1;
		}
		t->errq_reads++;
		track(t, r.lo, r.hi, r.copied, false, t->sent);
	}
}

static void drain_rx(struct zc_pair *p)
{
	while (recv(p->rx, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) > 0)
		;
}

static bool pollerr_set(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	if (poll(&pfd, 1, timeout_ms) < 0)
		return false;
	return pfd.revents & POLLERR;
}

/* ---------------------------------------------------------------- */
/* placeholder construction and validation of the copied-back cmsg  */

/*
 * Fill buf with FILL and write a SOL_SOCKET/SCM_ZC_NOTIFICATION header
 * with data length datalen whose leading bytes hold struct zc_info
 * { capacity, count = 0 } (as much of it as fits).  Returns
 * CMSG_SPACE(datalen).
 */
static size_t build_cmsg(uint8_t *buf, size_t bufsz, uint32_t capacity,
			 size_t datalen)
{
	struct cmsghdr *cm = (struct cmsghdr *)buf;
	struct zc_info zi = { .capacity = capacity, .count = 0 };

	memset(buf, FILL, bufsz);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_ZC_NOTIFICATION;
	cm->cmsg_len = CMSG_LEN(datalen);
	memcpy(CMSG_DATA(cm), &zi, datalen < sizeof(zi) ? datalen : sizeof(zi));
	return CMSG_SPACE(datalen);
}

/*
 * Validate a control buffer the kernel answered after sendmsg (series v2:
 * in place).  buf/snap: the buffer after and before the call (bufsz bytes,
 * which extends GUARD bytes past orig_len); zc_off: where the placeholder
 * is; req: its capacity; orig_len/new_len: msg_controllen passed in and
 * seen after the call.  Checks that
 *  - msg_controllen, cmsg_len, level, type and capacity are unchanged and
 *    0 <= count <= req;
 *  - every filled element has zerocopy 0/1 and zeroed reserved bytes;
 *  - every byte outside count and arr[0 .. count) is exactly what it was
 *    before (the cmsg header, capacity, unused slots, tail padding, the
 *    guard area past msg_controllen).
 * On success copies the elements to out and returns their number.
 */
static int check_returned(const uint8_t *buf, const uint8_t *snap,
			  size_t bufsz, size_t zc_off, uint32_t req,
			  size_t orig_len, size_t new_len,
			  struct zc_info_elem *out, const char **why)
{
	const struct cmsghdr *cm = (const void *)(buf + zc_off);
	size_t data = zc_off + CMSG_LEN(0);
	size_t count_off = data + offsetof(struct zc_info, count);
	size_t i, arr_end;
	struct zc_info zi;

	if (new_len != orig_len) {
		diag("msg_controllen %zu -> %zu", orig_len, new_len);
		*why = "msg_controllen changed (the answer is in place)";
		return -1;
	}
	memcpy(&zi, buf + data, sizeof(zi));
	if (zi.count > req) {
		diag("returned count %u, capacity %u", zi.count, req);
		*why = "returned count > capacity";
		return -1;
	}
	arr_end = data + ZC_INFO_LEN(zi.count);
	for (i = 0; i < zi.count; i++) {
		const uint8_t *e = buf + data + ZC_INFO_LEN(i);
		size_t k;

		memcpy(&out[i], e, sizeof(out[i]));
		if (out[i].zerocopy > 1) {
			*why = "zerocopy field not 0/1";
			return -1;
		}
		for (k = offsetof(struct zc_info_elem, zerocopy) + 1;
		     k < sizeof(struct zc_info_elem); k++) {
			if (e[k]) {
				*why = "element reserved bytes not cleared";
				return -1;
			}
		}
	}
	for (i = 0; i < bufsz; i++) {
		bool answer = (i >= count_off && i < count_off + sizeof(zi.count)) ||
			      (i >= data + ZC_INFO_LEN(0) && i < arr_end);

		if (!answer && buf[i] != snap[i]) {
			diag("byte %zu of %zu changed from 0x%02x to 0x%02x "
			     "(placeholder at %zu, %u elements, msg_controllen %zu)",
			     i, bufsz, snap[i], buf[i], zc_off, zi.count, orig_len);
			*why = "kernel wrote outside count and the filled elements";
			return -1;
		}
	}
	(void)cm;
	return (int)zi.count;
}

/* ---------------------------------------------------------------- */

static ssize_t do_send(int fd, const void *data, size_t len, int flags,
		       void *ctrl, size_t *ctrllen)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg;
	ssize_t ret;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (ctrl) {
		msg.msg_control = ctrl;
		msg.msg_controllen = *ctrllen;
	}
	ret = sendmsg(fd, &msg, flags | MSG_DONTWAIT);
	if (ret < 0)
		return -errno;
	if (ctrl)
		*ctrllen = msg.msg_controllen;
	return ret;
}

/* Wait until the error queue has something; false on timeout. */
static bool wait_errq(struct zc_pair *p, int ms)
{
	uint64_t stop = zc_now_ns() + (uint64_t)ms * 1000000;

	do {
		drain_rx(p);
		if (pollerr_set(p->tx, 10))
			return true;
	} while (zc_now_ns() < stop);
	return false;
}

static const int families[2] = { AF_INET, AF_INET6 };
static const int types[2] = { SOCK_STREAM, SOCK_DGRAM };

/* ---------------------------------------------------------------- */
/* probe                                                            */

static int probe(void)
{
	uint8_t ctrl[CTRL_MAX];
	struct zc_pair p;
	struct utsname u;
	size_t clen;
	ssize_t ret;
	int err;

	uname(&u);
	err = zc_open_pair(&p, AF_INET, SOCK_DGRAM, true, 0);
	if (err) {
		diag("cannot create a loopback UDP pair: %s", strerror(-err));
		return -1;
	}
	clen = build_cmsg(ctrl, sizeof(ctrl), 1, ZC_INFO_LEN(1));
	ret = do_send(p.tx, "p", 1, 0, ctrl, &clen);
	if (ret == -EINVAL) {
		clen = build_cmsg(ctrl, sizeof(ctrl), 1, ZC_INFO_LEN(1));
		ret = do_send(p.tx, "p", 1, MSG_ZEROCOPY, ctrl, &clen);
		if (ret >= 0)
			diag("note: placeholder accepted only with MSG_ZEROCOPY");
	}
	zc_close_pair(&p);
	if (ret == -EINVAL) {
		printf("# SCM_ZC_NOTIFICATION unsupported by this kernel "
		       "(uname -r %s): skipping in-band cases\n", u.release);
		return 0;
	}
	if (ret < 0) {
		diag("probe sendmsg failed: %s", strerror((int)-ret));
		return -1;
	}
	printf("# SCM_ZC_NOTIFICATION supported by this kernel (uname -r %s)\n",
	       u.release);
	return 1;
}

/* ---------------------------------------------------------------- */
/* every id completed exactly once across mixed collection          */

static void test_exactly_once(int family, int type, uint32_t nsends,
			      bool use_cmsg)
{
	const char *name = zc_proto_name(family, type);
	const char *how = use_cmsg ? "mixed cmsg/errqueue" : "errqueue only";
	uint8_t ctrl[CTRL_MAX], snap[CTRL_MAX];
	struct zc_info_elem el[ZC_NOTIFICATION_MAX + 2];
	struct tracker t;
	struct zc_pair p;
	uint64_t stop;
	uint32_t i, got, dropped_sends = 0;
	const char *why = NULL;
	bool ok, clear;
	int err;

	memset(&t, 0, sizeof(t));
	t.cap = nsends;
	t.seen = calloc(nsends, 1);
	if (!t.seen) {
		result(false, "%s: exactly once (%s): out of memory", name, how);
		return;
	}
	err = zc_open_pair(&p, family, type, true, 1 << 20);
	if (err) {
		result(false, "%s: exactly once (%s): setup: %s", name, how,
		       strerror(-err));
		free(t.seen);
		return;
	}

	for (i = 0; i < nsends && !why; i++) {
		int method = use_cmsg ? rand() % 4 : (rand() % 3 ? 3 : 0);
		int flags = (rand() % 8) ? MSG_ZEROCOPY : 0;
		size_t len = 1 + rand() % (type == SOCK_DGRAM ? 8000 : 16000);
		uint32_t req = 0;
		size_t clen = 0, olen = 0;
		ssize_t ret;
		int n, k;

		for (;;) {
			if (method == 1 || method == 2) {
				req = method == 2 ? ZC_NOTIFICATION_MAX :
				      (uint32_t)(rand() % (ZC_NOTIFICATION_MAX + 1));
				olen = clen = build_cmsg(ctrl, sizeof(ctrl), req,
							 ZC_INFO_LEN(req));
				memcpy(snap, ctrl, sizeof(ctrl));
			}
			ret = do_send(p.tx, txbuf, len, flags,
				      clen ? ctrl : NULL, &clen);
			if (ret == -EAGAIN) {
				drain_rx(&p);
				continue;
			}
			if (ret == -ENOBUFS) {
				t.enobufs++;
				drain_rx(&p);
				if (drain_errq(&p, &t))
					why = "errqueue read failed";
				if (why)
					break;
				continue;
			}
			break;
		}
		if (why)
			break;
		if (ret < 0) {
			diag("sendmsg #%u: %s", i, strerror((int)-ret));
			why = "sendmsg failed";
			break;
		}
		if (flags & MSG_ZEROCOPY)
			t.sent++;
		else
			dropped_sends++;

		if (clen || olen) {
			t.cmsg_calls++;
			n = check_returned(ctrl, snap, sizeof(ctrl), 0, req,
					   olen, clen, el, &why);
			if (n < 0) {
				diag("send #%u requested %u elements", i, req);
				t.fmt_errors++;
				break;
			}
			t.cmsg_elems += n;
			for (k = 0; k < n; k++)
				track(&t, el[k].lo, el[k].hi, !el[k].zerocopy,
				      true, t.sent);	/* own id may be done */
		}
		if (method == 0 && drain_errq(&p, &t))
			why = "errqueue read failed";
		drain_rx(&p);
	}

	/* Collect the rest: trailing sends have no later sendmsg. */
	stop = zc_now_ns() + 5000000000ull;
	while (!why && count_seen(&t) < t.sent && zc_now_ns() < stop) {
		drain_rx(&p);
		if (pollerr_set(p.tx, 20) && drain_errq(&p, &t))
			why = "errqueue read failed";
	}
	got = count_seen(&t);
	clear = !pollerr_set(p.tx, 0);

	ok = !why && got == t.sent && !t.dup && !t.future && !t.backwards &&
	     !t.badflag && !t.fmt_errors;
	if (use_cmsg && supported && !t.via_cmsg) {
		why = "no completion was ever delivered in-band";
		ok = false;
	}
	if (why)
		diag("%s", why);
	if (t.dup || t.future || t.backwards || t.badflag)
		diag("duplicates %llu, not-yet-sent ids %llu, hi<lo ranges %llu,"
		     " wrong zerocopy flag %llu (expect copied=%d)",
		     (unsigned long long)t.dup, (unsigned long long)t.future,
		     (unsigned long long)t.backwards,
		     (unsigned long long)t.badflag, expect_copied);
	result(ok, "%s: every id completed exactly once (%s): %u zc sends "
	       "(+%u copy sends), %u completed, %llu via cmsg in %llu calls, "
	       "%llu via errqueue in %llu reads, copied %llu, ENOBUFS %llu",
	       name, how, t.sent, dropped_sends, got,
	       (unsigned long long)t.via_cmsg,
	       (unsigned long long)t.cmsg_calls,
	       (unsigned long long)t.via_errq,
	       (unsigned long long)t.errq_reads,
	       (unsigned long long)t.copied, (unsigned long long)t.enobufs);

	/* Queue drained through both paths: POLLERR and EPOLLERR clear. */
	{
		struct zc_range r;
		const char *w;
		struct epoll_event ev = { .events = EPOLLIN | EPOLLERR }, out;
		int ep = epoll_create1(0), n = -1, q;

		if (ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, p.tx, &ev))
			n = epoll_wait(ep, &out, 1, 0);
		if (ep >= 0)
			close(ep);
		q = zc_errq_read_one(p.tx, family, &r, &w);
		result(clear && n == 0 && q == 0,
		       "%s: after draining (%s) errqueue empty, POLLERR and "
		       "EPOLLERR clear (poll %s, epoll_wait %d, errqueue read %d)",
		       name, how, clear ? "clear" : "POLLERR", n, q);
	}
	zc_close_pair(&p);
	free(t.seen);
}

/* ---------------------------------------------------------------- */
/* EINVAL cases                                                     */

struct bad_case {
	const char *what;
	uint32_t capacity;
	size_t datalen;
	uint32_t count;		/* written when datalen holds it */
};

static const struct bad_case bad_cases[] = {
	{ "data length 0 (< sizeof(struct zc_info))", 0, 0, 0 },
	{ "data length 2 (< sizeof(struct zc_info))", 1, 2, 0 },
	{ "data length 4 (< sizeof(struct zc_info))", 1, 4, 0 },
	{ "capacity 17 > ZC_NOTIFICATION_MAX with matching length", 17, ZC_INFO_LEN(17), 0 },
	{ "capacity 0xffffffff with room for 16", 0xffffffffu, ZC_INFO_LEN(16), 0 },
	{ "data length too short (capacity 4, room for 3)", 4, ZC_INFO_LEN(3), 0 },
	{ "data length too long (capacity 4, room for 5)", 4, ZC_INFO_LEN(5), 0 },
	{ "data length too long by 1 byte (capacity 2)", 2, ZC_INFO_LEN(2) + 1, 0 },
	{ "capacity 0 with room for 1", 0, ZC_INFO_LEN(1), 0 },
	{ "v1 layout (4-byte header, 2 elements)", 2, 4 + 2 * sizeof(struct zc_info_elem), 0 },
	{ "count 1 on input", 2, ZC_INFO_LEN(2), 1 },
};

/* Send a marker and check it is the first thing the receiver sees. */
static bool marker_arrives_first(struct zc_pair *p, const char *marker)
{
	size_t len = strlen(marker), got = 0;
	uint64_t stop;
	ssize_t n;

	if (do_send(p->tx, marker, len, 0, NULL, NULL) != (ssize_t)len)
		return false;
	stop = zc_now_ns() + 2000000000ull;
	while (got < len && zc_now_ns() < stop) {
		n = recv(p->rx, rxbuf + got, sizeof(rxbuf) - got, MSG_DONTWAIT);
		if (n > 0) {
			got += n;
			if (p->type == SOCK_DGRAM)
				break;
		} else {
			usleep(1000);
		}
	}
	if (got != len || memcmp(rxbuf, marker, len)) {
		diag("receiver got %zu bytes, first: '%.*s'", got,
		     (int)(got < 16 ? got : 16), rxbuf);
		return false;
	}
	return true;
}

static void test_einval(int family, int type)
{
	const char *name = zc_proto_name(family, type);
	uint8_t ctrl[CTRL_MAX], snap[CTRL_MAX];
	struct zc_pair p;
	struct zc_range r = { 0, 0, false };
	const char *w;
	size_t i, clen, olen;
	ssize_t ret;
	int err, f;
	bool ok;

	/* 1. No SO_ZEROCOPY on the socket, with and without MSG_ZEROCOPY. */
	err = zc_open_pair(&p, family, type, false, 1 << 20);
	if (err) {
		result(false, "%s: EINVAL setup: %s", name, strerror(-err));
		return;
	}
	for (f = 0; f < 2; f++) {
		olen = clen = build_cmsg(ctrl, sizeof(ctrl), 1, ZC_INFO_LEN(1));
		memcpy(snap, ctrl, sizeof(ctrl));
		ret = do_send(p.tx, "BAD!BAD!", 8, f ? MSG_ZEROCOPY : 0,
			      ctrl, &clen);
		result(ret == -EINVAL && clen == olen && !memcmp(snap, ctrl, sizeof(ctrl)),
		       "%s: EINVAL without SO_ZEROCOPY%s (ret %zd%s%s), control buffer untouched",
		       name, f ? ", MSG_ZEROCOPY" : "", ret,
		       ret < 0 ? " " : "", ret < 0 ? strerror((int)-ret) : "");
	}
	result(marker_arrives_first(&p, "GOOD-plain"),
	       "%s: rejected sends without SO_ZEROCOPY transmitted nothing", name);
	zc_close_pair(&p);

	/* 2. Malformed placeholders on a zerocopy socket. */
	err = zc_open_pair(&p, family, type, true, 1 << 20);
	if (err) {
		result(false, "%s: EINVAL setup: %s", name, strerror(-err));
		return;
	}
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];

		olen = clen = build_cmsg(ctrl, sizeof(ctrl), bc->capacity,
					 bc->datalen);
		if (bc->datalen >= sizeof(struct zc_info))
			memcpy(CMSG_DATA((struct cmsghdr *)ctrl) +
			       offsetof(struct zc_info, count), &bc->count,
			       sizeof(bc->count));
		memcpy(snap, ctrl, sizeof(ctrl));
		ret = do_send(p.tx, "BAD!BAD!", 8, MSG_ZEROCOPY, ctrl, &clen);
		ok = ret == -EINVAL && clen == olen &&
		     !memcmp(snap, ctrl, sizeof(ctrl));
		if (!ok)
			diag("ret %zd (%s), msg_controllen %zu -> %zu, buffer %s",
			     ret, ret < 0 ? strerror((int)-ret) : "sent",
			     olen, clen, memcmp(snap, ctrl, sizeof(ctrl)) ?
			     "modified" : "untouched");
		result(ok, "%s: EINVAL for %s", name, bc->what);
	}
	/*
	 * Nothing may have been sent, and no zerocopy id consumed: the next
	 * zerocopy send must get id 0 and the marker must arrive first.
	 */
	ok = true;
	{
		struct iovec iov = { .iov_base = "GOOD-zc", .iov_len = 7 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		size_t got = 0;
		uint64_t stop = zc_now_ns() + 2000000000ull;
		ssize_t n;

		if (sendmsg(p.tx, &m, MSG_ZEROCOPY) != 7)
			ok = false;
		while (ok && got < 7 && zc_now_ns() < stop) {
			n = recv(p.rx, rxbuf + got, sizeof(rxbuf) - got,
				 MSG_DONTWAIT);
			if (n > 0)
				got += n;
			else
				usleep(1000);
		}
		if (got != 7 || memcmp(rxbuf, "GOOD-zc", 7)) {
			diag("receiver got %zu bytes before/instead of marker", got);
			ok = false;
		}
	}
	result(ok, "%s: rejected placeholders transmitted nothing", name);
	ok = wait_errq(&p, 2000) &&
	     zc_errq_read_one(p.tx, family, &r, &w) == 1 &&
	     r.lo == 0 && r.hi == 0;
	if (!ok)
		diag("first completion [%u, %u], expected [0, 0]", r.lo, r.hi);
	result(ok, "%s: rejected sends consumed no zerocopy id", name);
	zc_close_pair(&p);
}

/* ---------------------------------------------------------------- */
/* exact copy-back semantics on UDP (completions arrive in order)    */

/* n zerocopy datagrams, read by the receiver, completions queued. */
static bool udp_burst(struct zc_pair *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (do_send(p->tx, txbuf, 1000, MSG_ZEROCOPY, NULL, NULL) != 1000)
			return false;
	/* All datagrams read => every completion has fired. */
	for (i = 0; i < n;) {
		if (recv(p->rx, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) > 0)
			i++;
		else if (!pollerr_set(p->rx, 0))
			usleep(500);
	}
	return wait_errq(p, 2000);
}

/*
 * Send 100 bytes (no MSG_ZEROCOPY) with the control buffer ctrl, whose
 * first olen bytes are passed as msg_control, then find the returned
 * SCM_ZC_NOTIFICATION cmsg and validate it.  Returns the element count or
 * -1 (reason in *why); *clen gets the returned msg_controllen.
 */
static int send_and_check(struct zc_pair *p, uint8_t *ctrl, size_t olen,
			  size_t *clen, uint32_t req, struct zc_info_elem *el,
			  const char **why)
{
	uint8_t snap[CTRL_MAX];
	struct cmsghdr *cm;
	struct msghdr m;
	ssize_t ret;

	memcpy(snap, ctrl, CTRL_MAX);
	*clen = olen;
	ret = do_send(p->tx, txbuf, 100, 0, ctrl, clen);
	if (ret != 100) {
		diag("sendmsg returned %zd (%s)", ret,
		     ret < 0 ? strerror((int)-ret) : "short");
		*why = "sendmsg failed";
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.msg_control = ctrl;
	m.msg_controllen = *clen;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_ZC_NOTIFICATION)
			return check_returned(ctrl, snap, CTRL_MAX,
					      (uint8_t *)cm - ctrl, req, olen,
					      *clen, el, why);
	diag("msg_controllen %zu -> %zu", olen, *clen);
	*why = "no SCM_ZC_NOTIFICATION cmsg in the returned buffer";
	return -1;
}

static void test_copyback(int family)
{
	const char *name = zc_proto_name(family, SOCK_DGRAM);
	struct zc_info_elem el[ZC_NOTIFICATION_MAX + 2];
	uint8_t ctrl[CTRL_MAX];
	struct zc_pair p;
	struct zc_range r = { 0, 0, false };
	const char *why = "", *w;
	size_t clen = 0, olen, off;
	int n, err, q;
	bool ok;

	err = zc_open_pair(&p, family, SOCK_DGRAM, true, 1 << 20);
	if (err || !udp_burst(&p, 5)) {
		result(false, "%s: copy-back setup failed", name);
		if (!err)
			zc_close_pair(&p);
		return;
	}
	ok = pollerr_set(p.tx, 0);
	result(ok, "%s: POLLERR set while 5 completions are pending", name);

	/* A plain (copy) send carrying a 16-slot placeholder collects 0..4. */
	olen = build_cmsg(ctrl, sizeof(ctrl), ZC_NOTIFICATION_MAX,
			  ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
	n = send_and_check(&p, ctrl, olen, &clen, ZC_NOTIFICATION_MAX, el, &why);
	ok = n == 1 && el[0].lo == 0 && el[0].hi == 4 &&
	     zerocopy_flag_ok(!el[0].zerocopy);
	if (!ok)
		diag("n %d (%s) first [%u, %u] zerocopy %u", n, why,
		     n > 0 ? el[0].lo : 0, n > 0 ? el[0].hi : 0,
		     n > 0 ? el[0].zerocopy : 0);
	result(ok, "%s: 16-slot placeholder on a copy send returns [0, 4] "
	       "(zerocopy %u), in place, msg_controllen %zu -> %zu, "
	       "nothing written outside the returned cmsg", name,
	       n > 0 ? el[0].zerocopy : 9, olen, clen);
	drain_rx(&p);
	q = zc_errq_read_one(p.tx, family, &r, &w);
	result(!pollerr_set(p.tx, 0) && q == 0,
	       "%s: cmsg drained the queue: POLLERR clear, errqueue empty", name);

	/* capacity 0: accepted, returns nothing, the error queue keeps it all. */
	if (!udp_burst(&p, 3)) {
		result(false, "%s: capacity-0 setup failed", name);
		zc_close_pair(&p);
		return;
	}
	olen = build_cmsg(ctrl, sizeof(ctrl), 0, ZC_INFO_LEN(0));
	n = send_and_check(&p, ctrl, olen, &clen, 0, el, &why);
	if (n != 0)
		diag("n %d (%s)", n, why);
	result(n == 0, "%s: capacity 0 accepted, returns 0 elements "
	       "(msg_controllen %zu -> %zu)", name, olen, clen);
	drain_rx(&p);
	ok = pollerr_set(p.tx, 0);
	q = zc_errq_read_one(p.tx, family, &r, &w);
	ok = ok && q == 1 && r.lo == 5 && r.hi == 7;
	result(ok, "%s: after capacity 0 POLLERR still set and the error queue "
	       "holds [5, 7] (got %d: [%u, %u])", name, q,
	       q == 1 ? r.lo : 0, q == 1 ? r.hi : 0);

	/* msg_controllen of CMSG_LEN (no tail padding) works too. */
	if (!udp_burst(&p, 2)) {
		result(false, "%s: CMSG_LEN setup failed", name);
		zc_close_pair(&p);
		return;
	}
	build_cmsg(ctrl, sizeof(ctrl), 2, ZC_INFO_LEN(2));
	olen = CMSG_LEN(ZC_INFO_LEN(2));
	n = send_and_check(&p, ctrl, olen, &clen, 2, el, &why);
	ok = n == 1 && el[0].lo == 8 && el[0].hi == 9;
	if (!ok)
		diag("n %d (%s)", n, why);
	result(ok, "%s: msg_controllen = CMSG_LEN (%zu, unpadded) returns [8, 9], "
	       "msg_controllen -> %zu", name, olen, clen);
	drain_rx(&p);

	/* Placeholder after another SOL_SOCKET cmsg (SO_TIMESTAMPING, 0). */
	if (!udp_burst(&p, 4)) {
		result(false, "%s: two-cmsg setup failed", name);
		zc_close_pair(&p);
		return;
	}
	{
		struct cmsghdr *cm = (struct cmsghdr *)ctrl;
		uint32_t zero = 0;

		off = CMSG_SPACE(sizeof(uint32_t));
		build_cmsg(ctrl + off, sizeof(ctrl) - off, ZC_NOTIFICATION_MAX,
			   ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
		memset(ctrl, FILL, off);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SO_TIMESTAMPING;
		cm->cmsg_len = CMSG_LEN(sizeof(zero));
		memcpy(CMSG_DATA(cm), &zero, sizeof(zero));
		olen = off + CMSG_SPACE(ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
		n = send_and_check(&p, ctrl, olen, &clen, ZC_NOTIFICATION_MAX,
				   el, &why);
		ok = n == 1 && el[0].lo == 10 && el[0].hi == 13;
		if (!ok)
			diag("n %d (%s), msg_controllen %zu -> %zu", n, why,
			     olen, clen);
		result(ok, "%s: placeholder after an SO_TIMESTAMPING cmsg returns "
		       "[10, 13] (msg_controllen %zu -> %zu)", name, olen, clen);
	}
	drain_rx(&p);

	/*
	 * Read-only msg_control: the send succeeds, nothing can be written
	 * back, msg_controllen becomes 0 and the completions stay queued.
	 */
	if (!udp_burst(&p, 2)) {
		result(false, "%s: read-only setup failed", name);
		zc_close_pair(&p);
		return;
	}
	{
		long pg = sysconf(_SC_PAGESIZE);
		uint8_t *ro = mmap(NULL, pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ssize_t ret = -1;
		uint32_t count = 1;

		ok = false;
		if (ro != MAP_FAILED) {
			olen = clen = build_cmsg(ro, pg, ZC_NOTIFICATION_MAX,
						 ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
			if (!mprotect(ro, pg, PROT_READ))
				ret = do_send(p.tx, txbuf, 100, 0, ro, &clen);
			memcpy(&count, CMSG_DATA((struct cmsghdr *)ro) +
			       offsetof(struct zc_info, count), sizeof(count));
			munmap(ro, pg);
			ok = pollerr_set(p.tx, 0);
			q = zc_errq_read_one(p.tx, family, &r, &w);
			ok = ok && ret == 100 && clen == olen && q == 1 &&
			     r.lo == 14 && r.hi == 15 && count == 0;
			if (!ok)
				diag("ret %zd, msg_controllen %zu -> %zu, errqueue "
				     "%d [%u, %u]", ret, olen, clen, q, r.lo, r.hi);
		}
		result(ok, "%s: read-only msg_control: send succeeds, "
		       "msg_controllen unchanged, count still 0, completions "
		       "[14, 15] stay on the error queue", name);
	}
	drain_rx(&p);
	zc_close_pair(&p);
}

/* ---------------------------------------------------------------- */
/* a non-zerocopy entry (tx timestamp) between zerocopy entries      */

/* 1: zerocopy range in *r, 2: tx timestamp, 0: queue empty, -1: other */
static int errq_read_any(int fd, struct zc_range *r)
{
	char control[512];
	struct msghdr msg;
	struct cmsghdr *cm;
	struct sock_extended_err *ee;

	memset(&msg, 0, sizeof(msg));
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return errno == EAGAIN ? 0 : -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin == SO_EE_ORIGIN_ZEROCOPY) {
			r->lo = ee->ee_info;
			r->hi = ee->ee_data;
			r->copied = ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
			return 1;
		}
		if (ee->ee_origin == SO_EE_ORIGIN_TIMESTAMPING)
			return 2;
	}
	return -1;
}

static void test_mixed_queue(int family)
{
	const char *name = zc_proto_name(family, SOCK_DGRAM);
	struct zc_info_elem el[ZC_NOTIFICATION_MAX + 2];
	uint8_t ctrl[CTRL_MAX];
	struct tracker t;
	struct zc_pair p;
	struct zc_range r;
	const char *why = "";
	size_t clen, olen;
	uint8_t seen[3] = { 0 };
	int i, k, n1, n2, kind, ts = 0, other = 0;
	bool ok;

	memset(&t, 0, sizeof(t));
	t.cap = 3;
	t.seen = seen;
	if (zc_open_pair(&p, family, SOCK_DGRAM, true, 1 << 20) ||
	    zc_setint(p.tx, SOL_SOCKET, SO_TIMESTAMPING,
		      SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY)) {
		result(false, "%s: mixed-queue setup: %s", name, strerror(errno));
		return;
	}
	/*
	 * ids 0, 1, 2; id 1 also asks for a software tx timestamp.  Each
	 * datagram is read before the next is sent, so that the queue is
	 * [0] [timestamp] [1, 2] whether the completion comes with the
	 * loopback deferred copy or, under the benchmark switch, when the
	 * receiver reads (the timestamp is queued at transmit).
	 */
	for (i = 0; i < 3; i++) {
		uint32_t tsf = SOF_TIMESTAMPING_TX_SOFTWARE;
		struct cmsghdr *cm = (struct cmsghdr *)ctrl;

		memset(ctrl, 0, sizeof(ctrl));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SO_TIMESTAMPING;
		cm->cmsg_len = CMSG_LEN(sizeof(tsf));
		memcpy(CMSG_DATA(cm), &tsf, sizeof(tsf));
		clen = CMSG_SPACE(sizeof(tsf));
		if (do_send(p.tx, txbuf, 1000, MSG_ZEROCOPY, i == 1 ? ctrl : NULL,
			    &clen) != 1000) {
			result(false, "%s: mixed-queue send: %s", name, strerror(errno));
			zc_close_pair(&p);
			return;
		}
		while (recv(p.rx, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) <= 0)
			usleep(100);
		if (i == 0)
			wait_errq(&p, 2000);
	}
	wait_errq(&p, 2000);
	usleep(20000);

	/* A 1-slot placeholder takes exactly the oldest range, [0]. */
	olen = build_cmsg(ctrl, sizeof(ctrl), 1, ZC_INFO_LEN(1));
	n1 = send_and_check(&p, ctrl, olen, &clen, 1, el, &why);
	ok = n1 == 1 && el[0].lo == 0;
	if (n1 > 0)
		track(&t, el[0].lo, el[0].hi, !el[0].zerocopy, true, 3);
	if (!ok)
		diag("n %d (%s) [%u, %u]", n1, why, n1 > 0 ? el[0].lo : 0,
		     n1 > 0 ? el[0].hi : 0);
	result(ok, "%s: 1-slot placeholder returns only the oldest range "
	       "(got [%u, %u]) while more entries are queued", name,
	       n1 > 0 ? el[0].lo : 0, n1 > 0 ? el[0].hi : 0);

	/* A 16-slot one takes what it may; the rest stays on the queue. */
	olen = build_cmsg(ctrl, sizeof(ctrl), ZC_NOTIFICATION_MAX,
			  ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
	n2 = send_and_check(&p, ctrl, olen, &clen, ZC_NOTIFICATION_MAX, el, &why);
	for (k = 0; k < n2; k++)
		track(&t, el[k].lo, el[k].hi, !el[k].zerocopy, true, 3);
	while ((kind = errq_read_any(p.tx, &r)) > 0) {
		if (kind == 1)
			track(&t, r.lo, r.hi, r.copied, false, 3);
		else
			ts++;
	}
	if (kind < 0)
		other++;
	ok = n2 >= 0 && ts == 1 && !other && count_seen(&t) == 3 && !t.dup &&
	     !t.future && !t.badflag && !pollerr_set(p.tx, 0);
	if (!ok)
		diag("n2 %d (%s), timestamps %d, unknown %d, ids %u, dup %llu",
		     n2, n2 < 0 ? why : "ok", ts, other, count_seen(&t),
		     (unsigned long long)t.dup);
	result(ok, "%s: tx timestamp between zerocopy entries stays on the "
	       "error queue; ids 0..2 completed once (%llu via cmsg, %llu via "
	       "errqueue)", name, (unsigned long long)t.via_cmsg,
	       (unsigned long long)t.via_errq);
	zc_close_pair(&p);
}

/* ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *env;
	uint32_t nsends = 3000;
	int fi, ti, sup;

	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
	env = getenv("ZC_EXPECT_COPIED");
	if (env && !strcmp(env, "any"))
		expect_copied = -1;
	else if (env)
		expect_copied = atoi(env) ? 1 : 0;
	env = getenv("ZC_SENDS");
	if (env && atoi(env) > 0)
		nsends = (uint32_t)atoi(env);
	env = getenv("ZC_SEED");
	seed = env ? (unsigned int)strtoul(env, NULL, 0) :
		     (unsigned int)(zc_now_ns() ^ (uint64_t)getpid());
	srand(seed);
	memset(txbuf, 'z', sizeof(txbuf));

	printf("# zc_abi_selftest: seed %u, %u sends per stress case, "
	       "expect copied=%s\n", seed, nsends,
	       expect_copied < 0 ? "any" : expect_copied ? "1" : "0");
	sup = probe();
	if (sup < 0) {
		result(false, "probe: loopback sockets usable");
		goto out;
	}
	supported = sup == 1;

	/* Error-queue path: runs on every kernel. */
	for (ti = 0; ti < 2; ti++)
		for (fi = 0; fi < 2; fi++)
			test_exactly_once(families[fi], types[ti], nsends / 2, false);

	if (supported) {
		for (ti = 0; ti < 2; ti++)
			for (fi = 0; fi < 2; fi++)
				test_exactly_once(families[fi], types[ti], nsends,
						  true);
		for (ti = 0; ti < 2; ti++)
			for (fi = 0; fi < 2; fi++)
				test_einval(families[fi], types[ti]);
		for (fi = 0; fi < 2; fi++)
			test_copyback(families[fi]);
		for (fi = 0; fi < 2; fi++)
			test_mixed_queue(families[fi]);
	}
out:
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
