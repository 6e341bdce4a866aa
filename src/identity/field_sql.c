/*
 * field_sql.c: argument handling and result building for the customer-field
 * SQL functions (see field_sql.h). Misuse (unknown platform or date order, a
 * NULL platform) is an error; bad data never is: it is NULL plus a reason.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "identity/country.h"
#include "identity/field_sql.h"
#include "identity/identity_sql.h"

/* The last country hint a call site resolved: the country column is mostly one value repeated. */
typedef struct CountryHintCache
{
	bool		valid;
	bool		known;
	size_t		len;
	char		hint[32];
	char		alpha2[3];
} CountryHintCache;

/* The alpha-2 code of a country hint into buf, or NULL when the hint is NULL or not a known country. */
static const char *
country_hint(FunctionCallInfo fcinfo, int argno, char *buf)
{
	text	   *hint;
	size_t		len;
	char	   *work,
			   *out;
	size_t		out_len;
	ReconFieldStatus status;
	CountryHintCache *cache = (CountryHintCache *) fcinfo->flinfo->fn_extra;

	if (PG_ARGISNULL(argno))
		return NULL;
	/* a hint that long names no country: unknown, and never detoasted */
	if (recon_arg_too_long(fcinfo, argno, RECON_MAX_IDENTIFIER_BYTES))
		return NULL;
	hint = PG_GETARG_TEXT_PP(argno);
	len = VARSIZE_ANY_EXHDR(hint);
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CountryHintCache));
	if (!(cache->valid && cache->len == len && memcmp(cache->hint, VARDATA_ANY(hint), len) == 0))
	{
		work = palloc(len + 1);
		status = recon_country_normalize(VARDATA_ANY(hint), len, RECON_PLATFORM_META, work, &out, &out_len);
		if (status == RECON_FIELD_OUT_OF_MEMORY)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory reading a country")));
		cache->known = (status == RECON_FIELD_OK);
		if (cache->known)
		{
			cache->alpha2[0] = out[0];
			cache->alpha2[1] = out[1];
			cache->alpha2[2] = '\0';
		}
		pfree(work);
		/* only short hints are remembered; a long one is looked up every time */
		cache->valid = len <= sizeof(cache->hint);
		if (cache->valid)
		{
			cache->len = len;
			memcpy(cache->hint, VARDATA_ANY(hint), len);
		}
	}
	if (!cache->known)
		return NULL;
	memcpy(buf, cache->alpha2, 3);
	return buf;
}

/* The date order named by a SQL argument, or ERROR 22023 naming the accepted ones. */
static ReconDateOrder
date_order_arg(text *name)
{
	int			order = recon_date_order_lookup(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));

	if (order < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown date order \"%s\"", text_to_cstring(name)),
				 errhint("Accepted date orders: mdy, dmy, strict.")));
	return (ReconDateOrder) order;
}

/*
 * Normalize value into a text allocated once (work = the result's data area);
 * NULL with *status set when the value is unusable.
 */
static text *
normalize_text(const ReconFieldSpec *spec, const ReconFieldArgs *args, text *value, ReconFieldStatus *status)
{
	size_t		len = VARSIZE_ANY_EXHDR(value);
	text	   *result = (text *) palloc(VARHDRSZ + len);
	char	   *out;
	size_t		out_len;

	*status = recon_field_normalize(spec->kind, VARDATA_ANY(value), len, args, VARDATA(result), &out, &out_len);
	if (*status == RECON_FIELD_OUT_OF_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory normalizing a %s", spec->what)));
	if (*status != RECON_FIELD_OK)
	{
		pfree(result);
		return NULL;
	}
	return recon_text_adopt(result, out, out_len);
}

/* The body of recon_normalize_X and recon_normalize_X_reason (see field_sql.h). */
Datum
recon_field_sql(FunctionCallInfo fcinfo, const ReconFieldSpec *spec, bool reason)
{
	int			platform_arg = spec->extra == RECON_FIELD_EXTRA_NONE ? 1 : 2;
	ReconFieldArgs args = {0};
	char		country[3];
	ReconFieldStatus status;
	text	   *result;

	/* misuse first, so that it is reported even for a NULL value */
	if (PG_ARGISNULL(platform_arg))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("platform must not be NULL")));
	recon_check_name_arg(fcinfo, platform_arg, "platform");
	if (spec->extra == RECON_FIELD_EXTRA_DATE_ORDER)
		recon_check_name_arg(fcinfo, 1, "date order");
	args.platform = recon_platform_arg(PG_GETARG_TEXT_PP(platform_arg), recon_field_kind_platforms(spec->kind), spec->what);
	if (spec->extra == RECON_FIELD_EXTRA_DATE_ORDER)
	{
		if (PG_ARGISNULL(1))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("date order must not be NULL")));
		args.order = date_order_arg(PG_GETARG_TEXT_PP(1));
	}
	if (PG_ARGISNULL(0))
	{
		if (reason)
			PG_RETURN_TEXT_P(cstring_to_text(recon_field_status_reason(RECON_FIELD_MISSING)));
		PG_RETURN_NULL();
	}
	if (spec->extra == RECON_FIELD_EXTRA_COUNTRY)
		args.country = country_hint(fcinfo, 1, country);

	/* a value over the limit is unusable data, refused unread like any value too long for its field */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
	{
		result = NULL;
		status = RECON_FIELD_TOO_LONG;
	}
	else
		result = normalize_text(spec, &args, PG_GETARG_TEXT_PP(0), &status);
	if (reason)
	{
		if (result != NULL)
			PG_RETURN_NULL();
		PG_RETURN_TEXT_P(cstring_to_text(recon_field_status_reason(status)));
	}
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}
