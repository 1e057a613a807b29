// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "subcred": the only control plane.
 *
 * Every command needs CAP_NET_ADMIN. Nothing this file sends carries K,
 * OPc or anything derived from them, and the K and OPc attributes of a
 * CRED_NEW request are wiped as soon as the key holds its own copy.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "cred.h"
#include "netlink.h"
#include "update.h"

enum {
	SUBCRED_NL_NEED_CRED = BIT(0),	/* pre_doit resolves SUBCRED_A_ID */
};

enum {
	SUBCRED_NLGRP_EVENTS,
};

static int subcred_nl_validate_id(const struct nlattr *attr,
				  struct netlink_ext_ack *extack)
{
	const char *id = nla_data(attr);
	int len = nla_len(attr);

	if (!len || id[len - 1] != '\0' || strnlen(id, len) != len - 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "id must be one NUL-terminated string");
		return -EINVAL;
	}
	if (len == 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "id is empty");
		return -EINVAL;
	}
	if (len - 1 > SUBCRED_ID_MAX_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "id is longer than 64 characters");
		return -EINVAL;
	}
	if (!subcred_id_valid(id, len - 1)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "id may contain only A-Z a-z 0-9 . _ -");
		return -EINVAL;
	}
	return 0;
}

static struct netlink_range_validation subcred_sqn_range = {
	.max = SUBCRED_SQN_MAX,
};

static struct netlink_range_validation subcred_version_range = {
	.min = 1,
	.max = SUBCRED_KEY_VERSION_MAX,
};

static struct netlink_range_validation subcred_pending_range = {
	.min = 1,
	.max = SUBCRED_PENDING_TIMEOUT_MAX,
};

#define SUBCRED_POLICY_ID \
	NLA_POLICY_VALIDATE_FN(NLA_BINARY, subcred_nl_validate_id)
#define SUBCRED_POLICY_PENDING_TIMEOUT \
	NLA_POLICY_FULL_RANGE(NLA_U32, &subcred_pending_range)

static const struct nla_policy subcred_new_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]			= SUBCRED_POLICY_ID,
	[SUBCRED_A_K]			= NLA_POLICY_EXACT_LEN(SUBCRED_K_LEN),
	[SUBCRED_A_OPC]			= NLA_POLICY_EXACT_LEN(SUBCRED_OPC_LEN),
	[SUBCRED_A_SQN]			= NLA_POLICY_FULL_RANGE(NLA_U64,
							&subcred_sqn_range),
	[SUBCRED_A_KEY_VERSION]		= NLA_POLICY_FULL_RANGE(NLA_U32,
							&subcred_version_range),
	[SUBCRED_A_MAX_AGE]		= { .type = NLA_U32 },
	[SUBCRED_A_PENDING_TIMEOUT]	= SUBCRED_POLICY_PENDING_TIMEOUT,
};

static const struct nla_policy subcred_id_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]			= SUBCRED_POLICY_ID,
};

static const struct nla_policy subcred_set_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]			= SUBCRED_POLICY_ID,
	[SUBCRED_A_MAX_AGE]		= { .type = NLA_U32 },
	[SUBCRED_A_PENDING_TIMEOUT]	= SUBCRED_POLICY_PENDING_TIMEOUT,
};

static const struct nla_policy subcred_msg_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_MSG]		= { .type = NLA_BINARY,
				    .len = SUBCRED_WIRE_MAX_LEN },
};

static const struct nla_policy subcred_persisted_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]		= SUBCRED_POLICY_ID,
	[SUBCRED_A_GENERATION]	= { .type = NLA_U64 },
};

static const struct nla_policy subcred_import_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]		= SUBCRED_POLICY_ID,
	[SUBCRED_A_BLOB]	= { .type = NLA_BINARY, .len = 1024 },
};

