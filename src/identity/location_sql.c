/*
 * location_sql.c: SQL functions over location.c (city, state, zip).
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_city);
PG_FUNCTION_INFO_V1(recon_normalize_city_reason);
PG_FUNCTION_INFO_V1(recon_normalize_state);
PG_FUNCTION_INFO_V1(recon_normalize_state_reason);
PG_FUNCTION_INFO_V1(recon_normalize_zip);
PG_FUNCTION_INFO_V1(recon_normalize_zip_reason);

static const ReconFieldSpec city_spec = {RECON_FIELD_KIND_CITY, "city", RECON_FIELD_EXTRA_NONE};
static const ReconFieldSpec state_spec = {RECON_FIELD_KIND_STATE, "state", RECON_FIELD_EXTRA_COUNTRY};
static const ReconFieldSpec zip_spec = {RECON_FIELD_KIND_ZIP, "zip", RECON_FIELD_EXTRA_COUNTRY};

/* recon_normalize_city(value, platform): the platform's form, NULL when unusable. */
Datum
recon_normalize_city(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &city_spec, false);
}

/* recon_normalize_city_reason(value, platform): why the value is unusable, NULL when usable. */
Datum
recon_normalize_city_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &city_spec, true);
}

/* recon_normalize_state(value, country, platform): the platform's form, NULL when unusable. */
Datum
recon_normalize_state(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &state_spec, false);
}

/* recon_normalize_state_reason(value, country, platform): why the value is unusable, NULL when usable. */
Datum
recon_normalize_state_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &state_spec, true);
}

/* recon_normalize_zip(value, country, platform): the platform's form, NULL when unusable. */
Datum
recon_normalize_zip(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &zip_spec, false);
}

/* recon_normalize_zip_reason(value, country, platform): why the value is unusable, NULL when usable. */
Datum
recon_normalize_zip_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &zip_spec, true);
}
