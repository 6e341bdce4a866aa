/*
 * identity_sql.h: argument handling shared by the identity layer's SQL functions.
 */
#ifndef RECON_IDENTITY_SQL_H
#define RECON_IDENTITY_SQL_H

#include "postgres.h"

#include "identity/platform.h"

/*
 * The platform named by a SQL argument, which must be one of accepted (a mask
 * of RECON_PLATFORM_BIT); otherwise ERROR 22023 naming the accepted platforms
 * for what (e.g. "email").
 */
extern ReconPlatform recon_platform_arg(text *name, unsigned accepted, const char *what);

/* A text datum holding len bytes of s. */
extern text *recon_text_from(const char *s, size_t len);

/*
 * The result of a plain-C normalizer called with work = VARDATA(result) (a
 * text allocated with the input's length): out is either inside work, and
 * result is sized to it, or malloc'd, and it is copied and freed.
 */
extern text *recon_text_adopt(text *result, char *out, size_t out_len);

#endif