static const struct nla_policy subcred_aka_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]		= SUBCRED_POLICY_ID,
	[SUBCRED_A_RAND]	= NLA_POLICY_EXACT_LEN(SUBCRED_WIRE_RAND_LEN),
	[SUBCRED_A_AUTN]	= NLA_POLICY_EXACT_LEN(SUBCRED_WIRE_AUTN_LEN),
};

static struct genl_family subcred_nl_family;

static u32 subcred_nl_state(const struct subcred_cred *cred)
{
	if (!cred->pending)
		return SUBCRED_STATE_IDLE;
	return cred->pending->committing ? SUBCRED_STATE_COMMITTING :
					   SUBCRED_STATE_PENDING;
}

static int subcred_nl_put_stats(struct sk_buff *skb,
				const struct subcred_cred *cred)
{
	struct nlattr *nest = nla_nest_start(skb, SUBCRED_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = SUBCRED_STAT_UPDATES; i < SUBCRED_STAT_PAD; i++)
		if (nla_put_u64_64bit(skb, i, cred->stats[i],
				      SUBCRED_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int subcred_nl_fill(struct sk_buff *skb, struct key *key, u32 portid,
			   u32 seq, int flags)
{
	struct subcred_cred *cred = subcred_cred(key);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &subcred_nl_family, flags,
			  SUBCRED_CMD_CRED_GET);
	if (!hdr)
		return -EMSGSIZE;

	mutex_lock(&cred->lock);
	if (nla_put_string(skb, SUBCRED_A_ID, key->description) ||
	    nla_put_u32(skb, SUBCRED_A_KEY_SERIAL, key->serial) ||
	    nla_put_u32(skb, SUBCRED_A_KEY_VERSION, cred->version) ||
	    nla_put_u64_64bit(skb, SUBCRED_A_SQN, cred->sqn, SUBCRED_A_PAD) ||
	    nla_put_u32(skb, SUBCRED_A_MAX_AGE, cred->max_age) ||
	    nla_put_u32(skb, SUBCRED_A_PENDING_TIMEOUT,
			cred->pending_timeout) ||
	    nla_put_u64_64bit(skb, SUBCRED_A_AGE, subcred_age(cred),
			      SUBCRED_A_PAD) ||
	    nla_put_u64_64bit(skb, SUBCRED_A_GENERATION, cred->generation,
			      SUBCRED_A_PAD) ||
	    nla_put_u32(skb, SUBCRED_A_STATE, subcred_nl_state(cred)) ||
	    subcred_nl_put_stats(skb, cred)) {
		mutex_unlock(&cred->lock);
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	mutex_unlock(&cred->lock);
	genlmsg_end(skb, hdr);
	return 0;
}

static void subcred_nl_multicast_net(struct net *net, struct sk_buff *skb)
{
	subcred_genl_multicast_netns(&subcred_nl_family, net, skb, 0,
				     SUBCRED_NLGRP_EVENTS, GFP_ATOMIC);
}

/*
 * Deliver to the "events" group of every network namespace owned by the
 * initial user namespace. GENL_MCAST_CAP_NET_ADMIN checks CAP_NET_ADMIN in
 * the user namespace that owns the joining socket's network namespace, so
 * genlmsg_multicast_allns() would also tell any unprivileged user with a
 * user and network namespace of its own; the commands themselves need
 * CAP_NET_ADMIN in the initial user namespace.
 */
static void subcred_nl_multicast(struct sk_buff *skb)
{
	struct net *net, *prev = NULL;
	struct sk_buff *clone;

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (net->user_ns != &init_user_ns)
			continue;
		if (prev) {
			clone = skb_clone(skb, GFP_ATOMIC);
			if (clone)
				subcred_nl_multicast_net(prev, clone);
		}
		prev = net;
	}
	if (prev)
		subcred_nl_multicast_net(prev, skb);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

/* Tell the "events" group what changed: never anything secret. */
void subcred_nl_event(enum subcred_event event, struct key *key,
		      u32 version, const u8 *msg, size_t len)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(u32)) * 2 +
			  nla_total_size(SUBCRED_ID_MAX_LEN + 1) +
			  nla_total_size(len), GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &subcred_nl_family, 0, SUBCRED_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, SUBCRED_A_EVENT, event) ||
	    nla_put_string(skb, SUBCRED_A_ID, key->description) ||
	    nla_put_u32(skb, SUBCRED_A_KEY_VERSION, version) ||
	    (len && nla_put(skb, SUBCRED_A_MSG, len, msg))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	subcred_nl_multicast(skb);
}

