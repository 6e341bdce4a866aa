/*
 * date_of_birth_sql.c: SQL functions over date_of_birth.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/date_of_birth.h"

PG_FUNCTION_INFO_V1(recon_normalize_date_of_birth);
PG_FUNCTION_INFO_V1(recon_normalize_date_of_birth_reason);

/* recon_date_of_birth_normalize behind the common signature. */
static ReconFieldStatus
date_of_birth_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_date_of_birth_normalize(s, len, args->order, args->platform, work, out, out_len);
}

static const ReconFieldSpec date_of_birth_spec = {date_of_birth_fn, RECON_DATE_OF_BIRTH_PLATFORMS, "date of birth", RECON_FIELD_EXTRA_DATE_ORDER};

/* recon_normalize_date_of_birth(value, ...): the platform's form, NULL when unusable. */
Datum
recon_normalize_date_of_birth(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &date_of_birth_spec, false);
}

/* recon_normalize_date_of_birth_reason(value, ...): why the value is unusable, NULL when usable. */
Datum
recon_normalize_date_of_birth_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &date_of_birth_spec, true);
}
