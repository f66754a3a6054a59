/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

RTE_LOG_REGISTER(dsbc_logtype_main, dsbc.main, INFO);
RTE_LOG_REGISTER(dsbc_logtype_worker, dsbc.worker, NOTICE);
RTE_LOG_REGISTER(dsbc_logtype_mgmt, dsbc.mgmt, NOTICE);
RTE_LOG_REGISTER(dsbc_logtype_sip, dsbc.sip, NOTICE);
RTE_LOG_REGISTER(dsbc_logtype_b2bua, dsbc.b2bua, NOTICE);
RTE_LOG_REGISTER(dsbc_logtype_tel, dsbc.tel, NOTICE);

static int
level_of(const char *s)
{
	static const char *const names[] = {
		[RTE_LOG_EMERG] = "emergency", [RTE_LOG_ALERT] = "alert",
		[RTE_LOG_CRIT] = "critical", [RTE_LOG_ERR] = "error",
		[RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
		[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
	};
	char *end;
	long v;
	int i;

	for (i = (int)RTE_LOG_EMERG; i <= (int)RTE_LOG_DEBUG; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	v = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && v >= (long)RTE_LOG_EMERG &&
	       v <= (long)RTE_LOG_DEBUG ? (int)v : -1;
}

/* every item checked first (apply false), then applied: a spec with a
 * bad item changes nothing */
static int
levels(const char *spec, bool apply)
{
	char buf[512], *save = NULL, *item;

	if (spec == NULL || *spec == '\0')
		return 0;
	if (strlen(spec) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, spec);
	for (item = strtok_r(buf, ", ", &save); item != NULL;
	     item = strtok_r(NULL, ", ", &save)) {
		char *colon = strrchr(item, ':');
		int lvl;

		if (colon == NULL || colon == item)
			return -EINVAL;
		*colon = '\0';
		lvl = level_of(colon + 1);
		if (lvl < 0)
			return -EINVAL;
		if (apply && rte_log_set_level_pattern(item, (uint32_t)lvl) != 0)
			return -EINVAL;
	}
	return 0;
}

int
dsbc_log_levels_check(const char *spec)
{
	return levels(spec, false);
}

int
dsbc_log_levels(const char *spec)
{
	if (levels(spec, false) != 0)
		return -EINVAL;
	return levels(spec, true);
}
