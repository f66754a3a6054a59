/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_CHECK_H
#define DSBC_SIP_CHECK_H

#include <stddef.h>

#include "dsbc_sip_msg.h"

/*
 * Whole-message checks before a message enters the transaction layer
 * (RFC 3261 sections 8.2.1-8.2.2, 16.3, 18.3; RFC 4475 section 3.1.2).
 * A request that fails gets the error's status (dsbc_sip_err_status); a
 * response that fails is discarded.
 */
enum dsbc_sip_err dsbc_sip_check_request(const struct dsbc_sip_msg *m);
enum dsbc_sip_err dsbc_sip_check_response(const struct dsbc_sip_msg *m);

/*
 * RFC 3261 section 8.2.2.3: option tags of Require (and Proxy-Require)
 * not in the comma-separated list supported.  Writes them, comma
 * separated, into out (for the Unsupported header of a 420) and returns
 * how many there were; 0 means the request can proceed.
 */
unsigned int dsbc_sip_unsupported(const struct dsbc_sip_msg *m,
				  const char *supported, char *out,
				  size_t outlen);

#endif /* DSBC_SIP_CHECK_H */
