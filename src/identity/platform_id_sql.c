/*
 * platform_id_sql.c: SQL functions over platform_id.c: normalize numeric
 * platform ids, classify mangled ones, and the key for lower-confidence
 * matching on their significant digits.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "identity/platform_id.h"

PG_FUNCTION_INFO_V1(recon_normalize_platform_id_sql);
PG_FUNCTION_INFO_V1(recon_normalize_platform_id_reason_sql);
PG_FUNCTION_INFO_V1(recon_platform_id_status_sql);
PG_FUNCTION_INFO_V1(recon_platform_id_match_key_sql);

/* Parse argument argno (not NULL); over the limit it is too_long, never detoasted. */
static recon_pid_status
parse_arg(FunctionCallInfo fcinfo, int argno, recon_platform_id *id)
{
	text	   *value;

	if (recon_arg_too_long(fcinfo, argno, RECON_MAX_IDENTIFIER_BYTES))
	{
		memset(id, 0, sizeof(*id));
		return id->status = RECON_PID_TOO_LONG;
	}
	value = PG_GETARG_TEXT_PP(argno);
	return recon_parse_platform_id(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), id);
}

/* An id a normalizer keeps: whole digits, including the suspect ones most of which are genuine. */
static bool
keeps_id(recon_pid_status status)
{
	return status == RECON_PID_OK || status == RECON_PID_POSSIBLE_FLOAT_ROUNDING ||
		status == RECON_PID_POSSIBLE_PRECISION_LOST;
}

/* recon_normalize_platform_id(id text) RETURNS text: the id's digits, or NULL when mangled or invalid. */
Datum
recon_normalize_platform_id_sql(PG_FUNCTION_ARGS)
{
	recon_platform_id id;

	if (!keeps_id(parse_arg(fcinfo, 0, &id)))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(id.digits, (int) id.ndigits_written));
}

/* recon_normalize_platform_id_reason(id text): why the normalizer gives NULL; NULL when it does not. */
Datum
recon_normalize_platform_id_reason_sql(PG_FUNCTION_ARGS)
{
	recon_platform_id id;
	recon_pid_status status;

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text(recon_pid_status_names[RECON_PID_MISSING]));
	status = parse_arg(fcinfo, 0, &id);
	if (keeps_id(status))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(recon_pid_status_names[status]));
}

/* recon_platform_id_status(id text): ok, possible_float_rounding, possible_precision_lost, precision_lost, scientific_notation, invalid, missing or too_long. */
Datum
recon_platform_id_status_sql(PG_FUNCTION_ARGS)
{
	recon_platform_id id;

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text(recon_pid_status_names[RECON_PID_MISSING]));
	PG_RETURN_TEXT_P(cstring_to_text(recon_pid_status_names[parse_arg(fcinfo, 0, &id)]));
}

/*
 * recon_platform_id_match_key(id text, significant_digits int): the id rounded to
 * that many significant digits, as a spreadsheet shows it; NULL for an invalid id.
 */
Datum
recon_platform_id_match_key_sql(PG_FUNCTION_ARGS)
{
	int32		significant = PG_GETARG_INT32(1);
	recon_platform_id id;
	recon_pid_status status;
	char		key[RECON_PID_KEY_SIZE];

	if (significant < 1 || significant > RECON_PID_MAX_DIGITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid number of significant digits %d: accepted values are 1 to %d (15 is what spreadsheets keep)",
						significant, RECON_PID_MAX_DIGITS)));
	status = parse_arg(fcinfo, 0, &id);
	if (status == RECON_PID_INVALID || status == RECON_PID_MISSING || status == RECON_PID_TOO_LONG)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key, (int) recon_platform_id_match_key(&id, significant, key)));
}
