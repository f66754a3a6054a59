/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config loader: any file gets a config or an error line, and what
 * it allocated is freed either way.  The input is written to a memory
 * file, read through its /proc path as dsbc reads its -f FILE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsbc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dsbc_config c;
	char path[64], err[512];
	int fd;

	if (size > 65536)
		return 0;
	fd = memfd_create("dsbc-fuzz.conf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (dsbc_config_load(path, &c, err, sizeof(err)) != 0 &&
	    err[0] == '\0')
		abort();         /* refused without saying why */
	dsbc_config_free(&c);
	close(fd);
	return 0;
}
