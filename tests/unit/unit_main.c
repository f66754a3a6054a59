/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "unit.h"

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal_argv[] = {
		argv[0], "--no-huge", "--no-pci", "--no-shconf", "-m", "512",
		"--log-level", "lib.eal:error", "--file-prefix", prefix, NULL,
	};
	unsigned int failed;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "dsbc-unit-%d", (int)getpid());
	if (unit_needs_eal &&
	    rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "unit: cannot start the EAL\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (unit_register() != 0) {
		fprintf(stderr, "unit: suite registration failed: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
		 CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	if (unit_needs_eal)
		rte_eal_cleanup();
	return failed ? 1 : 0;
}
