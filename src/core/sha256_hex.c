/*
 * sha256_hex.c: recognizing SHA-256 digests written as hex, the form Meta,
 * Google and TikTok accept for hashed contact data.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(recon_is_sha256_hex);

/* 1 for the characters of a lower-case hex digest: a table lookup, no branches to mispredict. */
static const uint8 is_lower_hex[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
};

/*
 * recon_is_sha256_hex(text): exactly 64 lower-case hex characters.
 * A CHECK with the regex ^[0-9a-f]{64}$ costs about 7 us per row; this is a loop.
 */
Datum
recon_is_sha256_hex(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const unsigned char *s = (const unsigned char *) VARDATA_ANY(value);
	unsigned int hits = 0;

	if (VARSIZE_ANY_EXHDR(value) != 64)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < 64; i++)
		hits += is_lower_hex[s[i]];
	PG_RETURN_BOOL(hits == 64);
}
