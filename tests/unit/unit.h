/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_UNIT_H
#define DSBC_UNIT_H

#include <stdbool.h>
#include <CUnit/CUnit.h>

/*
 * Each test_<lib>.c defines these two: the suites it registers, and
 * whether it needs the EAL (rte_hash, rte_ring, mempools).  unit_main.c
 * starts the EAL with --no-huge --no-pci --no-shconf when asked.
 */
int unit_register(void);
extern const bool unit_needs_eal;

#define UNIT_ADD(suite, fn) \
	do { \
		if (CU_add_test((suite), #fn, (fn)) == NULL) \
			return -1; \
	} while (0)

#endif /* DSBC_UNIT_H */
