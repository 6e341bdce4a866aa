/*
 * comparison_sql.c: recon_compare_exact, _text, _time, _date and _amount, the
 * comparison levels a Fellegi-Sunter model weighs (see comparison.h).
 */
#include "postgres.h"

#include <float.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "core/limits_sql.h"
#include "linkage/comparison.h"
#include "linkage/jaro_winkler.h"

PG_FUNCTION_INFO_V1(recon_compare_exact);
PG_FUNCTION_INFO_V1(recon_compare_text);
PG_FUNCTION_INFO_V1(recon_compare_time);
PG_FUNCTION_INFO_V1(recon_compare_date);
PG_FUNCTION_INFO_V1(recon_compare_amount);

/* Validated thresholds of one call site, kept across rows: the array is usually a constant. */
typedef struct ThresholdCache
{
	int			n;
	double		values[RECON_MAX_THRESHOLDS];
	Size		array_len;
	char		array_bytes[FLEXIBLE_ARRAY_MEMBER];
} ThresholdCache;

/* One array element as a number: seconds for intervals, the value itself otherwise. */
static double
element_number(Datum d, Oid type)
{
	if (type == INTERVALOID)
	{
		Interval   *iv = DatumGetIntervalP(d);

		/* months count 30 days, as extract(epoch from interval) does */
		return (double) iv->time / USECS_PER_SEC + (double) iv->day * SECS_PER_DAY
			+ (double) iv->month * DAYS_PER_MONTH * SECS_PER_DAY;
	}
	if (type == INT4OID)
		return (double) DatumGetInt32(d);
	return DatumGetFloat8(d);
}

/* The thresholds in argument argno, validated once per distinct array. */
static const ThresholdCache *
thresholds_arg(FunctionCallInfo fcinfo, int argno, bool descending, double upper, const char *what)
{
	ArrayType  *arr;
	ThresholdCache *cache = (ThresholdCache *) fcinfo->flinfo->fn_extra;
	Oid			type;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				bad;
	double		values[RECON_MAX_THRESHOLDS + 1];
	const char *problem;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errhint("Pass an empty array for a comparison with only the exact and the else levels.")));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (cache != NULL && cache->array_len == VARSIZE(arr) && memcmp(cache->array_bytes, arr, VARSIZE(arr)) == 0)
		return cache;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("%s must be a one-dimensional array", what)));
	/* before deconstructing: the array's size is the caller's */
	recon_check_array_items(fcinfo, arr, RECON_MAX_THRESHOLDS, what,
							"At most 13 thresholds fit in the 15 comparison levels (missing, equal, 13 bands, else).");
	type = ARR_ELEMTYPE(arr);
	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, type, typlen, typbyval, typalign, &elems, &nulls, &n);
	for (int i = 0; i < n && i <= RECON_MAX_THRESHOLDS; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("%s must not contain NULL (element %d)", what, i + 1)));
		values[i] = element_number(elems[i], type);
	}
	problem = recon_thresholds_problem(values, n, descending, upper, &bad);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: %s", what, problem),
				 bad < n ? errdetail("Element %d is %g.", bad + 1, values[bad]) : 0));

	cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(ThresholdCache, array_bytes) + VARSIZE(arr));
	cache->n = n;
	memcpy(cache->values, values, sizeof(double) * n);
	cache->array_len = VARSIZE(arr);
	memcpy(cache->array_bytes, arr, VARSIZE(arr));
	if (fcinfo->flinfo->fn_extra != NULL)
		pfree(fcinfo->flinfo->fn_extra);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* Argument argno as text, or NULL when it is NULL or empty: a missing value. */
static text *
text_or_missing(FunctionCallInfo fcinfo, int argno)
{
	text	   *t;

	if (PG_ARGISNULL(argno))
		return NULL;
	t = PG_GETARG_TEXT_PP(argno);
	return VARSIZE_ANY_EXHDR(t) == 0 ? NULL : t;
}