static int subcred_nl_cred_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct subcred_init init = {
		.version = 1,
		.pending_timeout = READ_ONCE(subcred_pending_timeout),
	};
	struct key *key;
	int err = -EINVAL;

	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_ID) ||
	    GENL_REQ_ATTR_CHECK(info, SUBCRED_A_K) ||
	    GENL_REQ_ATTR_CHECK(info, SUBCRED_A_OPC))
		goto out;

	init.k = nla_data(attrs[SUBCRED_A_K]);
	init.opc = nla_data(attrs[SUBCRED_A_OPC]);
	if (attrs[SUBCRED_A_SQN])
		init.sqn = nla_get_u64(attrs[SUBCRED_A_SQN]);
	if (attrs[SUBCRED_A_KEY_VERSION])
		init.version = nla_get_u32(attrs[SUBCRED_A_KEY_VERSION]);
	if (attrs[SUBCRED_A_MAX_AGE])
		init.max_age = nla_get_u32(attrs[SUBCRED_A_MAX_AGE]);
	if (attrs[SUBCRED_A_PENDING_TIMEOUT])
		init.pending_timeout =
			nla_get_u32(attrs[SUBCRED_A_PENDING_TIMEOUT]);

	key = subcred_create(nla_data(attrs[SUBCRED_A_ID]), &init);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[SUBCRED_A_ID],
					    "a credential with this id exists");
		else if (err == -ENOSPC)
			NL_SET_ERR_MSG(info->extack,
				       "credential store full (max_credentials)");
		goto out;
	}
	subcred_nl_event(SUBCRED_EVENT_NEW, key, init.version, NULL, 0);
	key_put(key);
	err = 0;
out:
	if (attrs[SUBCRED_A_K])
		memzero_explicit(nla_data(attrs[SUBCRED_A_K]),
				 nla_len(attrs[SUBCRED_A_K]));
	if (attrs[SUBCRED_A_OPC])
		memzero_explicit(nla_data(attrs[SUBCRED_A_OPC]),
				 nla_len(attrs[SUBCRED_A_OPC]));
	return err;
}

static int subcred_nl_cred_del(struct sk_buff *skb, struct genl_info *info)
{
	struct key *key = info->user_ptr[0];
	u32 version = READ_ONCE(subcred_cred(key)->version);
	int err;

	err = subcred_delete(key);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[SUBCRED_A_ID],
					    "no credential with this id");
		return err;
	}
	subcred_nl_event(SUBCRED_EVENT_DEL, key, version, NULL, 0);
	return 0;
}

