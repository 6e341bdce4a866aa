/*
 * location_sql.c: SQL functions over location.c (city, state, zip).
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/location.h"

PG_FUNCTION_INFO_V1(recon_normalize_city);
PG_FUNCTION_INFO_V1(recon_normalize_city_reason);
PG_FUNCTION_INFO_V1(recon_normalize_state);
PG_FUNCTION_INFO_V1(recon_normalize_state_reason);
PG_FUNCTION_INFO_V1(recon_normalize_zip);
PG_FUNCTION_INFO_V1(recon_normalize_zip_reason);

/* recon_city_normalize behind the common signature. */
static ReconFieldStatus
city_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_city_normalize(s, len, args->platform, work, out, out_len);
}

/* recon_state_normalize behind the common signature. */
static ReconFieldStatus
state_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_state_normalize(s, len, args->country, args->platform, work, out, out_len);
}

/* recon_zip_normalize behind the common signature. */
static ReconFieldStatus
zip_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_zip_normalize(s, len, args->country, args->platform, work, out, out_len);
}

static const ReconFieldSpec city_spec = {city_fn, RECON_CITY_PLATFORMS, "city", RECON_FIELD_EXTRA_NONE};
static const ReconFieldSpec state_spec = {state_fn, RECON_STATE_PLATFORMS, "state", RECON_FIELD_EXTRA_COUNTRY};
static const ReconFieldSpec zip_spec = {zip_fn, RECON_ZIP_PLATFORMS, "zip", RECON_FIELD_EXTRA_COUNTRY};

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
