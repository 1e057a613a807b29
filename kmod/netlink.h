/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SUBCRED_NETLINK_H
#define _SUBCRED_NETLINK_H

#include <linux/key.h>
#include <linux/subcred.h>

int subcred_nl_init(void);
void subcred_nl_event(enum subcred_event event, struct key *key,
		      u32 version, const u8 *msg, size_t len);
void subcred_nl_exit(void);

#endif /* _SUBCRED_NETLINK_H */
