/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 *
 * JNI layer of netty-transport-zc, thin on purpose (Java owns the policy, as in Netty's epoll transport):
 * SO_ZEROCOPY, sendmsg over a msghdr the caller built in direct memory, draining MSG_ERRQUEUE into
 * caller-provided memory, the in-band probe, and the fd helpers of the lingering close.
 *
 * Conventions: no Java object is created on success; results go to caller-provided direct memory.
 * sendmsg and recvmsg are made as direct syscalls (see zc_sendmsg). EAGAIN/EWOULDBLOCK, ENOBUFS and
 * EINTR are flow control and are returned as -errno; any other errno is thrown as
 * io.netty.channel.unix.Errors$NativeIoException(method, -errno), whose message carries the errno text
 * (falls back to java.io.IOException "method(..) failed: strerror" if that class is not found). The
 * error-queue drain never throws (it reports errors beside the entries it dequeued).
 * All natives are registered in JNI_OnLoad for class dev/nettyzc/transport/Native.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/errqueue.h>

#include "zc_native.h"

#define ZC_EXPORT __attribute__((visibility("default")))
#define ZC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static jclass native_io_exception_class;     /* global ref, may be NULL */
static jmethodID native_io_exception_ctor;   /* (Ljava/lang/String;I)V */
static jclass io_exception_class;            /* global ref */

static void throw_errno(JNIEnv *env, const char *method, int err)
{
	if (native_io_exception_class != NULL) {
		jstring jmethod = (*env)->NewStringUTF(env, method);
		jobject ex;

		if (jmethod == NULL)
			return; /* OOM pending */
		ex = (*env)->NewObject(env, native_io_exception_class, native_io_exception_ctor, jmethod,
				       (jint)-err);
		(*env)->DeleteLocalRef(env, jmethod);
		if (ex != NULL) {
			(*env)->Throw(env, (jthrowable)ex);
			(*env)->DeleteLocalRef(env, ex);
		}
		return;
	} else {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s(..) failed: %s", method, strerror(err));
		(*env)->ThrowNew(env, io_exception_class, msg);
	}
}

static int is_flow_control(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == EINTR;
}

/* ---- SO_ZEROCOPY ---- */

static void zc_set_so_zerocopy(JNIEnv *env, jclass clazz, jint fd, jint value)
{
	int val = value;

	(void)clazz;
	if (setsockopt(fd, SOL_SOCKET, ZC_SO_ZEROCOPY, &val, sizeof(val)) != 0)
		throw_errno(env, "setsockopt", errno);
}

static jint zc_get_so_zerocopy(JNIEnv *env, jclass clazz, jint fd)
{
	int val = 0;
	socklen_t len = sizeof(val);

	(void)clazz;
	if (getsockopt(fd, SOL_SOCKET, ZC_SO_ZEROCOPY, &val, &len) != 0) {
		throw_errno(env, "getsockopt", errno);
		return -1;
	}
	return val;
}

/* ---- sendmsg ---- */

/*
 * The msghdr lives in caller-provided direct memory, laid out as the kernel's struct user_msghdr on
 * LP64 (the Java side writes it; the offsets are checked below). The syscall is made directly: a libc
 * may copy msghdr and msg_control before the syscall (musl does on 64-bit, to fix padding), and the
 * kernel's SCM_ZC_NOTIFICATION copy-back would then land in a copy that is thrown away, together with
 * the notifications it dequeued. With the caller's msghdr passed as is, the kernel writes the
 * answer (the elements, then their count) in place into the caller's control buffer.
 */
_Static_assert(sizeof(struct msghdr) == 56, "struct msghdr layout (LP64)");
_Static_assert(offsetof(struct msghdr, msg_name) == 0, "msg_name offset");
_Static_assert(offsetof(struct msghdr, msg_namelen) == 8, "msg_namelen offset");
_Static_assert(offsetof(struct msghdr, msg_iov) == 16, "msg_iov offset");
_Static_assert(offsetof(struct msghdr, msg_iovlen) == 24, "msg_iovlen offset");
_Static_assert(offsetof(struct msghdr, msg_control) == 32, "msg_control offset");
_Static_assert(offsetof(struct msghdr, msg_controllen) == 40, "msg_controllen offset");
_Static_assert(offsetof(struct msghdr, msg_flags) == 48, "msg_flags offset");

static jint zc_sendmsg(JNIEnv *env, jclass clazz, jint fd, jlong msghdr_addr, jint flags)
{
	long res;

	(void)clazz;
	res = syscall(SYS_sendmsg, fd, (struct msghdr *)(intptr_t)msghdr_addr,
		      flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	if (res < 0) {
		int err = errno;

		if (is_flow_control(err))
			return -(err == EWOULDBLOCK ? EAGAIN : err);
		throw_errno(env, "sendmsg", err);
		return -err;
	}
	return (jint)res;
}

/* ---- MSG_ERRQUEUE ---- */

/*
 * One recvmsg(MSG_ERRQUEUE) per entry, as the kernel dequeues exactly one skb per call; made as a
 * direct syscall for the same reason as sendmsg. Copies each entry's sock_extended_err (16 bytes, see
 * ZC_ERRQUEUE_ENTRY_LEN) to entries_addr and stops at EAGAIN, at max_entries, or at an error.
 *
 * Never throws: an entry the kernel dequeued is gone from the socket, so the count of entries written
 * is always returned, and an error is reported separately in *status_addr (int32: 0, or the errno that
 * stopped the loop). The caller applies the entries first and then acts on the error.
 */
static jint zc_drain_error_queue(JNIEnv *env, jclass clazz, jint fd, jlong entries_addr, jint max_entries,
				 jlong status_addr)
{
	unsigned char *out = (unsigned char *)(intptr_t)entries_addr;
	int32_t status = 0;
	jint n = 0;

	(void)env;
	(void)clazz;
	while (n < max_entries) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6))];
			struct cmsghdr align;
		} control;
		struct msghdr msg;
		struct cmsghdr *cm;
		const struct sock_extended_err *ee = NULL;
		long res;

		memset(&msg, 0, sizeof(msg));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		res = syscall(SYS_recvmsg, fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (res < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (err != EAGAIN && err != EWOULDBLOCK)
				status = err;
			break;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			if ((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)) {
				ee = (const struct sock_extended_err *)CMSG_DATA(cm);
				break;
			}
		}
		if (ee != NULL)
			memcpy(out + (size_t)n * ZC_ERRQUEUE_ENTRY_LEN, ee, ZC_ERRQUEUE_ENTRY_LEN);
		else
			memset(out + (size_t)n * ZC_ERRQUEUE_ENTRY_LEN, 0, ZC_ERRQUEUE_ENTRY_LEN);
		n++;
	}
	memcpy((void *)(intptr_t)status_addr, &status, sizeof(status));
	return n;
}

