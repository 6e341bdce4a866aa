/*
 * name_sql.c: SQL functions over name.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_first_name);
PG_FUNCTION_INFO_V1(recon_normalize_first_name_reason);
PG_FUNCTION_INFO_V1(recon_normalize_last_name);
PG_FUNCTION_INFO_V1(recon_normalize_last_name_reason);

static const ReconFieldSpec first_name_spec = {RECON_FIELD_KIND_FIRST_NAME, "first name", RECON_FIELD_EXTRA_NONE};
static const ReconFieldSpec last_name_spec = {RECON_FIELD_KIND_LAST_NAME, "last name", RECON_FIELD_EXTRA_NONE};

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
