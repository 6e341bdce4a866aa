/*
 * jaro_winkler_sql.c: recon_jaro and recon_jaro_winkler.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "linkage/jaro_winkler.h"

PG_FUNCTION_INFO_V1(recon_jaro);
PG_FUNCTION_INFO_V1(recon_jaro_winkler);

/* Code points of a text: in buf when they fit, else palloc'd; false when longer than RECON_JARO_MAX_CHARS. */
static bool
text_code_points(text *t, uint32 *buf, size_t buf_len, uint32 **cps, size_t *n)
{
	size_t		len = VARSIZE_ANY_EXHDR(t);

	/* every character takes at most 4 bytes: a long value is refused before decoding */
	if (len / 4 > RECON_JARO_MAX_CHARS)
		return false;
	*cps = len <= buf_len ? buf : palloc(sizeof(uint32) * len);
	*n = recon_jaro_decode(VARDATA_ANY(t), len, *cps);
	return *n <= RECON_JARO_MAX_CHARS;
}

/* The similarity of the two text arguments; NULL when either is too long. */
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

	if (!text_code_points(PG_GETARG_TEXT_PP(0), abuf, lengthof(abuf), &a, &alen) ||
		!text_code_points(PG_GETARG_TEXT_PP(1), bbuf, lengthof(bbuf), &b, &blen))
		PG_RETURN_NULL();
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
