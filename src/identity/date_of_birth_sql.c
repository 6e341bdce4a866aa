/*
 * date_of_birth_sql.c: SQL functions over date_of_birth.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_date_of_birth);
PG_FUNCTION_INFO_V1(recon_normalize_date_of_birth_reason);

static const ReconFieldSpec date_of_birth_spec = {RECON_FIELD_KIND_DATE_OF_BIRTH, "date of birth", RECON_FIELD_EXTRA_DATE_ORDER};

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
