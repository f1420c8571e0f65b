/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 *
 * MSG_ZEROCOPY constants used by the JNI layer (DESIGN-NOTES section 3) and the format of the
 * error-queue entries it hands to Java. The Java side (dev.nettyzc.transport.Native, CompletionReader)
 * mirrors these values; keep them in sync.
 */
#ifndef ZC_NATIVE_H
#define ZC_NATIVE_H

#include <stdint.h>

#define ZC_SO_ZEROCOPY 60
#define MSG_ZC_ZEROCOPY 0x4000000

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif

#ifndef IP_RECVERR
#define IP_RECVERR 11
#endif
#ifndef IPV6_RECVERR
#define IPV6_RECVERR 25
#endif

/*
 * The in-band SCM_ZC_NOTIFICATION layout is not known here: the Java side (CompletionReader) writes
 * the placeholder, also the one the probe sends, and parses the copy-back.
 */

/*
 * One error-queue entry as handed to Java: the first 16 bytes of struct sock_extended_err
 * (ee_errno, ee_origin, ee_type, ee_code, ee_pad, ee_info, ee_data), verbatim. An entry whose
 * sock_extended_err could not be found in the control data is written with every field 0
 * (ee_origin SO_EE_ORIGIN_NONE), so Java can tell that something was dequeued and not read.
 */
#define ZC_ERRQUEUE_ENTRY_LEN 16u

#endif /* ZC_NATIVE_H */
