/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one place that defines the SCM_ZC_NOTIFICATION ABI (kernel series v2,
 * see kernel/README.md) for the tools in this directory.  Every definition is
 * guarded so the file builds both against stock uapi headers (where none of
 * this exists) and against the patched kernel's exported headers.
 */
#ifndef ZC_TOOLS_ZC_ABI_H
#define ZC_TOOLS_ZC_ABI_H

#include <stddef.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <linux/errqueue.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

/* SOL_SOCKET cmsg type of the in-band completion placeholder. */
#ifndef SCM_ZC_NOTIFICATION
#define SCM_ZC_NOTIFICATION 99
#endif

/*
 * Patched uapi headers (series v2) define ZC_NOTIFICATION_MAX together with
 * the two structs; only provide our own copy when they are absent.
 */
#ifndef ZC_NOTIFICATION_MAX
#define ZC_NOTIFICATION_MAX 16

struct zc_info_elem {
	__u32 lo;		/* first id of the inclusive range */
	__u32 hi;		/* last id of the inclusive range */
	__u8 zerocopy;		/* 0: kernel fell back to copying */
	__u8 reserved[3];	/* written as 0 */
};

struct zc_info {
	__u32 capacity;		/* in: room in arr, at most ZC_NOTIFICATION_MAX */
	__u32 count;		/* in: must be 0; out: elements filled */
	struct zc_info_elem arr[];
};
#endif

/* setsockopt(SO_ZEROCOPY, 1 | SO_ZEROCOPY_DEFER_POLLERR): see zc_bench -D */
#ifndef SO_ZEROCOPY_DEFER_POLLERR
#define SO_ZEROCOPY_DEFER_POLLERR 2
#endif

_Static_assert(SCM_ZC_NOTIFICATION == 99, "SCM_ZC_NOTIFICATION must be 99");
_Static_assert(ZC_NOTIFICATION_MAX == 16, "ZC_NOTIFICATION_MAX must be 16");
_Static_assert(SO_ZEROCOPY_DEFER_POLLERR == 2, "SO_ZEROCOPY_DEFER_POLLERR must be 2");
_Static_assert(sizeof(struct zc_info_elem) == 12, "zc_info_elem is 12 bytes");
_Static_assert(sizeof(struct zc_info) == 8, "zc_info header is 8 bytes");
_Static_assert(offsetof(struct zc_info_elem, zerocopy) == 8, "zerocopy at 8");
_Static_assert(offsetof(struct zc_info, count) == 4, "count at 4");

/* Exact cmsg data length for a placeholder with room for n elements. */
#define ZC_INFO_LEN(n) (sizeof(struct zc_info) + \
			(size_t)(n) * sizeof(struct zc_info_elem))

#endif /* ZC_TOOLS_ZC_ABI_H */
