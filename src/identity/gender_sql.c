/*
 * gender_sql.c: SQL functions over gender.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_gender);
PG_FUNCTION_INFO_V1(recon_normalize_gender_reason);

static const ReconFieldSpec gender_spec = {RECON_FIELD_KIND_GENDER, "gender", RECON_FIELD_EXTRA_NONE};

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