_Static_assert(sizeof(struct sock_extended_err) >= ZC_ERRQUEUE_ENTRY_LEN, "sock_extended_err prefix");
_Static_assert(offsetof(struct sock_extended_err, ee_info) == 8, "ee_info offset");
_Static_assert(offsetof(struct sock_extended_err, ee_data) == 12, "ee_data offset");

/* ---- in-band probe ---- */

static void drain_all(int fd)
{
	char buf[256];

	for (;;) {
		struct msghdr msg;

		memset(&msg, 0, sizeof(msg));
		msg.msg_control = buf;
		msg.msg_controllen = sizeof(buf);
		if (syscall(SYS_recvmsg, fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
	}
}

/*
 * Returns 0 if the kernel accepted a zero-copy sendmsg carrying the control buffer at control_addr
 * (control_len bytes, an SCM_ZC_NOTIFICATION placeholder the Java side wrote: the in-band layout is
 * known to Java only), errno (> 0) if sendmsg failed (EINVAL: unknown cmsg type or layout, i.e.
 * unsupported), -1 if the probe could not be set up. The kernel may write its copy-back into the
 * buffer, which must therefore be writable.
 */
static jint zc_probe_inband(JNIEnv *env, jclass clazz, jlong control_addr, jint control_len)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	int rx = -1, tx = -1, one = 1, result = -1;
	struct msghdr msg;
	struct iovec iov;
	char byte = 'z';

	(void)env;
	(void)clazz;
	if (control_len <= 0)
		return -1;
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx < 0 || tx < 0)
		goto out;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(rx, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    getsockname(rx, (struct sockaddr *)&addr, &alen) != 0 ||
	    connect(tx, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    setsockopt(tx, SOL_SOCKET, ZC_SO_ZEROCOPY, &one, sizeof(one)) != 0)
		goto out;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = (void *)(intptr_t)control_addr;
	msg.msg_controllen = (size_t)control_len;
	if (syscall(SYS_sendmsg, tx, &msg, MSG_ZC_ZEROCOPY | MSG_DONTWAIT) < 0)
		result = errno;
	else
		result = 0;
	drain_all(tx);
out:
	if (rx >= 0)
		close(rx);
	if (tx >= 0)
		close(tx);
	return result;
}

/* ---- fd helpers of the lingering close ---- */

static jint zc_dup(JNIEnv *env, jclass clazz, jint fd)
{
	int res;

	(void)clazz;
	res = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (res < 0) {
		throw_errno(env, "dup", errno);
		return -1;
	}
	return res;
}

static void zc_close(JNIEnv *env, jclass clazz, jint fd)
{
	(void)clazz;
	if (close(fd) != 0 && errno != EINTR)
		throw_errno(env, "close", errno);
}

static void zc_shutdown_write(JNIEnv *env, jclass clazz, jint fd)
{
	(void)clazz;
	if (shutdown(fd, SHUT_WR) != 0 && errno != ENOTCONN)
		throw_errno(env, "shutdown", errno);
}

/*
 * connect(fd, AF_UNSPEC): for TCP this runs tcp_disconnect(), which sends an RST if the state needs one
 * and purges the send queue, while the socket itself stays open: the completions of the purged data
 * are still queued on its error queue and can be read (close() after SO_LINGER 0 would purge as well,
 * but then the socket is gone and nobody learns when the kernel has dropped its last page reference).
 */
static void zc_disconnect(JNIEnv *env, jclass clazz, jint fd)
{
	struct sockaddr sa;

	(void)clazz;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	if (connect(fd, &sa, sizeof(sa)) != 0)
		throw_errno(env, "connect", errno);
}

/*
 * poll(fd, 0 ms) for POLLERR. Unlike getsockopt(SO_ERROR) this does not clear a pending socket error,
 * so Netty's own handling still sees it when it reads or writes.
 */
static jboolean zc_is_error_pending(JNIEnv *env, jclass clazz, jint fd)
{
	struct pollfd p = { .fd = fd, .events = 0, .revents = 0 };
	int res;

	(void)clazz;
	do {
		res = poll(&p, 1, 0);
	} while (res < 0 && errno == EINTR);
	if (res < 0) {
		throw_errno(env, "poll", errno);
		return JNI_FALSE;
	}
	return (p.revents & (POLLERR | POLLNVAL)) != 0 ? JNI_TRUE : JNI_FALSE;
}

/* ---- registration ---- */

static const JNINativeMethod zc_methods[] = {
	{ "setSoZeroCopy", "(II)V", (void *)zc_set_so_zerocopy },
	{ "getSoZeroCopy", "(I)I", (void *)zc_get_so_zerocopy },
	{ "sendmsg", "(IJI)I", (void *)zc_sendmsg },
	{ "drainErrorQueue", "(IJIJ)I", (void *)zc_drain_error_queue },
	{ "probeInbandNotification", "(JI)I", (void *)zc_probe_inband },
	{ "dup", "(I)I", (void *)zc_dup },
	{ "close", "(I)V", (void *)zc_close },
	{ "shutdownWrite", "(I)V", (void *)zc_shutdown_write },
	{ "disconnect", "(I)V", (void *)zc_disconnect },
	{ "isErrorPending", "(I)Z", (void *)zc_is_error_pending },
};

static jclass global_class(JNIEnv *env, const char *name)
{
	jclass local = (*env)->FindClass(env, name);
	jclass global;

	if (local == NULL) {
		(*env)->ExceptionClear(env);
		return NULL;
	}
	global = (jclass)(*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	return global;
}

ZC_EXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;
	jclass native_class;
	jint rc;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK)
		return JNI_ERR;

	io_exception_class = global_class(env, "java/io/IOException");
	if (io_exception_class == NULL)
		return JNI_ERR;
	native_io_exception_class = global_class(env, "io/netty/channel/unix/Errors$NativeIoException");
	if (native_io_exception_class != NULL) {
		native_io_exception_ctor = (*env)->GetMethodID(env, native_io_exception_class, "<init>",
							      "(Ljava/lang/String;I)V");
		if (native_io_exception_ctor == NULL) {
			(*env)->ExceptionClear(env);
			(*env)->DeleteGlobalRef(env, native_io_exception_class);
			native_io_exception_class = NULL;
		}
	}

	native_class = (*env)->FindClass(env, "dev/nettyzc/transport/Native");
	if (native_class == NULL)
		return JNI_ERR;
	rc = (*env)->RegisterNatives(env, native_class, zc_methods, (jint)ZC_ARRAY_LEN(zc_methods));
	(*env)->DeleteLocalRef(env, native_class);
	if (rc != 0)
		return JNI_ERR;
	return JNI_VERSION_1_6;
}

ZC_EXPORT void JNI_OnUnload(JavaVM *vm, void *reserved)
{
	JNIEnv *env;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK)
		return;
	if (native_io_exception_class != NULL) {
		(*env)->DeleteGlobalRef(env, native_io_exception_class);
		native_io_exception_class = NULL;
	}
	if (io_exception_class != NULL) {
		(*env)->DeleteGlobalRef(env, io_exception_class);
		io_exception_class = NULL;
	}
}
