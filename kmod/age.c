// SPDX-License-Identifier: GPL-2.0
/*
 * Time in a credential's life (design §5.3, §5.4): a PENDING update that
 * passes its deadline is wiped, and a key older than max_age makes the
 * device ask the network for an update with a REQUEST, again with
 * exponential backoff until a new key arrives.
 */

#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "netlink.h"
#include "update.h"

#define SUBCRED_REQUEST_BACKOFF_MIN	60		/* seconds */
#define SUBCRED_REQUEST_BACKOFF_MAX	86400
#define SUBCRED_WORK_MAX_DELAY		(3600 * HZ)	/* look again hourly */

/*
 * Seconds from now at which the next REQUEST is due; <= 0: now. The first
 * when the key reaches max_age, the n-th min(60 * 2^(n-2), 86400) seconds
 * after the one before.
 */
static s64 subcred_request_due(const struct subcred_cred *cred)
{
	s64 due;

	if (!cred->request_tries)
		due = cred->set_time + cred->max_age;
	else
		due = cred->request_time +
		      min_t(s64, (s64)SUBCRED_REQUEST_BACKOFF_MIN <<
			    min(cred->request_tries - 1, 16U),
			    SUBCRED_REQUEST_BACKOFF_MAX);
	return due - ktime_get_real_seconds();
}

/* (Re)arm the work for the nearest deadline; caller holds the lock. */
void subcred_cred_schedule(struct subcred_cred *cred)
{
	unsigned long delay = SUBCRED_WORK_MAX_DELAY;
	struct subcred_pending *p = cred->pending;
	bool armed = false;

	if (cred->dead)
		return;
	if (p && !p->committing) {
		delay = time_after(p->deadline, jiffies) ?
			p->deadline - jiffies : 0;
		armed = true;
	}
	if (cred->max_age && !p) {
		s64 due = subcred_request_due(cred);

		due = due > 0 ? due : 0;
		if ((u64)due * HZ < delay)
			delay = due * HZ;
		armed = true;
	}
	if (armed)
		mod_delayed_work(system_wq, &cred->work, delay);
}

static void subcred_request(struct key *key)
{
	struct subcred_cred *cred = subcred_cred(key);
	u8 msg[SUBCRED_WIRE_MAX_LEN];
	struct subcred_msg m;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = SUBCRED_MSG_REQUEST;
	m.id_len = strscpy(m.id, key->description, sizeof(m.id));
	get_random_bytes(m.txid, sizeof(m.txid));
	get_random_bytes(m.request.nonce, sizeof(m.request.nonce));
	m.request.reason = SUBCRED_REASON_PERIODIC;
	m.request.key_version = cred->version;
	len = subcred_wire_build(&m, msg, sizeof(msg));
	if (len < 0 || subcred_tag_active(key, "request", m.request.nonce,
					  sizeof(m.request.nonce), msg, len))
		return;
	cred->request_tries++;
	cred->request_time = ktime_get_real_seconds();
	cred->stats[SUBCRED_STAT_REQUESTS]++;
	subcred_nl_event(SUBCRED_EVENT_REQUEST, key, cred->version, msg, len);
}

void subcred_cred_work(struct work_struct *work)
{
	struct subcred_cred *cred = container_of(to_delayed_work(work),
						 struct subcred_cred, work);
	struct subcred_pending *p;
	struct key *key;

	mutex_lock(&cred->lock);
	key = cred->key;
	p = cred->pending;
	if (cred->dead || !key)
		goto out;
	if (p && !p->committing && time_after_eq(jiffies, p->deadline)) {
		subcred_pending_clear(cred);
		cred->stats[SUBCRED_STAT_EXPIRED]++;
		subcred_nl_event(SUBCRED_EVENT_EXPIRED, key, cred->version,
				 NULL, 0);
	}
	if (cred->max_age && !cred->pending && subcred_request_due(cred) <= 0)
		subcred_request(key);
	subcred_cred_schedule(cred);
out:
	mutex_unlock(&cred->lock);
}
