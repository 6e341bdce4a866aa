/*
 * phone_lib.h: the C face of phone_lib.cpp, recon's only C++ (libphonenumber).
 *
 * Every function catches all C++ exceptions and reports failure by its return
 * value, so callers (phone_sql.c, the fuzz harness) never see C++ unwinding and
 * may ereport freely after the call returns. Nothing here allocates with palloc.
 */
#ifndef RECON_PHONE_LIB_H
#define RECON_PHONE_LIB_H

#include <stddef.h>

#include "identity/phone_fast.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Load libphonenumber, silence its logger, build the fast-path tables. 0, or -1 on failure. Idempotent. */
int			phone_lib_init(void);
/* The fast-path tables (after phone_lib_init). */
const PhoneFastTables *phone_lib_fast_tables(void);
/* Index of a supported region code (2 ASCII letters, any case), or -1. */
int			phone_lib_region_index(const char *code, size_t len);
/* Number of supported regions, and the code of one by index. */
int			phone_lib_region_count(void);
const char *phone_lib_region_code(int region_index);
/* Country calling code of a region, 0 when the index is out of range. */
int			phone_lib_region_country_code(int region_index);

/* Parse + IsPossibleNumberWithReason with libphonenumber alone. 0, or -1 on an internal error. */
int			phone_lib_normalize(const char *s, size_t len, int region_index, PhoneResult *result);
/* Parse + IsValidNumber. *valid: 1 or 0. 0, or -1 on an internal error. */
int			phone_lib_is_valid(const char *s, size_t len, int region_index, int *valid);

/*
 * Test inputs generated from libphonenumber's example numbers: typical_rows 0
 * gives the full corpus (every region, every type, many spellings), N > 0 gives
 * N CRM-style inputs from 20 common regions. Returns a malloc'd block of
 * *n_rows rows, each three NUL-terminated strings: input, default region
 * ("" = none), kind. NULL on failure. Free with phone_lib_free.
 */
char	   *phone_lib_corpus(int typical_rows, size_t *n_rows);
void		phone_lib_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
