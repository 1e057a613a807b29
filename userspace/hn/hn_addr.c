// SPDX-License-Identifier: GPL-2.0
/* UDP addresses as text (see hn_addr.h). */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "hn_addr.h"

static int parse_port(const char *s)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

int hn_addr_parse(const char *s, int default_port,
		  struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *colon, *port_s = NULL;
	int port = default_port;
	size_t n;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -1;
		n = rb - s - 1;
		if (rb[1])
			port_s = rb + 2;
		s++;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {	/* bare IPv6 */
			n = strlen(s);
		} else if (colon) {
			n = colon - s;
			port_s = colon + 1;
		} else {
			n = strlen(s);
		}
	}
	if (!n || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port_s)
		port = parse_port(port_s);
	if (port <= 0)
		return -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &ai) || !ai)
		return -1;
	if (ai->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(ai);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		return -1;
	return 0;
}

void hn_addr_format(const struct sockaddr *sa, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, size, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host,
				  sizeof(host));
			snprintf(out, size, "%s:%u", host,
				 ntohs(in6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &in6->sin6_addr, host,
				  sizeof(host));
			snprintf(out, size, "[%s]:%u", host,
				 ntohs(in6->sin6_port));
		}
	} else {
		snprintf(out, size, "?");
	}
}
