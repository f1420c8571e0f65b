/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 *
 * JNI layer of netty-transport-zc: SO_ZEROCOPY, sendmsg(MSG_ZEROCOPY) over an iovec array in direct
 * memory with an optional control buffer (SCM_ZC_NOTIFICATION), draining MSG_ERRQUEUE into
 * caller-provided memory, the in-band probe, and the fd helpers of the close policy.
 *
 * Conventions: no Java object is created on success; results go to caller-provided direct memory.
 * EAGAIN/EWOULDBLOCK, ENOBUFS and EINTR are flow control and are returned as -errno; any other errno
 * is thrown as io.netty.channel.unix.Errors$NativeIoException(method, -errno) (falls back to
 * java.io.IOException "method(..) failed: strerror" if that class is not found).
 * All natives are registered in JNI_OnLoad for class dev/nettyzc/transport/Native.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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

static void zc_set_so_zerocopy(JNIEnv *env, jclass clazz, jint fd, jboolean on)
{
	int val = on ? 1 : 0;

	(void)clazz;
	if (setsockopt(fd, SOL_SOCKET, ZC_SO_ZEROCOPY, &val, sizeof(val)) != 0)
		throw_errno(env, "setsockopt", errno);
}

static jboolean zc_is_so_zerocopy(JNIEnv *env, jclass clazz, jint fd)
{
	int val = 0;
	socklen_t len = sizeof(val);

	(void)clazz;
	if (getsockopt(fd, SOL_SOCKET, ZC_SO_ZEROCOPY, &val, &len) != 0) {
		throw_errno(env, "getsockopt", errno);
		return JNI_FALSE;
	}
	return val ? JNI_TRUE : JNI_FALSE;
}

/* ---- sendmsg ---- */

static jint zc_sendmsg(JNIEnv *env, jclass clazz, jint fd, jlong iov_addr, jint iov_cnt, jint flags,
		       jlong control_addr, jint control_capacity, jlong control_len_out_addr)
{
	struct msghdr msg;
	ssize_t res;

	(void)clazz;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)(intptr_t)iov_addr;
	msg.msg_iovlen = (size_t)iov_cnt;
	if (control_addr != 0 && control_capacity > 0) {
		msg.msg_control = (void *)(intptr_t)control_addr;
		msg.msg_controllen = (size_t)control_capacity;
	}
	res = sendmsg(fd, &msg, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	if (control_len_out_addr != 0) {
		int64_t out = (int64_t)msg.msg_controllen;

		memcpy((void *)(intptr_t)control_len_out_addr, &out, sizeof(out));
	}
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
 * One recvmsg(MSG_ERRQUEUE) per entry, as the kernel dequeues exactly one skb per call.
 * Writes {lo, hi, origin << 8 | code} per entry; for non-zerocopy origins {ee_errno, ee_info, ...}.
 * Returns the number of entries written; stops at EAGAIN or max_ranges.
 */
static jint zc_drain_error_queue(JNIEnv *env, jclass clazz, jint fd, jlong ranges_addr, jint max_ranges)
{
	int32_t *out = (int32_t *)(intptr_t)ranges_addr;
	jint n = 0;

	(void)clazz;
	while (n < max_ranges) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6))];
			struct cmsghdr align;
		} control;
		struct msghdr msg;
		struct cmsghdr *cm;
		const struct sock_extended_err *ee = NULL;
		ssize_t res;

		memset(&msg, 0, sizeof(msg));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		res = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (res < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (err == EAGAIN || err == EWOULDBLOCK)
				break;
			throw_errno(env, "recvmsg", err);
			return n;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			if ((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)) {
				ee = (const struct sock_extended_err *)CMSG_DATA(cm);
				break;
			}
		}
		if (ee == NULL) {
			/* Dequeued something we cannot interpret (truncated control?): report as origin 0. */
			out[3 * n] = 0;
			out[3 * n + 1] = 0;
			out[3 * n + 2] = 0;
		} else if (ee->ee_origin == SO_EE_ORIGIN_ZEROCOPY) {
			out[3 * n] = (int32_t)ee->ee_info;
			out[3 * n + 1] = (int32_t)ee->ee_data;
			out[3 * n + 2] = (int32_t)((ee->ee_origin << 8) | ee->ee_code);
		} else {
			out[3 * n] = (int32_t)ee->ee_errno;
			out[3 * n + 1] = (int32_t)ee->ee_info;
			out[3 * n + 2] = (int32_t)((ee->ee_origin << 8) | ee->ee_code);
		}
		n++;
	}
	return n;
}

/* ---- in-band probe ---- */

static int drain_all(int fd)
{
	char buf[256];
	int n = 0;

	for (;;) {
		struct msghdr msg;

		memset(&msg, 0, sizeof(msg));
		msg.msg_control = buf;
		msg.msg_controllen = sizeof(buf);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return n;
		n++;
	}
}

/*
 * Returns 0 if the kernel accepted a zero-copy sendmsg carrying an SCM_ZC_NOTIFICATION placeholder of
 * cmsg_type and copied it back (or at least accepted it), errno (> 0) if sendmsg failed (EINVAL: unknown
 * cmsg type, i.e. unsupported), -1 if the probe could not be set up.
 */
static jint zc_probe_inband(JNIEnv *env, jclass clazz, jint cmsg_type)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	int rx = -1, tx = -1, one = 1, result = -1;
	union {
		char buf[CMSG_SPACE(ZC_INFO_LEN(ZC_NOTIFICATION_MAX))];
		struct cmsghdr align;
	} control;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	char byte = 'z';
	uint32_t size = ZC_NOTIFICATION_MAX;

	(void)env;
	(void)clazz;
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

	memset(&control, 0, sizeof(control));
	cm = (struct cmsghdr *)control.buf;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = cmsg_type;
	cm->cmsg_len = CMSG_LEN(ZC_INFO_LEN(ZC_NOTIFICATION_MAX));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	if (sendmsg(tx, &msg, MSG_ZC_ZEROCOPY | MSG_DONTWAIT) < 0)
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

/* ---- fd helpers for the close policy ---- */

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

static void zc_set_linger_zero(JNIEnv *env, jclass clazz, jint fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	(void)clazz;
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) != 0)
		throw_errno(env, "setsockopt", errno);
}

/* ---- registration ---- */

static const JNINativeMethod zc_methods[] = {
	{ "setSoZeroCopy", "(IZ)V", (void *)zc_set_so_zerocopy },
	{ "isSoZeroCopy", "(I)Z", (void *)zc_is_so_zerocopy },
	{ "sendmsg", "(IJIIJIJ)I", (void *)zc_sendmsg },
	{ "drainErrorQueue", "(IJI)I", (void *)zc_drain_error_queue },
	{ "probeInbandNotification", "(I)I", (void *)zc_probe_inband },
	{ "dup", "(I)I", (void *)zc_dup },
	{ "close", "(I)V", (void *)zc_close },
	{ "shutdownWrite", "(I)V", (void *)zc_shutdown_write },
	{ "setLingerZero", "(I)V", (void *)zc_set_linger_zero },
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
