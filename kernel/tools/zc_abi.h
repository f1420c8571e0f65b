/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one place that defines the SCM_ZC_NOTIFICATION ABI for the tools in
 * this directory (see shared DESIGN-NOTES section 2).  Every definition is
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
 * Patched uapi headers define ZC_NOTIFICATION_MAX together with the two
 * structs; only provide our own copy when they are absent.
 */
#ifndef ZC_NOTIFICATION_MAX
#define ZC_NOTIFICATION_MAX 16

struct zc_info_elem {
	__u32 lo;		/* first id of the inclusive range */
	__u32 hi;		/* last id of the inclusive range */
	__u8 zerocopy;		/* 0: kernel fell back to copying */
};

struct zc_info {
	__u32 size;		/* in: capacity of arr, out: elements filled */
	struct zc_info_elem arr[];
};
#endif

_Static_assert(SCM_ZC_NOTIFICATION == 99, "SCM_ZC_NOTIFICATION must be 99");
_Static_assert(ZC_NOTIFICATION_MAX == 16, "ZC_NOTIFICATION_MAX must be 16");
_Static_assert(sizeof(struct zc_info_elem) == 12, "zc_info_elem is 12 bytes");
_Static_assert(sizeof(struct zc_info) == 4, "zc_info header is 4 bytes");
_Static_assert(offsetof(struct zc_info_elem, zerocopy) == 8, "zerocopy at 8");

/* Exact cmsg data length for a placeholder with room for n elements. */
#define ZC_INFO_LEN(n) (sizeof(struct zc_info) + \
			(size_t)(n) * sizeof(struct zc_info_elem))

#endif /* ZC_TOOLS_ZC_ABI_H */
