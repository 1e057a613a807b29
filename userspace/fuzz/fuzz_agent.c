// SPDX-License-Identifier: GPL-2.0
/*
 * The agent model of fuzz_update and its blob opener (see fuzz_agent.h):
 * the layout is parsed here from §8.1; AES-256-GCM is fuzz_crypto.c's.
 */
#include <string.h>

#include "shim/kshim.h"
#include "../../kmod/crypto.h"
#include "fuzz_agent.h"
#include "fuzz_kshim.h"

#define HDR_FIXED	(3 + 1 + 1 + 4 + 8 + 12)
#define PLAIN_LEN	437
#define TAG_LEN		16

static u64 be(const u8 **p, int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *(*p)++;
	return v;
}

static bool id_ok(const u8 *id, size_t len)
{
	size_t i;

	if (!len || len > 64)
		return false;
	for (i = 0; i < len; i++) {
		u8 c = id[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

int agent_open(const u8 *blob, size_t len, struct agent_image *img)
{
	static u8 key[32];	/* KDF(master, "seal"): the master never changes */
	static bool have_key;
	u8 plain[PLAIN_LEN];
	const u8 *p;
	size_t hlen;
	int i;

	memset(img, 0, sizeof(*img));
	if (len < HDR_FIXED || memcmp(blob, "SCB", 3) || blob[3] != 1)
		return -1;
	img->id_len = blob[4];
	hlen = HDR_FIXED + img->id_len;
	if (len != hlen + PLAIN_LEN + TAG_LEN || !id_ok(blob + 5, img->id_len))
		return -1;
	memcpy(img->id, blob + 5, img->id_len);
	p = blob + 5 + img->id_len;
	img->version = be(&p, 4);
	img->generation = be(&p, 8);
	if (!have_key && subcred_kdf(fuzz_master_key(), FUZZ_MASTER_LEN,
				     "seal", NULL, 0, key))
		abort();
	have_key = true;
	if (subcred_open(key, p, blob, hlen, blob + hlen, PLAIN_LEN + TAG_LEN,
			 plain))
		return -1;
	p = plain;
	memcpy(img->k, p, 16);
	memcpy(img->opc, p + 16, 16);
	p += 32;
	img->sqn = be(&p, 8);
	for (i = 0; i < 32; i++)
		img->seq[i] = be(&p, 8);
	img->max_age = be(&p, 4);
	img->pending_timeout = be(&p, 4);
	img->set_time = (int64_t)be(&p, 8);
	memcpy(img->last_txid, p, 8);
	p += 8;
	img->ack_len = *p++;
	if (img->ack_len > AGENT_ACK_MAX)
		return -1;
	memcpy(img->ack, p, img->ack_len);
	return 0;
}

void agent_got(struct agent_cred *a, const u8 *blob, size_t len, u64 gen,
	       const struct agent_image *img)
{
	struct agent_blob *b;

	if (len > AGENT_BLOB_MAX)
		abort();
	if (a->ngot == AGENT_BLOBS) {
		memmove(a->got, a->got + 1, sizeof(a->got[0]) * (AGENT_BLOBS - 1));
		a->ngot--;
	}
	b = &a->got[a->ngot++];
	b->len = len;
	b->gen = gen;
	memcpy(b->data, blob, len);
	b->img = *img;
}

const struct agent_blob *agent_latest(const struct agent_cred *a)
{
	return a->ngot ? &a->got[a->ngot - 1] : NULL;
}

const struct agent_blob *agent_find(const struct agent_cred *a, u64 gen)
{
	int i;

	for (i = a->ngot - 1; i >= 0; i--)
		if (a->got[i].gen == gen)
			return &a->got[i];
	return NULL;
}

void agent_write(struct agent_cred *a, const struct agent_blob *b)
{
	if (!a->durable.len || b->gen >= a->durable.gen)
		a->durable = *b;
}
