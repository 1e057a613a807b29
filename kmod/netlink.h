/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SUBCRED_NETLINK_H
#define _SUBCRED_NETLINK_H

int subcred_nl_init(void);
void subcred_nl_exit(void);

#endif /* _SUBCRED_NETLINK_H */
