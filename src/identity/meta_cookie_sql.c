/*
 * meta_cookie_sql.c: SQL functions over the Meta cookie parser (meta_cookie.c):
 * parse fbc and fbp into rows, say why one does not parse, and build them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "core/limits_sql.h"
#include "identity/meta_cookie.h"

PG_FUNCTION_INFO_V1(recon_parse_fbc_sql);
PG_FUNCTION_INFO_V1(recon_parse_fbp_sql);
PG_FUNCTION_INFO_V1(recon_parse_fbc_reason_sql);
PG_FUNCTION_INFO_V1(recon_parse_fbp_reason_sql);
PG_FUNCTION_INFO_V1(recon_build_fbc_sql);
PG_FUNCTION_INFO_V1(recon_build_fbp_sql);
PG_FUNCTION_INFO_V1(recon_build_fbc_reason_sql);
PG_FUNCTION_INFO_V1(recon_build_fbp_reason_sql);

/* Milliseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
#define PG_EPOCH_MS INT64CONST(946684800000)

/* The ms range whose values have 13 digits, the only form the parser reads as milliseconds. */
#define MIN_COOKIE_MS INT64CONST(1000000000000)
#define MAX_COOKIE_MS INT64CONST(9999999999999)

/* A row of the cookie's SQL type (recon_fbc or recon_fbp) from a parsed cookie. */
static Datum
cookie_row(FunctionCallInfo fcinfo, const recon_fb_cookie *c)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	Datum		flags[RECON_FB_FLAG_COUNT];
	int			nflags = 0;

	if (desc == NULL)
	{
		/* the row type, looked up once per call site */
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != 6)
			elog(ERROR, "a Meta cookie parser must return a row type of 6 columns");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		fcinfo->flinfo->fn_extra = desc;
		MemoryContextSwitchTo(old);
	}
	for (int i = 0; i < RECON_FB_FLAG_COUNT; i++)
		if (c->flags & (1u << i))
			flags[nflags++] = CStringGetTextDatum(recon_fb_flag_names[i]);

	values[0] = Int32GetDatum(c->subdomain_index);
	values[1] = Int64GetDatum(c->creation_ms);
	values[2] = TimestampTzGetDatum((TimestampTz) (c->creation_ms - PG_EPOCH_MS) * 1000);
	values[3] = PointerGetDatum(cstring_to_text_with_len(c->value, (int) c->value_len));
	nulls[4] = c->suffix == NULL;
	values[4] = nulls[4] ? (Datum) 0 : PointerGetDatum(cstring_to_text_with_len(c->suffix, (int) c->suffix_len));
	values[5] = PointerGetDatum(nflags == 0 ? construct_empty_array(TEXTOID) :
								construct_array(flags, nflags, TEXTOID, -1, false, TYPALIGN_INT));
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

/* Shared body of recon_parse_fbc / recon_parse_fbp (STRICT): the row, or NULL when it does not parse. */
static Datum
parse_cookie(FunctionCallInfo fcinfo)
{
	text	   *cookie;
	recon_fb_cookie c;

	/* over the limit: too_long, never detoasted */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
		PG_RETURN_NULL();
	cookie = PG_GETARG_TEXT_PP(0);
	if (recon_parse_fb_cookie(VARDATA_ANY(cookie), VARSIZE_ANY_EXHDR(cookie), &c) != RECON_FB_OK)
		PG_RETURN_NULL();
	return cookie_row(fcinfo, &c);
}

/* Shared body of the _reason companions (not STRICT): NULL when the cookie parses. */
static Datum
parse_cookie_reason(FunctionCallInfo fcinfo, recon_fb_kind kind)
{
	text	   *cookie;
	recon_fb_cookie c;
	recon_fb_status status;

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text("missing"));
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
		PG_RETURN_TEXT_P(cstring_to_text(recon_fb_status_name(RECON_FB_TOO_LONG, kind)));
	cookie = PG_GETARG_TEXT_PP(0);
	status = recon_parse_fb_cookie(VARDATA_ANY(cookie), VARSIZE_ANY_EXHDR(cookie), &c);
	if (status == RECON_FB_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(recon_fb_status_name(status, kind)));
}

/* recon_parse_fbc(cookie text) RETURNS recon_fbc. */
Datum
recon_parse_fbc_sql(PG_FUNCTION_ARGS)
{
	return parse_cookie(fcinfo);
}

/* recon_parse_fbp(cookie text) RETURNS recon_fbp. */
Datum
recon_parse_fbp_sql(PG_FUNCTION_ARGS)
{
	return parse_cookie(fcinfo);
}

/* recon_parse_fbc_reason(cookie text): why recon_parse_fbc gives NULL. */
Datum
recon_parse_fbc_reason_sql(PG_FUNCTION_ARGS)
{
	return parse_cookie_reason(fcinfo, RECON_FB_FBC);
}

/* recon_parse_fbp_reason(cookie text): why recon_parse_fbp gives NULL. */
Datum
recon_parse_fbp_reason_sql(PG_FUNCTION_ARGS)
{
	return parse_cookie_reason(fcinfo, RECON_FB_FBP);
}

