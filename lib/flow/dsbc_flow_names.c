/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsbc_flow_types.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const mode_names[] = {
#define DSBC_MODE_NAME(e, name) [DSBC_MODE_##e] = name,
	DSBC_MODES(DSBC_MODE_NAME)
#undef DSBC_MODE_NAME
};

static const char *const latch_names[] = {
#define DSBC_LATCH_NAME(e, name) [DSBC_LATCH_##e] = name,
	DSBC_LATCHES(DSBC_LATCH_NAME)
#undef DSBC_LATCH_NAME
};

static const char *const ssrc_names[] = {
#define DSBC_SSRC_NAME(e, name) [DSBC_SSRC_##e] = name,
	DSBC_SSRC_POLICIES(DSBC_SSRC_NAME)
#undef DSBC_SSRC_NAME
};

static const char *const keying_names[] = {
	[DSBC_KEYING_NONE] = "plain", [DSBC_KEYING_SDES] = "sdes",
	[DSBC_KEYING_DTLS] = "dtls",
};

static const char *
name_of(const char *const *names, unsigned int n, unsigned int v)
{
	return v < n ? names[v] : "unknown";
}

static int
index_of(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
dsbc_mode_name(enum dsbc_mode m)
{
	return name_of(mode_names, DIM(mode_names), m);
}

int
dsbc_mode_parse(const char *s)
{
	return index_of(mode_names, DIM(mode_names), s);
}

const char *
dsbc_latch_name(enum dsbc_latch l)
{
	return name_of(latch_names, DIM(latch_names), l);
}

int
dsbc_latch_parse(const char *s)
{
	return index_of(latch_names, DIM(latch_names), s);
}

const char *
dsbc_ssrc_policy_name(enum dsbc_ssrc_policy p)
{
	return name_of(ssrc_names, DIM(ssrc_names), p);
}

int
dsbc_ssrc_policy_parse(const char *s)
{
	return index_of(ssrc_names, DIM(ssrc_names), s);
}

const char *
dsbc_keying_name(enum dsbc_keying k)
{
	return name_of(keying_names, DIM(keying_names), k);
}
