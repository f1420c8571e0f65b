/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 *
 * Fault injection for the transport's tests, loaded with LD_PRELOAD into the test JVM (surefire execution
 * "fault-injection", and the VM runner). It wraps libc's sendmsg and recvmsg and the syscall() entry point, so
 * it sees both how the code on main calls the kernel (libc) and how the current code does (direct syscalls).
 *
 * The test arms a fault by writing "<mode> <generation>" to the file named by $ZC_FAULT_CONTROL; a one-shot
 * fault fires once per generation and then writes the generation to "$ZC_FAULT_CONTROL.fired". Modes:
 *
 *   drain-eio        the error-queue recvmsg right after one that dequeued an entry fails with EIO (a drain
 *                    that is stopped by an error after it took entries from the kernel)
 *   corrupt-copyback a sendmsg whose SCM_ZC_NOTIFICATION answer holds ranges gets its count field set to
 *                    65535 after the kernel wrote it (an answer that cannot be parsed)
 *   musl-sendmsg     libc's sendmsg behaves as musl's does on 64-bit: it copies msghdr and msg_control and
 *                    makes the syscall on the copy, so a copy-back is lost (not one-shot; direct syscalls are
 *                    not affected, as with musl)
 *   off              nothing
 *
 * Everything else passes through unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ZC_SCM_ZC_NOTIFICATION 99

enum zc_mode { MODE_OFF, MODE_DRAIN_EIO, MODE_CORRUPT_COPYBACK, MODE_MUSL_SENDMSG };

static long (*real_syscall)(long, ...);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);

static long fired_generation = -1;
static int last_errqueue_ok;

static void resolve(void)
{
	if (real_syscall == NULL)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (real_sendmsg == NULL)
		real_sendmsg = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	if (real_recvmsg == NULL)
		real_recvmsg = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
}

/* The armed mode and its generation, read from the control file at every intercepted call. */
static enum zc_mode current_mode(long *generation)
{
	const char *path = getenv("ZC_FAULT_CONTROL");
	char buf[64];
	ssize_t n;
	int fd, saved = errno;

	*generation = 0;
	if (path == NULL)
		return MODE_OFF;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved;
		return MODE_OFF;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	errno = saved;
	if (n <= 0)
		return MODE_OFF;
	buf[n] = '\0';
	{
		char *space = strchr(buf, ' ');

		if (space != NULL) {
			*space = '\0';
			*generation = strtol(space + 1, NULL, 10);
		}
	}
	if (strcmp(buf, "drain-eio") == 0)
		return MODE_DRAIN_EIO;
	if (strcmp(buf, "corrupt-copyback") == 0)
		return MODE_CORRUPT_COPYBACK;
	if (strcmp(buf, "musl-sendmsg") == 0)
		return MODE_MUSL_SENDMSG;
	return MODE_OFF;
}

static void mark_fired(long generation)
{
	const char *path = getenv("ZC_FAULT_CONTROL");
	char name[4096], text[32];
	int fd, len, saved = errno;

	fired_generation = generation;
	if (path == NULL || snprintf(name, sizeof(name), "%s.fired", path) >= (int)sizeof(name))
		return;
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		len = snprintf(text, sizeof(text), "%ld\n", generation);
		if (write(fd, text, (size_t)len) < 0)
			(void)0;
		close(fd);
	}
	errno = saved;
}

static int is_zc_cmsg(const struct cmsghdr *cm)
{
	return cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == ZC_SCM_ZC_NOTIFICATION;
}

/*
 * After a successful sendmsg: corrupt an answer that carries ranges, once per generation. The kernel
 * series v2 writes the ranges and then their count in place (struct zc_info { __u32 capacity, count; }).
 */
static void after_sendmsg(const struct msghdr *msg, long res)
{
	long generation;
	const struct cmsghdr *cm;
	uint32_t count;

	if (res < 0 || msg->msg_control == NULL || msg->msg_controllen < CMSG_LEN(2 * sizeof(count)))
		return;
	if (current_mode(&generation) != MODE_CORRUPT_COPYBACK || generation == fired_generation)
		return;
	cm = (const struct cmsghdr *)msg->msg_control;
	if (!is_zc_cmsg(cm))
		return;
	memcpy(&count, CMSG_DATA(cm) + sizeof(count), sizeof(count));
	if (count == 0)
		return;
	count = 0xFFFF;
	memcpy(CMSG_DATA((struct cmsghdr *)msg->msg_control) + sizeof(count), &count, sizeof(count));
	mark_fired(generation);
}

/* Before an error-queue recvmsg: fail it with EIO if the previous one dequeued an entry. */
static int errqueue_fault(void)
{
	long generation;

	if (!last_errqueue_ok)
		return 0;
	if (current_mode(&generation) != MODE_DRAIN_EIO || generation == fired_generation)
		return 0;
	mark_fired(generation);
	last_errqueue_ok = 0;
	errno = EIO;
	return 1;
}

long syscall(long number, ...)
{
	va_list ap;
	long a[6], res;
	int i;

	resolve();
	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_recvmsg && (a[2] & MSG_ERRQUEUE)) {
		if (errqueue_fault())
			return -1;
		res = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
		last_errqueue_ok = res >= 0;
		return res;
	}
	if (number == SYS_sendmsg && a[1] != 0) {
		struct msghdr *msg = (struct msghdr *)a[1];

		res = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
		after_sendmsg(msg, res);
		return res;
	}
	return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t res;

	resolve();
	if (!(flags & MSG_ERRQUEUE))
		return real_recvmsg(fd, msg, flags);
	if (errqueue_fault())
		return -1;
	res = real_recvmsg(fd, msg, flags);
	last_errqueue_ok = res >= 0;
	return res;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	long generation;
	ssize_t res;

	resolve();
	if (msg != NULL && current_mode(&generation) == MODE_MUSL_SENDMSG) {
		/* As musl on 64-bit: the syscall sees a copy of the msghdr and of the control buffer. */
		struct msghdr copy = *msg;
		unsigned char control[1024];

		if (copy.msg_controllen > 0 && copy.msg_controllen <= sizeof(control)) {
			memcpy(control, msg->msg_control, copy.msg_controllen);
			copy.msg_control = control;
		}
		return real_syscall(SYS_sendmsg, fd, &copy, flags);
	}
	res = real_sendmsg(fd, msg, flags);
	if (msg != NULL)
		after_sendmsg(msg, res);
	return res;
}
