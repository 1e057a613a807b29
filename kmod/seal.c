// SPDX-License-Identifier: GPL-2.0
/*
 * Sealing of credential state with AES-256-GCM (design §2).
 *
 * The seal key is KDF(master, "seal"), where master is the payload of the
 * key named by the module parameter master_key ("user:", "logon:" or
 * "encrypted:" followed by its description), found in the keyrings of the
 * task that asks (the agent). A blob is
 *
 *   header: 'S' 'C' 'B' | format (1) | id_len (1) | id | key_version (4) |
 *           generation (8) | iv (12)
 *   AES-256-GCM(header as associated data, plaintext) || tag (16)
 *
 * so id, version, generation and format are bound to the sealed state and
 * can be checked before anything is trusted. Integers are big-endian.
 */

#include <linux/err.h>
#include <linux/key.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <keys/encrypted-type.h>
#include <keys/user-type.h>

#include "crypto.h"
#include "seal.h"
#include "update.h"

char *subcred_master_key = "logon:subcred:master";

#define SUBCRED_BLOB_MAGIC	"SCB"
#define SUBCRED_BLOB_FIXED	(3 + 1 + 1 + 4 + 8 + SUBCRED_SEAL_IV_LEN)
#define SUBCRED_PLAIN_LEN	(SUBCRED_K_LEN + SUBCRED_OPC_LEN + 8 + \
				 8 * SUBCRED_IND_COUNT + 4 + 4 + 8 + \
				 SUBCRED_WIRE_TXID_LEN + 1 + SUBCRED_ACK_MAX)

static u8 *put_be(u8 *p, u64 v, int n)
{
	while (n--)
		*p++ = v >> (8 * n);
	return p;
}

static u64 get_be(const u8 **p, int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *(*p)++;
	return v;
}

static u8 *put_bytes(u8 *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static const u8 *get_bytes(const u8 *p, void *dst, size_t n)
{
	memcpy(dst, p, n);
	return p + n;
}

void subcred_image_of(struct key *key, struct subcred_image *img)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_secret *secret = subcred_secret(key);
	unsigned int i;

	memset(img, 0, sizeof(*img));
	img->id_len = strscpy(img->id, key->description, sizeof(img->id));
	img->version = cred->version;
	img->generation = cred->generation;
	memcpy(img->k, secret->k, SUBCRED_K_LEN);
	memcpy(img->opc, secret->opc, SUBCRED_OPC_LEN);
	img->sqn = cred->sqn;
	for (i = 0; i < SUBCRED_IND_COUNT; i++)
		img->seq[i] = subcred_seq(cred, i);
	img->max_age = cred->max_age;
	img->pending_timeout = cred->pending_timeout;
	img->set_time = cred->set_time;
	img->last = cred->last;
}

/* encrypted: master keys need CONFIG_ENCRYPTED_KEYS (Debian's 5.10 has none). */
#if IS_REACHABLE(CONFIG_ENCRYPTED_KEYS)
#define subcred_key_type_encrypted (&key_type_encrypted)
#else
#define subcred_key_type_encrypted NULL
#endif

/* The seal key from the master key; -ENOKEY with a message if missing. */
static int subcred_seal_key(u8 *out, struct netlink_ext_ack *extack)
{
	const char *name = subcred_master_key, *desc;
	struct key_type *type;
	const void *data = NULL;
	struct key *key;
	size_t len = 0;
	int err;

	if (!strncmp(name, "user:", 5)) {
		type = &key_type_user;
		desc = name + 5;
	} else if (!strncmp(name, "logon:", 6)) {
		type = &key_type_logon;
		desc = name + 6;
	} else if (!strncmp(name, "encrypted:", 10)) {
		type = subcred_key_type_encrypted;
		desc = name + 10;
		if (!type) {
			NL_SET_ERR_MSG(extack,
				       "master_key is encrypted: but this kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS)");
			return -ENOPKG;
		}
	} else {
		NL_SET_ERR_MSG(extack,
			       "master_key must start with user:, logon: or encrypted:");
		return -EINVAL;
	}

	key = request_key(type, desc, NULL);
	if (IS_ERR(key)) {
		NL_SET_ERR_MSG(extack,
			       "master key (module parameter master_key) not in the caller's keyrings");
		return -ENOKEY;
	}

	down_read(&key->sem);
	if (type == subcred_key_type_encrypted) {
		const struct encrypted_key_payload *ep = key->payload.data[0];

		if (ep) {
			data = ep->decrypted_data;
			len = ep->decrypted_datalen;
		}
	} else {
		const struct user_key_payload *up = user_key_payload_locked(key);

		if (up) {
			data = up->data;
			len = up->datalen;
		}
	}
	if (!data || len < SUBCRED_SEAL_KEY_LEN) {
		NL_SET_ERR_MSG(extack, "master key must hold at least 32 octets");
		err = -EKEYREJECTED;
	} else {
		err = subcred_kdf(data, len, "seal", NULL, 0, out);
	}
	up_read(&key->sem);
	key_put(key);
	return err;
}

