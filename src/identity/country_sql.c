/*
 * country_sql.c: SQL functions over country.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_country);
PG_FUNCTION_INFO_V1(recon_normalize_country_reason);

static const ReconFieldSpec country_spec = {RECON_FIELD_KIND_COUNTRY, "country", RECON_FIELD_EXTRA_NONE};

/* recon_normalize_country(value, ...): the platform's form, NULL when unusable. */
Datum
recon_normalize_country(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &country_spec, false);
}

/* recon_normalize_country_reason(value, ...): why the value is unusable, NULL when usable. */
Datum
recon_normalize_country_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &country_spec, true);
}
