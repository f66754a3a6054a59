/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <arpa/inet.h>

#include "dsbc_addr.h"

int
dsbc_addr_parse(const char *s, struct dsbc_addr *a, uint8_t *family)
{
	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, a->a8) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a8) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

const char *
dsbc_addr_fmt(const struct dsbc_addr *a, uint8_t family, char *buf,
	      size_t len)
{
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a->a8, buf,
		      (socklen_t)len) == NULL && len > 0)
		buf[0] = '\0';
	return buf;
}
