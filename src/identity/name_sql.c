/*
 * name_sql.c: SQL functions over name.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/name.h"

PG_FUNCTION_INFO_V1(recon_normalize_first_name);
PG_FUNCTION_INFO_V1(recon_normalize_first_name_reason);
PG_FUNCTION_INFO_V1(recon_normalize_last_name);
PG_FUNCTION_INFO_V1(recon_normalize_last_name_reason);

/* recon_first_name_normalize behind the common signature. */
static ReconFieldStatus
first_name_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_first_name_normalize(s, len, args->platform, work, out, out_len);
}

/* recon_last_name_normalize behind the common signature. */
static ReconFieldStatus
last_name_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_last_name_normalize(s, len, args->platform, work, out, out_len);
}

static const ReconFieldSpec first_name_spec = {first_name_fn, RECON_FIRST_NAME_PLATFORMS, "first name", RECON_FIELD_EXTRA_NONE};
static const ReconFieldSpec last_name_spec = {last_name_fn, RECON_LAST_NAME_PLATFORMS, "last name", RECON_FIELD_EXTRA_NONE};

/* recon_normalize_first_name(value, platform): the platform's form, NULL when unusable. */
Datum
recon_normalize_first_name(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &first_name_spec, false);
}

/* recon_normalize_first_name_reason(value, platform): why the value is unusable, NULL when usable. */
Datum
recon_normalize_first_name_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &first_name_spec, true);
}

/* recon_normalize_last_name(value, platform): the platform's form, NULL when unusable. */
Datum
recon_normalize_last_name(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &last_name_spec, false);
}

/* recon_normalize_last_name_reason(value, platform): why the value is unusable, NULL when usable. */
Datum
recon_normalize_last_name_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &last_name_spec, true);
}
