/*
 * url_sql.c: SQL functions over the URL parser (url.c): the click ids and UTM
 * values of a landing-page URL as a row, or one of them as text.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "core/limits_sql.h"
#include "identity/url.h"

PG_FUNCTION_INFO_V1(recon_parse_click_ids_sql);
PG_FUNCTION_INFO_V1(recon_click_id_sql);
PG_FUNCTION_INFO_V1(recon_parse_click_ids_json_sql);

/*
 * url.c checks decoded bytes as UTF-8; in a database with another encoding the
 * value must also be valid there, or it is dropped like invalid UTF-8.
 */
static bool
valid_in_database(const recon_url_value *v)
{
	int			enc = GetDatabaseEncoding();

	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
		return true;
	return pg_verifymbstr(v->data, (int) v->len, true);
}

/*
 * Parse the URL in argument argno; the decode buffer is palloc'd here (as long
 * as the input). A URL over the limit is not read (nor detoasted): no field,
 * flag too_long.
 */
static void
parse_text(FunctionCallInfo fcinfo, int argno, recon_click_ids *ids)
{
	text	   *url;
	size_t		len;
	char	   *buf;

	if (recon_arg_too_long(fcinfo, argno, RECON_MAX_URL_BYTES))
	{
		memset(ids, 0, sizeof(*ids));
		ids->flags = RECON_URL_TOO_LONG;
		return;
	}
	url = PG_GETARG_TEXT_PP(argno);
	len = VARSIZE_ANY_EXHDR(url);
	buf = palloc(len + 1);
	recon_parse_click_ids(VARDATA_ANY(url), len, buf, ids);
	for (int f = 0; f < RECON_CLICK_FIELD_COUNT; f++)
		if (ids->field[f].data != NULL && !valid_in_database(&ids->field[f]))
		{
			ids->field[f].data = NULL;
			ids->flags |= RECON_URL_INVALID_UTF8;
		}
}

/* The flags as a text[] in a fixed order (empty array when none). */
static Datum
flags_array(unsigned flags, const char *const *names, int count)
{
	Datum		items[32];
	int			n = 0;

	for (int i = 0; i < count; i++)
		if (flags & (1u << i))
			items[n++] = CStringGetTextDatum(names[i]);
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_array(items, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * recon_parse_click_ids(url text) RETURNS recon_click_ids: every click id and
 * UTM value, decoded, plus the data-quality flags. Never raises on bad data.
 */
Datum
recon_parse_click_ids_sql(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;
	recon_click_ids ids;
	Datum		values[RECON_CLICK_FIELD_COUNT + 1];
	bool		nulls[RECON_CLICK_FIELD_COUNT + 1];

	if (desc == NULL)
	{
		/* the row type, looked up once per call site */
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "recon_parse_click_ids must return a row type");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		fcinfo->flinfo->fn_extra = desc;
		MemoryContextSwitchTo(old);
	}
	if (desc->natts != RECON_CLICK_FIELD_COUNT + 1)
		elog(ERROR, "recon_click_ids has %d columns, expected %d", desc->natts, RECON_CLICK_FIELD_COUNT + 1);

	parse_text(fcinfo, 0, &ids);
	for (int f = 0; f < RECON_CLICK_FIELD_COUNT; f++)
	{
		nulls[f] = ids.field[f].data == NULL;
		values[f] = nulls[f] ? (Datum) 0 :
			PointerGetDatum(cstring_to_text_with_len(ids.field[f].data, (int) ids.field[f].len));
	}
	values[RECON_CLICK_FIELD_COUNT] = flags_array(ids.flags, recon_url_flag_names, RECON_URL_FLAG_COUNT);
	nulls[RECON_CLICK_FIELD_COUNT] = false;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* The field number of a name, or ERROR 22023 listing the accepted names. */
static int
field_or_error(text *name)
{
	char	   *s = text_to_cstring(name);
	int			f = recon_click_field_lookup(s, strlen(s));
	StringInfoData accepted;

	if (f >= 0)
		return f;
	initStringInfo(&accepted);
	for (int i = 0; i < RECON_CLICK_FIELD_COUNT; i++)
		appendStringInfo(&accepted, "%s%s", i ? ", " : "", recon_click_field_names[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown click-id field \"%s\": accepted fields are %s", s, accepted.data)));
	return -1;
}

/*
 * recon_click_id(url text, field text) RETURNS text: one field of
 * recon_parse_click_ids, without building the row. The field name is
 * looked up once per call site when it is a constant.
 */
Datum
recon_click_id_sql(PG_FUNCTION_ARGS)
{
	recon_click_ids ids;
	int			f;

	if (fcinfo->flinfo->fn_extra != NULL && get_fn_expr_arg_stable(fcinfo->flinfo, 1))
		f = *(int *) fcinfo->flinfo->fn_extra;
	else
	{
		recon_check_name_arg(fcinfo, 1, "field");
		f = field_or_error(PG_GETARG_TEXT_PP(1));
		if (get_fn_expr_arg_stable(fcinfo->flinfo, 1))
		{
			int		   *cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(int));

			*cached = f;
			fcinfo->flinfo->fn_extra = cached;
		}
	}
	parse_text(fcinfo, 0, &ids);
	if (ids.field[f].data == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(ids.field[f].data, (int) ids.field[f].len));
}

/* Push one jsonb string (key or value) of len bytes. */
static void
push_string(JsonbParseState **state, JsonbIteratorToken token, const char *s, size_t len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = (int) len;
	pushJsonbValue(state, token, &v);
}

/*
 * recon_parse_click_ids_json(url text) RETURNS jsonb: the fields present and
 * the flags, built directly (to_jsonb of the row costs about 20 us a row).
 */
Datum
recon_parse_click_ids_json_sql(PG_FUNCTION_ARGS)
{
	recon_click_ids ids;
	JsonbParseState *state = NULL;
	JsonbValue *result;

	parse_text(fcinfo, 0, &ids);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int f = 0; f < RECON_CLICK_FIELD_COUNT; f++)
	{
		if (ids.field[f].data == NULL)
			continue;
		push_string(&state, WJB_KEY, recon_click_field_names[f], strlen(recon_click_field_names[f]));
		push_string(&state, WJB_VALUE, ids.field[f].data, ids.field[f].len);
	}
	push_string(&state, WJB_KEY, "flags", 5);
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < RECON_URL_FLAG_COUNT; i++)
		if (ids.flags & (1u << i))
			push_string(&state, WJB_ELEM, recon_url_flag_names[i], strlen(recon_url_flag_names[i]));
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_POINTER(JsonbValueToJsonb(result));
}
