/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_CHECK_H
#define DSBC_SIP_CHECK_H

#include <stddef.h>

#include "dsbc_sip_msg.h"

/**
 * @file
 * Whole-message checks before a message enters the transaction layer
 * (RFC 3261 sections 8.2.1-8.2.2, 16.3, 18.3; RFC 4475 section 3.1.2).
 * A request that fails gets the error's status (dsbc_sip_err_status); a
 * response that fails is discarded.
 */
/**
 * Check a parsed request: Request-URI (well formed, no headers, then a
 * sip, sips or tel scheme), mandatory and single-valued headers, Via,
 * From, To, Contact, Route, Record-Route, Call-ID, CSeq (its method
 * equal to the request's), Max-Forwards, Expires and Date.
 *
 * @param m  a request parsed by dsbc_sip_parse()
 * @return DSBC_SIP_ERR_NONE, or the first error found (its status,
 *   dsbc_sip_err_status(), is the answer to send)
 */
enum dsbc_sip_err dsbc_sip_check_request(const struct dsbc_sip_msg *m);
/**
 * Check a parsed response: the header checks common to requests and
 * responses (mandatory and single-valued headers, Via, From, To,
 * Contact, Route, Record-Route, Call-ID, CSeq).
 *
 * @param m  a response parsed by dsbc_sip_parse()
 * @return DSBC_SIP_ERR_NONE, or DSBC_SIP_ERR_RESPONSE for any failure
 *   (the response is then discarded)
 */
enum dsbc_sip_err dsbc_sip_check_response(const struct dsbc_sip_msg *m);

/**
 * RFC 3261 section 8.2.2.3: option tags of Require (and Proxy-Require)
 * not in the comma-separated list supported.  Writes them, comma
 * separated, into out (for the Unsupported header of a 420) and returns
 * how many there were; 0 means the request can proceed.
 *
 * @param m  the request
 * @param supported  option tags dsbc supports, comma separated without
 *   spaces (compared case-insensitively)
 * @param out  where the unsupported tags go, NUL-terminated (when
 *   outlen > 0) and truncated when too small; every tag is counted
 * @param outlen  size of out
 * @return the number of unsupported option tags, 0 when there is none
 */
unsigned int dsbc_sip_unsupported(const struct dsbc_sip_msg *m,
				  const char *supported, char *out,
				  size_t outlen);

#endif /* DSBC_SIP_CHECK_H */
