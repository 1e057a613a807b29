/* SPDX-License-Identifier: GPL-2.0 */
/* UDP addresses as text: "1.2.3.4:7305", "[::1]:7305", "host:port". */
#ifndef HN_ADDR_H
#define HN_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#define HN_DEFAULT_PORT	7305

/*
 * Parse @s; without a port, @default_port is used if > 0, else it is an
 * error. Names are resolved (getaddrinfo). Returns 0 or -1.
 */
int hn_addr_parse(const char *s, int default_port,
		  struct sockaddr_storage *ss, socklen_t *len);

/* Numeric text of @sa; an IPv4-mapped IPv6 address is shown as IPv4. */
void hn_addr_format(const struct sockaddr *sa, char *out, size_t size);

#endif /* HN_ADDR_H */
