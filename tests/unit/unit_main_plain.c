/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main() of the suites of sans-I/O libraries: no EAL, no DPDK header, so
 * such a suite also shows its library builds and runs without them.
 */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "unit.h"

int
main(void)
{
	unsigned int failed;

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
	return failed ? 1 : 0;
}