static size_t subcred_blob_header(const struct subcred_image *img,
				  const u8 *iv, u8 *out)
{
	u8 *p = out;

	p = put_bytes(p, SUBCRED_BLOB_MAGIC, 3);
	*p++ = SUBCRED_BLOB_FORMAT;
	*p++ = img->id_len;
	p = put_bytes(p, img->id, img->id_len);
	p = put_be(p, img->version, 4);
	p = put_be(p, img->generation, 8);
	p = put_bytes(p, iv, SUBCRED_SEAL_IV_LEN);
	return p - out;
}

int subcred_seal_image(const struct subcred_image *img, u8 **blob,
		       size_t *len, struct netlink_ext_ack *extack)
{
	u8 key[SUBCRED_SEAL_KEY_LEN], iv[SUBCRED_SEAL_IV_LEN];
	size_t hlen, total;
	u8 *plain, *p, *out;
	int i, err;

	err = subcred_seal_key(key, extack);
	if (err)
		return err;

	total = SUBCRED_BLOB_FIXED + img->id_len + SUBCRED_PLAIN_LEN +
		SUBCRED_SEAL_TAG_LEN;
	out = kzalloc(total, GFP_KERNEL);
	plain = kzalloc(SUBCRED_PLAIN_LEN, GFP_KERNEL);
	if (!out || !plain) {
		err = -ENOMEM;
		goto out;
	}

	get_random_bytes(iv, sizeof(iv));
	hlen = subcred_blob_header(img, iv, out);

	p = put_bytes(plain, img->k, SUBCRED_K_LEN);
	p = put_bytes(p, img->opc, SUBCRED_OPC_LEN);
	p = put_be(p, img->sqn, 8);
	for (i = 0; i < SUBCRED_IND_COUNT; i++)
		p = put_be(p, img->seq[i], 8);
	p = put_be(p, img->max_age, 4);
	p = put_be(p, img->pending_timeout, 4);
	p = put_be(p, img->set_time, 8);
	if (img->last.present) {
		err = subcred_last_ack(img->id, img->id_len, img->version,
				       &img->last, p + SUBCRED_WIRE_TXID_LEN + 1,
				       SUBCRED_ACK_MAX);
		if (err < 0)
			goto out;
		p = put_bytes(p, img->last.txid, SUBCRED_WIRE_TXID_LEN);
		*p = err;
	}

	err = subcred_seal(key, iv, out, hlen, plain, SUBCRED_PLAIN_LEN,
			   out + hlen);
	if (err)
		goto out;
	*blob = out;
	*len = total;
	out = NULL;
out:
	kfree(out);
	kfree_sensitive(plain);
	memzero_explicit(key, sizeof(key));
	return err;
}

/*
 * LAST from the txid, ack_len and ACK octets at @p: none, or an ACK that
 * subcred_last_ack() makes again from TAG_A, octet for octet, so that a
 * repeated CONFIRM gets exactly the ACK that was sealed.
 */
