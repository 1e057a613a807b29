// SPDX-License-Identifier: GPL-2.0
/*
 * subcred: subscription security credentials held in the kernel.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "cred.h"
#include "crypto.h"
#include "netlink.h"
#include "seal.h"
#include "selftest.h"

unsigned int subcred_max_credentials = 262144;
module_param_named(max_credentials, subcred_max_credentials, uint, 0644);
MODULE_PARM_DESC(max_credentials,
		 "Most credentials the store holds (default 262144)");

static int subcred_param_set_pending(const char *val,
				     const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, SUBCRED_PENDING_TIMEOUT_MAX);
}

static const struct kernel_param_ops subcred_pending_ops = {
	.set = subcred_param_set_pending,
	.get = param_get_uint,
};

unsigned int subcred_pending_timeout = 600;
module_param_cb(pending_timeout, &subcred_pending_ops,
		&subcred_pending_timeout, 0644);
MODULE_PARM_DESC(pending_timeout,
		 "Default seconds an update may stay pending, 1..86400 (default 600)");

module_param_named(master_key, subcred_master_key, charp, 0444);
MODULE_PARM_DESC(master_key,
		 "Key that seals stored state: user:DESC, logon:DESC or encrypted:DESC (default logon:subcred:master)");

static int __init subcred_mod_init(void)
{
	int err;

	err = subcred_crypto_init();
	if (err)
		return err;

	err = subcred_crypto_selftest();
	if (!err)
		err = subcred_protocol_selftest();
	if (err)
		goto err_crypto;

	err = subcred_store_init();
	if (err)
		goto err_crypto;

	err = subcred_nl_init();
	if (err)
		goto err_store;

	pr_info("credential store ready, netlink family %s v%u\n",
		SUBCRED_GENL_NAME, SUBCRED_GENL_VERSION);
	return 0;

err_store:
	subcred_store_exit();
err_crypto:
	subcred_crypto_exit();
	return err;
}

static void __exit subcred_mod_exit(void)
{
	subcred_nl_exit();
	subcred_store_exit();
	subcred_crypto_exit();
}

module_init(subcred_mod_init);
module_exit(subcred_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Subscription security credentials, updated over the air");
MODULE_AUTHOR("subcred developers");
MODULE_ALIAS_GENL_FAMILY(SUBCRED_GENL_NAME);
