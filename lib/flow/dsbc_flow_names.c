/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsbc_flow.h"

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

const char *
dsbc_mode_name(enum dsbc_mode m)
{
	return (unsigned int)m < DSBC_MODE_MAX ? mode_names[m] : "unknown";
}

int
dsbc_mode_parse(const char *s)
{
	int i;

	for (i = 0; i < DSBC_MODE_MAX; i++)
		if (s != NULL && strcmp(s, mode_names[i]) == 0)
			return i;
	return -1;
}

const char *
dsbc_latch_name(enum dsbc_latch l)
{
	return (unsigned int)l < DSBC_LATCH_MAX ? latch_names[l] : "unknown";
}

int
dsbc_latch_parse(const char *s)
{
	int i;

	for (i = 0; i < DSBC_LATCH_MAX; i++)
		if (s != NULL && strcmp(s, latch_names[i]) == 0)
			return i;
	return -1;
}

static const char *const ssrc_names[] = {
#define DSBC_SSRC_NAME(e, name) [DSBC_SSRC_##e] = name,
	DSBC_SSRC_POLICIES(DSBC_SSRC_NAME)
#undef DSBC_SSRC_NAME
};

const char *
dsbc_ssrc_policy_name(enum dsbc_ssrc_policy p)
{
	return (unsigned int)p < DSBC_SSRC_MAX ? ssrc_names[p] : "unknown";
}

int
dsbc_ssrc_policy_parse(const char *s)
{
	int i;

	for (i = 0; i < DSBC_SSRC_MAX; i++)
		if (s != NULL && strcmp(s, ssrc_names[i]) == 0)
			return i;
	return -1;
}
