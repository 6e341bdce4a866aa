/*
 * external_id_sql.c: SQL functions over external_id.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/external_id.h"

PG_FUNCTION_INFO_V1(recon_normalize_external_id);
PG_FUNCTION_INFO_V1(recon_normalize_external_id_reason);

/* recon_external_id_normalize behind the common signature. */
static ReconFieldStatus
external_id_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_external_id_normalize(s, len, args->platform, work, out, out_len);
}

static const ReconFieldSpec external_id_spec = {external_id_fn, RECON_EXTERNAL_ID_PLATFORMS, "external id", RECON_FIELD_EXTRA_NONE};

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
