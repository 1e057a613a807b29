/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where kernel versions differ for subcred. Every switch is
 * a SUBCRED_HAVE_* macro that Kbuild sets by probing the headers of the
 * kernel being built against (see Kbuild), never a version number.
 *
 * Supported: Linux 5.10 to 6.12.
 */
#ifndef _SUBCRED_COMPAT_H
#define _SUBCRED_COMPAT_H

/* 6.2: genl_split_ops, which pre_doit and post_doit take from then on. */
#ifndef SUBCRED_HAVE_GENL_SPLIT_OPS
#define genl_split_ops genl_ops
#endif

/*
 * crypto_memneq() and crypto_xor(): <crypto/utils.h> where it exists (6.12),
 * before that <crypto/algapi.h> (6.1). Users include neither themselves.
 */
#ifdef SUBCRED_HAVE_CRYPTO_UTILS_H
#include <crypto/utils.h>
#else
#include <crypto/algapi.h>
#endif

/*
 * 5.12: the single-block cipher API moved to <crypto/internal/cipher.h>
 * (namespace CRYPTO_INTERNAL); before that it is in <linux/crypto.h>.
 */
#ifdef SUBCRED_HAVE_CRYPTO_INTERNAL_CIPHER_H
#include <crypto/internal/cipher.h>
#else
#include <linux/crypto.h>
#endif

/* 5.17: GENL_REQ_ATTR_CHECK(); the fallback reports no missing type. */
#ifndef SUBCRED_HAVE_GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	const struct genl_info *__info = (info);			\
	bool __missing = !__info->attrs[(attr)];			\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__info->extack, "missing attribute");	\
	__missing;							\
})
#endif

/*
 * GENL_MCAST_CAP_NET_ADMIN (6.7, and the stable kernels from 6.1.74): only
 * a CAP_NET_ADMIN process may join the group. Before that, genetlink cannot
 * refuse the join; subcred_genl_multicast_netns() instead delivers only to
 * sockets whose opener had CAP_NET_ADMIN in the initial user namespace, the
 * check netlink_capable() makes of a request's sender.
 */
#ifdef SUBCRED_HAVE_GENL_MCAST_CAP_NET_ADMIN
#define subcred_genl_multicast_netns genlmsg_multicast_netns
#else
#include <linux/capability.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/sock.h>

#define GENL_MCAST_CAP_NET_ADMIN 0

/* true: do not deliver to @sk */
static inline int subcred_genl_mcast_filter(struct sock *sk,
					    struct sk_buff *skb, void *data)
{
	struct socket *sock = sk->sk_socket;

	return !sock || !sock->file ||
	       !file_ns_capable(sock->file, &init_user_ns, CAP_NET_ADMIN);
}

static inline int
subcred_genl_multicast_netns(const struct genl_family *family, struct net *net,
			     struct sk_buff *skb, u32 portid,
			     unsigned int group, gfp_t flags)
{
	if (WARN_ON_ONCE(group >= family->n_mcgrps)) {
		nlmsg_free(skb);
		return -EINVAL;
	}
	return netlink_broadcast_filtered(net->genl_sock, skb, portid,
					  family->mcgrp_offset + group, flags,
					  subcred_genl_mcast_filter, NULL);
}
#endif

#endif /* _SUBCRED_COMPAT_H */
