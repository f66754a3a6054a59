/* SPDX-License-Identifier: BSD-3-Clause */
#include "dsbc_demux.h"

#define R4(c)  c, c, c, c
#define R16(c) R4(c), R4(c), R4(c), R4(c)
#define R64(c) R16(c), R16(c), R16(c), R16(c)

/* RFC 7983 section 7, one entry per first byte. */
const uint8_t dsbc_demux_first_byte[256] = {
	R4(DSBC_DEMUX_STUN),                         /*   0..3   */
	R4(DSBC_DEMUX_UNKNOWN), R4(DSBC_DEMUX_UNKNOWN),
	R4(DSBC_DEMUX_UNKNOWN),                      /*   4..15  */
	R4(DSBC_DEMUX_ZRTP),                         /*  16..19  */
	R4(DSBC_DEMUX_DTLS), R4(DSBC_DEMUX_DTLS), R4(DSBC_DEMUX_DTLS),
	R16(DSBC_DEMUX_DTLS), R16(DSBC_DEMUX_DTLS),  /*  20..63  */
	R16(DSBC_DEMUX_TURN),                        /*  64..79  */
	R16(DSBC_DEMUX_UNKNOWN), R16(DSBC_DEMUX_UNKNOWN),
	R16(DSBC_DEMUX_UNKNOWN),                     /*  80..127 */
	R64(DSBC_DEMUX_RTP),                         /* 128..191 */
	R64(DSBC_DEMUX_UNKNOWN),                     /* 192..255 */
};

static const char *const class_names[DSBC_DEMUX_MAX] = {
#define DSBC_DEMUX_NAME(e, name) [DSBC_DEMUX_##e] = name,
	DSBC_DEMUX_CLASSES(DSBC_DEMUX_NAME)
#undef DSBC_DEMUX_NAME
};

const char *
dsbc_demux_name(enum dsbc_demux_class c)
{
	return (unsigned int)c < DSBC_DEMUX_MAX ? class_names[c] : "invalid";
}