/* Blanks trimmed around a value (never inside it). */
static void
trim_blanks(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char) **s))
		(*s)++, (*len)--;
	while (*len > 0 && isspace((unsigned char) (*s)[*len - 1]))
		(*len)--;
}

/*
 * Check the arguments of a build: the reason code, or NULL when the cookie can
 * be built (then *ms is its creation time). A subdomain index other than 0, 1
 * or 2 is misuse, not bad data: ERROR 22023.
 */
static const char *
build_problem(recon_fb_kind kind, const char *value, size_t len, bool time_null,
			  TimestampTz time, int32 subdomain_index, int64 *ms)
{
	recon_fb_cookie parsed;

	if (subdomain_index < 0 || subdomain_index > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid subdomain index %d: accepted values are 0 ('com'), 1 ('example.com', the server-side default) and 2 ('www.example.com')",
						subdomain_index)));
	trim_blanks(&value, &len);
	if (len == 0)
		return "missing";
	if (!recon_fb_base64url(value, len))
	{
		/* a whole cookie passed where its fbclid belongs is a common slip: say so */
		if (recon_parse_fb_cookie(value, len, &parsed) == RECON_FB_OK)
			return "already_a_cookie";
		return kind == RECON_FB_FBC ? "invalid_fbclid" : "invalid_random";
	}
	if (time_null)
		return "missing_creation_time";
	if (TIMESTAMP_NOT_FINITE(time))
		return "invalid_creation_time";
	/* floor division: a time before 1970 must not round towards it */
	*ms = (time >= 0 ? time / 1000 : -((-time + 999) / 1000)) + PG_EPOCH_MS;
	if (*ms < MIN_COOKIE_MS || *ms > MAX_COOKIE_MS)
		return "creation_time_out_of_range";
	return NULL;
}

/* Shared body of recon_build_fbc / recon_build_fbp (STRICT): the cookie, or NULL with a reason from the companion. */
static Datum
build_cookie(FunctionCallInfo fcinfo, recon_fb_kind kind)
{
	text	   *value;
	const char *s;
	size_t		len;
	int64		ms = 0;
	text	   *result;

	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
	{
		/* still reject a bad index: misuse is misuse whatever the data */
		build_problem(kind, "", 0, true, 0, PG_GETARG_INT32(2), &ms);
		PG_RETURN_NULL();
	}
	value = PG_GETARG_TEXT_PP(0);
	s = VARDATA_ANY(value);
	len = VARSIZE_ANY_EXHDR(value);
	if (build_problem(kind, s, len, false, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_INT32(2), &ms) != NULL)
		PG_RETURN_NULL();
	trim_blanks(&s, &len);
	result = (text *) palloc(VARHDRSZ + 40 + len);
	SET_VARSIZE(result, VARHDRSZ + recon_build_fb_cookie(PG_GETARG_INT32(2), ms, s, len, VARDATA(result)));
	PG_RETURN_TEXT_P(result);
}

/* Shared body of the build _reason companions (not STRICT). */
static Datum
build_cookie_reason(FunctionCallInfo fcinfo, recon_fb_kind kind)
{
	text	   *value;
	int64		ms;
	const char *problem;

	if (PG_ARGISNULL(2))
		PG_RETURN_TEXT_P(cstring_to_text("missing_subdomain_index"));
	if (PG_ARGISNULL(0))
	{
		/* still reject a bad index: misuse is misuse whatever the data */
		build_problem(kind, "", 0, true, 0, PG_GETARG_INT32(2), &ms);
		PG_RETURN_TEXT_P(cstring_to_text("missing"));
	}
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
	{
		build_problem(kind, "", 0, true, 0, PG_GETARG_INT32(2), &ms);
		PG_RETURN_TEXT_P(cstring_to_text("too_long"));
	}
	value = PG_GETARG_TEXT_PP(0);
	problem = build_problem(kind, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), PG_ARGISNULL(1),
							PG_ARGISNULL(1) ? 0 : PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_INT32(2), &ms);
	if (problem == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(problem));
}

/* recon_build_fbc(fbclid, click_time, subdomain_index). */
Datum
recon_build_fbc_sql(PG_FUNCTION_ARGS)
{
	return build_cookie(fcinfo, RECON_FB_FBC);
}

/* recon_build_fbp(random_part, creation_time, subdomain_index). */
Datum
recon_build_fbp_sql(PG_FUNCTION_ARGS)
{
	return build_cookie(fcinfo, RECON_FB_FBP);
}

/* recon_build_fbc_reason(...): why recon_build_fbc gives NULL. */
Datum
recon_build_fbc_reason_sql(PG_FUNCTION_ARGS)
{
	return build_cookie_reason(fcinfo, RECON_FB_FBC);
}

/* recon_build_fbp_reason(...): why recon_build_fbp gives NULL. */
Datum
recon_build_fbp_reason_sql(PG_FUNCTION_ARGS)
{
	return build_cookie_reason(fcinfo, RECON_FB_FBP);
}
