/*
 * email_sql.c: SQL functions over email.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "identity/email.h"
#include "identity/identity_sql.h"

PG_FUNCTION_INFO_V1(recon_normalize_email);
PG_FUNCTION_INFO_V1(recon_normalize_email_reason);

/*
 * Normalize into a text allocated once: ASCII input is written straight into
 * the result, the rest (ICU folding) is copied from email.c's buffer.
 */
static text *
normalize_email_text(FunctionCallInfo fcinfo, ReconPlatform platform, ReconEmailStatus *status)
{
	text	   *value;
	size_t		len;
	text	   *result;
	char	   *out;
	size_t		out_len;

	/* over the limit: unusable like any address too long, and never detoasted */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
	{
		*status = RECON_EMAIL_TOO_LONG;
		return NULL;
	}
	value = PG_GETARG_TEXT_PP(0);
	len = VARSIZE_ANY_EXHDR(value);
	result = (text *) palloc(VARHDRSZ + len);
	*status = recon_email_normalize(VARDATA_ANY(value), len, platform, VARDATA(result), &out, &out_len);
	if (*status == RECON_EMAIL_OUT_OF_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory normalizing an email")));
	if (*status != RECON_EMAIL_OK)
	{
		pfree(result);
		return NULL;
	}
	return recon_text_adopt(result, out, out_len);
}

/* recon_normalize_email(email, platform): the platform's normalized form, NULL when unusable. */
Datum
recon_normalize_email(PG_FUNCTION_ARGS)
{
	ReconPlatform platform;
	ReconEmailStatus status;
	text	   *result;

	recon_check_name_arg(fcinfo, 1, "platform");
	platform = recon_platform_arg(PG_GETARG_TEXT_PP(1), RECON_EMAIL_PLATFORMS, "email");
	result = normalize_email_text(fcinfo, platform, &status);

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/* recon_normalize_email_reason(email, platform): why the email is unusable, NULL when it is usable. */
Datum
recon_normalize_email_reason(PG_FUNCTION_ARGS)
{
	ReconPlatform platform;
	ReconEmailStatus status;
	text	   *result;

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("platform must not be NULL")));
	recon_check_name_arg(fcinfo, 1, "platform");
	platform = recon_platform_arg(PG_GETARG_TEXT_PP(1), RECON_EMAIL_PLATFORMS, "email");
	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text("missing"));
	result = normalize_email_text(fcinfo, platform, &status);
	if (result != NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(recon_email_status_reason(status)));
}
