/* SPDX-License-Identifier: GPL-2.0 */
/* The UDP loop of `subcred-hn serve`. */
#ifndef HN_SERVE_H
#define HN_SERVE_H

#include "hn_proto.h"

struct hn_serve_opts {
	const char *listen;	/* ADDR[:PORT], default port 7305 */
	struct hn_cfg cfg;
	int poll_ms;		/* database poll period */
};

/* Serve until SIGTERM or SIGINT: 0, or 1 on a setup error. */
int hn_serve(hn_db *db, const struct hn_serve_opts *o);

#endif /* HN_SERVE_H */