static int subcred_nl_cred_get_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = subcred_nl_fill(msg, info->user_ptr[0], info->snd_portid,
			      info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int subcred_nl_cred_get_dumpit(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct key *key;
	int err = 0;

	while ((key = subcred_next(&index))) {
		err = subcred_nl_fill(skb, key, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		key_put(key);
		if (err)
			break;
		index++;
	}
	cb->args[0] = index;
	return skb->len ?: err;
}

static int subcred_nl_cred_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct key *key = info->user_ptr[0];
	struct subcred_cred *cred = subcred_cred(key);
	u32 version;

	if (!attrs[SUBCRED_A_MAX_AGE] && !attrs[SUBCRED_A_PENDING_TIMEOUT]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give max-age or pending-timeout");
		return -EINVAL;
	}
	mutex_lock(&cred->lock);
	if (attrs[SUBCRED_A_MAX_AGE])
		cred->max_age = nla_get_u32(attrs[SUBCRED_A_MAX_AGE]);
	if (attrs[SUBCRED_A_PENDING_TIMEOUT])
		cred->pending_timeout =
			nla_get_u32(attrs[SUBCRED_A_PENDING_TIMEOUT]);
	version = cred->version;
	cred->generation++;
	subcred_cred_schedule(cred);
	mutex_unlock(&cred->lock);
	subcred_nl_event(SUBCRED_EVENT_SET, key, version, NULL, 0);
	return 0;
}

/* Reply to an update command with what the answer holds. */
static int subcred_nl_answer(struct genl_info *info,
			     const struct subcred_answer *ans)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE + ans->blob_len, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &subcred_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr ||
	    (ans->key && (nla_put_string(msg, SUBCRED_A_ID,
					 ans->key->description) ||
			  nla_put_u32(msg, SUBCRED_A_KEY_VERSION,
				      READ_ONCE(subcred_cred(ans->key)->version)))) ||
	    (ans->generation &&
	     nla_put_u64_64bit(msg, SUBCRED_A_GENERATION, ans->generation,
			       SUBCRED_A_PAD)) ||
	    (ans->blob && nla_put(msg, SUBCRED_A_BLOB, ans->blob_len,
				  ans->blob)) ||
	    (ans->msg_len && nla_put(msg, SUBCRED_A_MSG, ans->msg_len,
				     ans->msg))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Reply with the answer, or name the offending attribute; release it. */
static int subcred_nl_finish(struct genl_info *info,
			     struct subcred_answer *ans, int err,
			     struct nlattr *attr)
{
	if (!err)
		err = subcred_nl_answer(info, ans);
	else if (attr && info->extack && !info->extack->bad_attr)
		NL_SET_BAD_ATTR(info->extack, attr);
	subcred_answer_release(ans);
	return err;
}

static int subcred_nl_msg(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[SUBCRED_A_MSG];
	struct subcred_answer ans = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_MSG))
		return -EINVAL;
	err = subcred_update_input(nla_data(attr), nla_len(attr), &ans,
				   info->extack);
	return subcred_nl_finish(info, &ans, err, attr);
}

static int subcred_nl_persisted(struct sk_buff *skb, struct genl_info *info)
{
	struct subcred_answer ans = { .key = key_get(info->user_ptr[0]) };
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_GENERATION))
		err = -EINVAL;
	else
		err = subcred_update_persisted(ans.key,
					       nla_get_u64(info->attrs[SUBCRED_A_GENERATION]),
					       &ans, info->extack);
	return subcred_nl_finish(info, &ans, err, NULL);
}

static int subcred_nl_export(struct sk_buff *skb, struct genl_info *info)
{
	struct subcred_answer ans = { .key = key_get(info->user_ptr[0]) };
	int err;

	err = subcred_update_export(ans.key, &ans, info->extack);
	return subcred_nl_finish(info, &ans, err, NULL);
}

static int subcred_nl_import(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[SUBCRED_A_ID];
	struct nlattr *blob = info->attrs[SUBCRED_A_BLOB];
	struct subcred_answer ans = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_BLOB))
		return -EINVAL;
	err = subcred_update_import(nla_data(blob), nla_len(blob),
				    id ? nla_data(id) : NULL, &ans,
				    info->extack);
	return subcred_nl_finish(info, &ans, err, blob);
}