/* Byte equality of two texts. */
static bool
texts_equal(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* recon_compare_exact(a, b): 0 missing, 1 equal, 2 different. */
Datum
recon_compare_exact(PG_FUNCTION_ARGS)
{
	text	   *a = text_or_missing(fcinfo, 0),
			   *b = text_or_missing(fcinfo, 1);

	if (a == NULL || b == NULL)
		PG_RETURN_INT16(RECON_LEVEL_NULL);
	PG_RETURN_INT16(texts_equal(a, b) ? RECON_LEVEL_EXACT : 2);
}

/* recon_compare_text(a, b, thresholds): 0 missing, 1 equal, then Jaro-Winkler bands. */
Datum
recon_compare_text(PG_FUNCTION_ARGS)
{
	const ThresholdCache *t = thresholds_arg(fcinfo, 2, true, 1.0, "Jaro-Winkler thresholds");
	text	   *a,
			   *b;
	uint32		abuf[64],
				bbuf[64];
	uint32	   *acp,
			   *bcp;
	size_t		alen,
				blen;
	double		similarity;

	a = text_or_missing(fcinfo, 0);
	b = text_or_missing(fcinfo, 1);
	if (a == NULL || b == NULL)
		PG_RETURN_INT16(RECON_LEVEL_NULL);
	if (texts_equal(a, b))
		PG_RETURN_INT16(RECON_LEVEL_EXACT);
	/* too long to compare character by character: only equality can be told (docs/limits.md) */
	if (VARSIZE_ANY_EXHDR(a) / 4 > RECON_MAX_JARO_CHARS || VARSIZE_ANY_EXHDR(b) / 4 > RECON_MAX_JARO_CHARS)
		PG_RETURN_INT16(2 + t->n);
	acp = VARSIZE_ANY_EXHDR(a) <= lengthof(abuf) ? abuf : palloc(sizeof(uint32) * VARSIZE_ANY_EXHDR(a));
	bcp = VARSIZE_ANY_EXHDR(b) <= lengthof(bbuf) ? bbuf : palloc(sizeof(uint32) * VARSIZE_ANY_EXHDR(b));
	alen = recon_jaro_decode(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), acp);
	blen = recon_jaro_decode(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), bcp);
	if (alen > RECON_MAX_JARO_CHARS || blen > RECON_MAX_JARO_CHARS)
		PG_RETURN_INT16(2 + t->n);
	similarity = recon_jaro_winkler_cp(acp, alen, bcp, blen, RECON_JARO_WINKLER_PREFIX_SCALE);
	if (similarity < 0)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory comparing two strings")));
	PG_RETURN_INT16(recon_level_of_similarity(similarity, t->values, t->n));
}

/* recon_compare_time(a, b, limits interval[]): 0 missing, 1 same instant, then gap bands. */
Datum
recon_compare_time(PG_FUNCTION_ARGS)
{
	const ThresholdCache *t = thresholds_arg(fcinfo, 2, false, DBL_MAX, "time-gap limits");
	TimestampTz a,
				b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_INT16(RECON_LEVEL_NULL);
	a = PG_GETARG_TIMESTAMPTZ(0);
	b = PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(a) || TIMESTAMP_NOT_FINITE(b))
		PG_RETURN_INT16(a == b ? RECON_LEVEL_EXACT : 2 + t->n);
	if (a == b)
		PG_RETURN_INT16(RECON_LEVEL_EXACT);
	PG_RETURN_INT16(recon_level_of_distance(fabs((double) a - (double) b) / USECS_PER_SEC, t->values, t->n));
}

/* recon_compare_date(a, b, day_limits integer[]): 0 missing, 1 same day, then day-gap bands. */
Datum
recon_compare_date(PG_FUNCTION_ARGS)
{
	const ThresholdCache *t = thresholds_arg(fcinfo, 2, false, DBL_MAX, "day limits");
	DateADT		a,
				b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_INT16(RECON_LEVEL_NULL);
	a = PG_GETARG_DATEADT(0);
	b = PG_GETARG_DATEADT(1);
	if (a == b)
		PG_RETURN_INT16(RECON_LEVEL_EXACT);
	if (DATE_NOT_FINITE(a) || DATE_NOT_FINITE(b))
		PG_RETURN_INT16(2 + t->n);
	PG_RETURN_INT16(recon_level_of_distance(fabs((double) a - (double) b), t->values, t->n));
}

/* recon_compare_amount(a, b, percent_limits): 0 missing, 1 equal, then percentage-difference bands. */
Datum
recon_compare_amount(PG_FUNCTION_ARGS)
{
	const ThresholdCache *t = thresholds_arg(fcinfo, 2, false, DBL_MAX, "percentage limits");
	Datum		a,
				b;
	double		pct;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_INT16(RECON_LEVEL_NULL);
	a = PG_GETARG_DATUM(0);
	b = PG_GETARG_DATUM(1);
	/* equality on the exact numbers; the float percentage only places near misses */
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b)) == 0)
		PG_RETURN_INT16(RECON_LEVEL_EXACT);
	pct = recon_percent_difference(DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, a)),
								   DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, b)));
	if (isnan(pct))
		PG_RETURN_INT16(2 + t->n);
	PG_RETURN_INT16(recon_level_of_distance(pct, t->values, t->n));
}
