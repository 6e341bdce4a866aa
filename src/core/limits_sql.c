/*
 * limits_sql.c: argument size checks (limits_sql.h) and recon_limits(), the
 * limits as a table for the docs and the loaders.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "core/compat.h"
#include "core/limits_sql.h"

PG_FUNCTION_INFO_V1(recon_limits);

/* Bytes of the data of varlena argument argno, from its header (toast pointers included). */
Size
recon_arg_bytes(FunctionCallInfo fcinfo, int argno)
{
	return toast_raw_datum_size(PG_GETARG_DATUM(argno)) - VARHDRSZ;
}

/* True when varlena argument argno holds more than limit bytes. */
bool
recon_arg_too_long(FunctionCallInfo fcinfo, int argno, Size limit)
{
	return recon_arg_bytes(fcinfo, argno) > limit;
}

/* The SQL name of the function being called, for messages; "recon" when it has none. */
static const char *
called_name(FunctionCallInfo fcinfo)
{
	char	   *name = NULL;

	if (fcinfo->flinfo != NULL && OidIsValid(fcinfo->flinfo->fn_oid))
		name = get_func_name(fcinfo->flinfo->fn_oid);
	return name != NULL ? name : "recon";
}

/* ERROR 54000 when bytes exceed limit. */
void
recon_check_bytes(FunctionCallInfo fcinfo, Size bytes, Size limit, const char *what, const char *hint)
{
	if (bytes <= limit)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: %s is %zu bytes, more than the limit of %zu", called_name(fcinfo), what, bytes, limit),
			 hint != NULL ? errhint("%s", hint) : 0));
}

/* ERROR 54000 when varlena argument argno holds more than limit bytes; NULL passes. */
void
recon_check_arg_bytes(FunctionCallInfo fcinfo, int argno, Size limit, const char *what, const char *hint)
{
	if (PG_ARGISNULL(argno))
		return;
	recon_check_bytes(fcinfo, recon_arg_bytes(fcinfo, argno), limit, what, hint);
}

/* ERROR 54000 when an array has more than limit elements. */
void
recon_check_array_items(FunctionCallInfo fcinfo, ArrayType *array, int limit, const char *what, const char *hint)
{
	int			n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));

	if (n <= limit)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: %s has %d elements, more than the limit of %d", called_name(fcinfo), what, n, limit),
			 hint != NULL ? errhint("%s", hint) : 0));
}

/* One row of recon_limits(). */
typedef struct LimitRow
{
	const char *name;
	int64		max;
	const char *unit;
	const char *applies_to;
	const char *over;
} LimitRow;

static const LimitRow limit_rows[] = {
	{"name", RECON_MAX_NAME_BYTES, "bytes",
		"names and codes that pick a rule: platform, field, region, method, date order and style, currency, time zone, click-id field, bridge line, comparison names, CSV delimiter, decimal mark",
	"error 54000"},
	{"identifier", RECON_MAX_IDENTIFIER_BYTES, "bytes",
		"a contact value or id given to a normalizer, recon_hash_identifier, the platform-id and Meta cookie functions; the country hint",
	"NULL, reason too_long (a country hint over it counts as unknown)"},
	{"url", RECON_MAX_URL_BYTES, "bytes",
		"a URL given to recon_parse_click_ids, recon_parse_click_ids_json, recon_click_id",
	"no click id, flag too_long"},
	{"jaro_characters", RECON_MAX_JARO_CHARS, "characters",
		"each string recon_jaro and recon_jaro_winkler compare",
	"error 54000 (recon_compare_text: the last level, only equality is told)"},
	{"cell", RECON_MAX_CELL_BYTES, "bytes",
		"one cell of a loaded file; a value recon_parse_decimal, recon_parse_date, recon_parse_timestamp read",
	"loaders: row rejected, reason too_long; parsers: error 54000"},
	{"row", RECON_MAX_ROW_BYTES, "bytes",
		"one record of a loaded file (CSV record, JSON row); a line recon_csv_fields and recon_csv_problem split",
	"loaders: row rejected, reason too_long, raw not kept; recon_csv_fields: NULL, recon_csv_problem: too_long"},
	{"hash_input", RECON_MAX_HASH_BYTES, "bytes",
		"a value recon_sha256_hex, recon_hmac_sha256_hex or recon_internal_key hashes",
	"error 54000"},
	{"key", RECON_MAX_KEY_BYTES, "bytes",
		"the key of recon_hmac_sha256_hex",
	"error 54000"},
	{"model", RECON_MAX_MODEL_BYTES, "bytes",
		"a Fellegi-Sunter model (jsonb) given to the recon_fs_ functions",
	"error 54000"},
	{"models", RECON_MAX_MODELS, "elements",
		"models recon_fs_average_m averages",
	"error 54000"},
	{"fs_patterns", RECON_MAX_FS_PATTERNS, "patterns",
		"distinct comparison patterns in one recon_fs_patterns (recon_fs_pattern_counts, its text form)",
	"error 54000"},
	{"state_text", RECON_MAX_STATE_TEXT_BYTES, "bytes",
		"the text form of a recon_bridge_state",
	"error 54000"},
};

/* recon_limits(): every limit with its unit, what it applies to and what happens over it. */
Datum
recon_limits(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	recon_init_materialized_srf(fcinfo);
	for (size_t i = 0; i < lengthof(limit_rows); i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(limit_rows[i].name);
		values[1] = Int64GetDatum(limit_rows[i].max);
		values[2] = CStringGetTextDatum(limit_rows[i].unit);
		values[3] = CStringGetTextDatum(limit_rows[i].applies_to);
		values[4] = CStringGetTextDatum(limit_rows[i].over);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
