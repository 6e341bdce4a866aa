/*
 * field_sql.h: the machinery shared by the SQL functions of the customer
 * fields (names, location, country, date of birth, gender, external id).
 */
#ifndef RECON_IDENTITY_FIELD_SQL_H
#define RECON_IDENTITY_FIELD_SQL_H

#include "postgres.h"

#include "fmgr.h"

#include "identity/field_kind.h"

/* The extra SQL argument between the value and the platform, if any. */
typedef enum ReconFieldExtra
{
	RECON_FIELD_EXTRA_NONE,			/* (value, platform) */
	RECON_FIELD_EXTRA_COUNTRY,		/* (value, country, platform): NULL country = unknown */
	RECON_FIELD_EXTRA_DATE_ORDER	/* (value, date_order, platform) */
} ReconFieldExtra;

typedef struct ReconFieldSpec
{
	ReconFieldKind kind;
	const char *what;			/* "first name", for error messages */
	ReconFieldExtra extra;
} ReconFieldSpec;

/*
 * The body of recon_normalize_X (reason = false: the normalized text or NULL)
 * and of recon_normalize_X_reason (reason = true: NULL or the reason code).
 */
extern Datum recon_field_sql(FunctionCallInfo fcinfo, const ReconFieldSpec *spec, bool reason);

#endif