static bool subcred_open_last(struct subcred_image *img, const u8 *p)
{
	u8 ack[SUBCRED_ACK_MAX];
	const u8 *sealed = p + SUBCRED_WIRE_TXID_LEN + 1;
	u8 len = p[SUBCRED_WIRE_TXID_LEN];
	int n;

	if (!len)
		return true;
	if (len > SUBCRED_ACK_MAX || len < SUBCRED_WIRE_TAG_LEN)
		return false;
	memcpy(img->last.txid, p, SUBCRED_WIRE_TXID_LEN);
	memcpy(img->last.tag, sealed + len - SUBCRED_WIRE_TAG_LEN,
	       SUBCRED_WIRE_TAG_LEN);
	img->last.present = true;
	n = subcred_last_ack(img->id, img->id_len, img->version, &img->last,
			     ack, sizeof(ack));
	return n == len && !memcmp(ack, sealed, len);
}

int subcred_open_blob(const u8 *blob, size_t len, struct subcred_image *img,
		      struct netlink_ext_ack *extack)
{
	u8 key[SUBCRED_SEAL_KEY_LEN];
	const u8 *p = blob;
	size_t hlen;
	u8 *plain;
	int i, err;

	memset(img, 0, sizeof(*img));
	if (len < SUBCRED_BLOB_FIXED + 1 || memcmp(p, SUBCRED_BLOB_MAGIC, 3)) {
		NL_SET_ERR_MSG(extack, "not a subcred blob");
		return -EINVAL;
	}
	if (p[3] != SUBCRED_BLOB_FORMAT) {
		NL_SET_ERR_MSG(extack, "unknown blob format");
		return -EINVAL;
	}
	img->id_len = p[4];
	hlen = SUBCRED_BLOB_FIXED + img->id_len;
	if (len != hlen + SUBCRED_PLAIN_LEN + SUBCRED_SEAL_TAG_LEN ||
	    !subcred_id_valid((const char *)p + 5, img->id_len)) {
		NL_SET_ERR_MSG(extack, "blob id or length is wrong");
		return -EINVAL;
	}
	p += 5;
	p = get_bytes(p, img->id, img->id_len);
	img->version = get_be(&p, 4);
	img->generation = get_be(&p, 8);

	err = subcred_seal_key(key, extack);
	if (err)
		return err;
	plain = kzalloc(SUBCRED_PLAIN_LEN, GFP_KERNEL);
	if (!plain) {
		err = -ENOMEM;
		goto out;
	}
	err = subcred_open(key, p, blob, hlen, blob + hlen,
			   SUBCRED_PLAIN_LEN + SUBCRED_SEAL_TAG_LEN, plain);
	if (err) {
		if (err == -EBADMSG)
			NL_SET_ERR_MSG(extack,
				       "blob does not authenticate: tampered, or sealed under another master key");
		goto out;
	}

	p = get_bytes(plain, img->k, SUBCRED_K_LEN);
	p = get_bytes(p, img->opc, SUBCRED_OPC_LEN);
	img->sqn = get_be(&p, 8);
	for (i = 0; i < SUBCRED_IND_COUNT; i++)
		img->seq[i] = get_be(&p, 8);
	img->max_age = get_be(&p, 4);
	img->pending_timeout = get_be(&p, 4);
	img->set_time = get_be(&p, 8);
	if (!subcred_open_last(img, p) || !img->version ||
	    img->version > SUBCRED_KEY_VERSION_MAX ||
	    img->sqn > SUBCRED_SQN_MAX || !img->pending_timeout ||
	    img->pending_timeout > SUBCRED_PENDING_TIMEOUT_MAX) {
		NL_SET_ERR_MSG(extack, "blob holds an invalid state");
		err = -EINVAL;
	}
	for (i = 0; !err && i < SUBCRED_IND_COUNT; i++) {
		if (img->seq[i] > SUBCRED_SQN_MAX >> SUBCRED_IND_BITS) {
			NL_SET_ERR_MSG(extack, "blob holds an invalid state");
			err = -EINVAL;
		}
	}
out:
	kfree_sensitive(plain);
	memzero_explicit(key, sizeof(key));
	if (err)
		memzero_explicit(img, sizeof(*img));
	return err;
}
