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
