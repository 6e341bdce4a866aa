/*
 * demo_random.c: counter-based pseudo-random numbers for the demo generator.
 *
 * random() with setseed() depends on row order, which changes with plans and
 * parallel workers; a hash of (seed, stream, row) gives the same value for the
 * same row whatever the plan, so the same seed always yields the same data.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(recon_demo_random);
PG_FUNCTION_INFO_V1(recon_demo_token);

/* splitmix64 finalizer: a fast, well-mixed 64-bit bijection. */
static inline uint64
mix64(uint64 z)
{
	z = (z ^ (z >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Hash of the three counters; distinct streams give independent sequences. */
static inline uint64
demo_hash(int64 seed, int64 stream, int64 row)
{
	uint64		h = mix64((uint64) seed + UINT64CONST(0x9e3779b97f4a7c15));

	h = mix64(h ^ ((uint64) stream * UINT64CONST(0xd1b54a32d192ed03)));
	return mix64(h ^ ((uint64) row + UINT64CONST(0x8cb92ba72f3d8dd7)));
}

/* recon_demo_random(seed, stream, row): uniform double in [0, 1). */
Datum
recon_demo_random(PG_FUNCTION_ARGS)
{
	uint64		h = demo_hash(PG_GETARG_INT64(0), PG_GETARG_INT64(1), PG_GETARG_INT64(2));

	PG_RETURN_FLOAT8((double) (h >> 11) * (1.0 / 9007199254740992.0));
}

/* recon_demo_token(seed, stream, row, length): base64url characters, like real click ids. */
Datum
recon_demo_token(PG_FUNCTION_ARGS)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int64		seed = PG_GETARG_INT64(0);
	int64		stream = PG_GETARG_INT64(1);
	int64		row = PG_GETARG_INT64(2);
	int32		len = PG_GETARG_INT32(3);
	text	   *result;
	char	   *out;
	uint64		h = 0;

	if (len < 1 || len > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token length %d is out of range", len),
				 errdetail("The length must be between 1 and 1024 characters.")));
	result = (text *) palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	out = VARDATA(result);
	for (int i = 0; i < len; i++)
	{
		if (i % 10 == 0)		/* 10 characters of 6 bits from each 64-bit hash */
			h = demo_hash(seed, stream, row * 1031 + i / 10);
		out[i] = alphabet[h & 63];
		h >>= 6;
	}
	PG_RETURN_TEXT_P(result);
}
