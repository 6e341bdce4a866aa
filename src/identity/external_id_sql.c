/*
 * external_id_sql.c: SQL functions over external_id.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_external_id);
PG_FUNCTION_INFO_V1(recon_normalize_external_id_reason);

static const ReconFieldSpec external_id_spec = {RECON_FIELD_KIND_EXTERNAL_ID, "external id", RECON_FIELD_EXTRA_NONE};

/* recon_normalize_external_id(value, ...): the platform's form, NULL when unusable. */
Datum
recon_normalize_external_id(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &external_id_spec, false);
}

/* recon_normalize_external_id_reason(value, ...): why the value is unusable, NULL when usable. */
Datum
recon_normalize_external_id_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &external_id_spec, true);
}