static int subcred_nl_aka(struct sk_buff *skb, struct genl_info *info)
{
	u8 res[SUBCRED_WIRE_RES_LEN], auts[SUBCRED_WIRE_AUTS_LEN];
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_RAND) ||
	    GENL_REQ_ATTR_CHECK(info, SUBCRED_A_AUTN))
		return -EINVAL;
	/* Before the SQN is taken: an accepted challenge gets its answer. */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = subcred_update_aka(info->user_ptr[0],
				 nla_data(info->attrs[SUBCRED_A_RAND]),
				 nla_data(info->attrs[SUBCRED_A_AUTN]), res,
				 auts, info->extack);
	if (err && err != -ERANGE) {
		nlmsg_free(msg);
		return err;
	}

	hdr = genlmsg_put_reply(msg, info, &subcred_nl_family, 0,
				SUBCRED_CMD_AKA);
	if (!hdr || (err ? nla_put(msg, SUBCRED_A_AUTS, sizeof(auts), auts) :
			   nla_put(msg, SUBCRED_A_RES, sizeof(res), res))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int subcred_nl_pre_doit(const struct genl_split_ops *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[SUBCRED_A_ID];
	struct key *key;

	if (!(ops->internal_flags & SUBCRED_NL_NEED_CRED))
		return 0;
	if (GENL_REQ_ATTR_CHECK(info, SUBCRED_A_ID))
		return -EINVAL;
	key = subcred_lookup(nla_data(id));
	if (IS_ERR(key)) {
		if (PTR_ERR(key) == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, id,
					    "no credential with this id");
		return PTR_ERR(key);
	}
	info->user_ptr[0] = key;
	return 0;
}

static void subcred_nl_post_doit(const struct genl_split_ops *ops,
				 struct sk_buff *skb, struct genl_info *info)
{
	if (ops->internal_flags & SUBCRED_NL_NEED_CRED)
		key_put(info->user_ptr[0]);
}

static const struct genl_ops subcred_nl_ops[] = {
	{
		.cmd		= SUBCRED_CMD_CRED_NEW,
		.doit		= subcred_nl_cred_new,
		.policy		= subcred_new_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SUBCRED_CMD_CRED_DEL,
		.doit		= subcred_nl_cred_del,
		.policy		= subcred_id_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
	{
		.cmd		= SUBCRED_CMD_CRED_GET,
		.doit		= subcred_nl_cred_get_doit,
		.dumpit		= subcred_nl_cred_get_dumpit,
		.policy		= subcred_id_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
	{
		.cmd		= SUBCRED_CMD_CRED_SET,
		.doit		= subcred_nl_cred_set,
		.policy		= subcred_set_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
	{
		.cmd		= SUBCRED_CMD_MSG,
		.doit		= subcred_nl_msg,
		.policy		= subcred_msg_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SUBCRED_CMD_PERSISTED,
		.doit		= subcred_nl_persisted,
		.policy		= subcred_persisted_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
	{
		.cmd		= SUBCRED_CMD_CRED_EXPORT,
		.doit		= subcred_nl_export,
		.policy		= subcred_id_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
	{
		.cmd		= SUBCRED_CMD_CRED_IMPORT,
		.doit		= subcred_nl_import,
		.policy		= subcred_import_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SUBCRED_CMD_AKA,
		.doit		= subcred_nl_aka,
		.policy		= subcred_aka_policy,
		.maxattr	= SUBCRED_A_MAX,
		.flags		= GENL_ADMIN_PERM,
		.internal_flags	= SUBCRED_NL_NEED_CRED,
	},
};

static const struct genl_multicast_group subcred_nl_mcgrps[] = {
	[SUBCRED_NLGRP_EVENTS] = {
		.name	= SUBCRED_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family subcred_nl_family __ro_after_init = {
	.name		= SUBCRED_GENL_NAME,
	.version	= SUBCRED_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.parallel_ops	= true,
	.pre_doit	= subcred_nl_pre_doit,
	.post_doit	= subcred_nl_post_doit,
	.ops		= subcred_nl_ops,
	.n_ops		= ARRAY_SIZE(subcred_nl_ops),
	.mcgrps		= subcred_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(subcred_nl_mcgrps),
};

int __init subcred_nl_init(void)
{
	return genl_register_family(&subcred_nl_family);
}

void subcred_nl_exit(void)
{
	genl_unregister_family(&subcred_nl_family);
}
