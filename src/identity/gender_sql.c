/*
 * gender_sql.c: SQL functions over gender.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/gender.h"

PG_FUNCTION_INFO_V1(recon_normalize_gender);
PG_FUNCTION_INFO_V1(recon_normalize_gender_reason);

/* recon_gender_normalize behind the common signature. */
static ReconFieldStatus
gender_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_gender_normalize(s, len, args->platform, work, out, out_len);
}

static const ReconFieldSpec gender_spec = {gender_fn, RECON_GENDER_PLATFORMS, "gender", RECON_FIELD_EXTRA_NONE};

/* recon_normalize_gender(value, ...): the platform's form, NULL when unusable. */
Datum
recon_normalize_gender(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &gender_spec, false);
}

/* recon_normalize_gender_reason(value, ...): why the value is unusable, NULL when usable. */
Datum
recon_normalize_gender_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &gender_spec, true);
}
