/*
 * field_kind.h: the customer fields by name, and one entry point that runs
 * any of their normalizers, for callers that take the field as an argument
 * (recon_hash_identifier, the user_data builders, the SQL wrappers). Plain C.
 */
#ifndef RECON_IDENTITY_FIELD_KIND_H
#define RECON_IDENTITY_FIELD_KIND_H

#include <stddef.h>

#include "identity/date_of_birth.h"
#include "identity/field.h"
#include "identity/platform.h"

typedef enum ReconFieldKind
{
	RECON_FIELD_KIND_FIRST_NAME = 0,
	RECON_FIELD_KIND_LAST_NAME,
	RECON_FIELD_KIND_CITY,
	RECON_FIELD_KIND_STATE,
	RECON_FIELD_KIND_ZIP,
	RECON_FIELD_KIND_COUNTRY,
	RECON_FIELD_KIND_DATE_OF_BIRTH,
	RECON_FIELD_KIND_GENDER,
	RECON_FIELD_KIND_EXTERNAL_ID,
	RECON_FIELD_KIND_COUNT
} ReconFieldKind;

/* The inputs a field normalizer may need beyond the value (each field reads the ones it uses). */
typedef struct ReconFieldArgs
{
	ReconPlatform platform;
	const char *country;		/* state, zip: alpha-2 in lower case, or NULL when unknown */
	ReconDateOrder order;		/* date of birth */
} ReconFieldArgs;

/*
 * The field called name, case-insensitive: the long name ("first_name") or
 * Meta's parameter name ("fn", "ln", "ct", "st", "zp", "db", "ge"); -1 when unknown.
 */
extern int	recon_field_kind_lookup(const char *name, size_t len);

/* The canonical long name of a field ("first_name"). */
extern const char *recon_field_kind_name(ReconFieldKind kind);

/* The platforms with a rule for the field (mask of RECON_PLATFORM_BIT). */
extern unsigned recon_field_kind_platforms(ReconFieldKind kind);

/* Run the field's normalizer (recon_X_normalize); buffers as for each of them. */
extern ReconFieldStatus recon_field_normalize(ReconFieldKind kind, const char *s, size_t len,
											  const ReconFieldArgs *args,
											  char *work, char **out, size_t *out_len);

#endif
