/* SPDX-License-Identifier: BSD-3-Clause */
#include "dsbc_drop.h"

static const char *const drop_names[DSBC_DROP_MAX] = {
	[DSBC_DROP_NONE] = "none",
#define DSBC_DROP_NAME(e, name, help) [DSBC_DROP_##e] = name,
	DSBC_DROP_REASONS(DSBC_DROP_NAME)
#undef DSBC_DROP_NAME
};

static const char *const drop_help[DSBC_DROP_MAX] = {
	[DSBC_DROP_NONE] = "not dropped",
#define DSBC_DROP_HELP(e, name, help) [DSBC_DROP_##e] = help,
	DSBC_DROP_REASONS(DSBC_DROP_HELP)
#undef DSBC_DROP_HELP
};

const char *
dsbc_drop_name(enum dsbc_drop d)
{
	return (unsigned int)d < DSBC_DROP_MAX ? drop_names[d] : "invalid";
}

const char *
dsbc_drop_help(enum dsbc_drop d)
{
	return (unsigned int)d < DSBC_DROP_MAX ? drop_help[d] : "invalid";
}
