/*
 * jaro_winkler_sql.c: recon_jaro and recon_jaro_winkler.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "core/limits_sql.h"
#include "linkage/jaro_winkler.h"

PG_FUNCTION_INFO_V1(recon_jaro);
PG_FUNCTION_INFO_V1(recon_jaro_winkler);

/*
 * Code points of text argument argno (what: "a" or "b"): in buf when they fit,
 * else palloc'd. ERROR 54000 over RECON_MAX_JARO_CHARS: the comparison costs
 * the product of the lengths, and NULL would read as "no similarity".
 */
static void
text_code_points(FunctionCallInfo fcinfo, int argno, const char *what, uint32 *buf, size_t buf_len,
				 uint32 **cps, size_t *n)
{
	Size		bytes = recon_arg_bytes(fcinfo, argno);
	text	   *t;

	/* every character takes at most 4 bytes: a long value is refused before it is detoasted or decoded */
	if (bytes > 4 * (Size) RECON_MAX_JARO_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %s is %zu bytes, more than the limit of %d characters can take (%d bytes)",
						get_func_name(fcinfo->flinfo->fn_oid), what, bytes, RECON_MAX_JARO_CHARS,
						4 * RECON_MAX_JARO_CHARS),
				 errhint("Compare names, cities and streets, not documents; recon_compare_exact tells equality of longer values.")));
	t = PG_GETARG_TEXT_PP(argno);
	*cps = bytes <= buf_len ? buf : palloc(sizeof(uint32) * bytes);
	*n = recon_jaro_decode(VARDATA_ANY(t), bytes, *cps);
	if (*n > RECON_MAX_JARO_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %s is %zu characters, more than the limit of %d",
						get_func_name(fcinfo->flinfo->fn_oid), what, *n, RECON_MAX_JARO_CHARS),
				 errhint("Compare names, cities and streets, not documents; recon_compare_exact tells equality of longer values.")));
}

/* The similarity of the two text arguments. */
static Datum
similarity(FunctionCallInfo fcinfo, bool winkler, double prefix_scale)
{
	uint32		abuf[64],
				bbuf[64];
	uint32	   *a,
			   *b;
	size_t		alen,
				blen;
	double		result;

	text_code_points(fcinfo, 0, "a", abuf, lengthof(abuf), &a, &alen);
	text_code_points(fcinfo, 1, "b", bbuf, lengthof(bbuf), &b, &blen);
	result = winkler ? recon_jaro_winkler_cp(a, alen, b, blen, prefix_scale) : recon_jaro_cp(a, alen, b, blen);
	if (result < 0)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory comparing two strings")));
	PG_RETURN_FLOAT8(result);
}

/* recon_jaro(a, b): Jaro similarity of the characters of a and b, in [0, 1]. */
Datum
recon_jaro(PG_FUNCTION_ARGS)
{
	return similarity(fcinfo, false, 0);
}

/* recon_jaro_winkler(a, b, prefix_scale): Jaro-Winkler similarity, in [0, 1]. */
Datum
recon_jaro_winkler(PG_FUNCTION_ARGS)
{
	double		prefix_scale = PG_GETARG_FLOAT8(2);

	/* above 0.25 a four-character prefix could push the score past 1 */
	if (!(prefix_scale >= 0.0 && prefix_scale <= 0.25))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prefix_scale %g is out of range", prefix_scale),
				 errdetail("It must lie between 0 and 0.25 (Winkler's standard is 0.1), so that the score stays within [0, 1].")));
	return similarity(fcinfo, true, prefix_scale);
}
