/*
 * field_sql.h: the machinery shared by the SQL functions of the customer
 * fields (names, location, country, date of birth, gender, external id).
 */
#ifndef RECON_IDENTITY_FIELD_SQL_H
#define RECON_IDENTITY_FIELD_SQL_H

#include "postgres.h"

#include "fmgr.h"

#include "identity/date_of_birth.h"
#include "identity/field.h"
#include "identity/platform.h"

/* The arguments a field normalizer may need beyond the value. */
typedef struct ReconFieldArgs
{
	ReconPlatform platform;
	const char *country;		/* alpha-2, lower case, or NULL when unknown */
	ReconDateOrder order;
} ReconFieldArgs;

/* One field normalizer behind a common signature (an adapter over its C API). */
typedef ReconFieldStatus (*ReconFieldFn) (const char *s, size_t len, const ReconFieldArgs *args,
										  char *work, char **out, size_t *out_len);

/* The extra SQL argument between the value and the platform, if any. */
typedef enum ReconFieldExtra
{
	RECON_FIELD_EXTRA_NONE,			/* (value, platform) */
	RECON_FIELD_EXTRA_COUNTRY,		/* (value, country, platform): NULL country = unknown */
	RECON_FIELD_EXTRA_DATE_ORDER	/* (value, date_order, platform) */
} ReconFieldExtra;

typedef struct ReconFieldSpec
{
	ReconFieldFn fn;
	unsigned	platforms;		/* mask of RECON_PLATFORM_BIT */
	const char *what;			/* "first name", for error messages */
	ReconFieldExtra extra;
} ReconFieldSpec;

/*
 * The body of recon_normalize_X (reason = false: the normalized text or NULL)
 * and of recon_normalize_X_reason (reason = true: NULL or the reason code).
 */
extern Datum recon_field_sql(FunctionCallInfo fcinfo, const ReconFieldSpec *spec, bool reason);

#endif
