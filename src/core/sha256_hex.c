/*
 * sha256_hex.c: recognizing SHA-256 digests written as hex, the form Meta,
 * Google and TikTok accept for hashed contact data.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(recon_is_sha256_hex);

/*
 * recon_is_sha256_hex(text): exactly 64 lower-case hex characters.
 * A CHECK with the regex ^[0-9a-f]{64}$ costs about 7 us per row; this is a loop.
 */
Datum
recon_is_sha256_hex(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(value);

	if (VARSIZE_ANY_EXHDR(value) != 64)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < 64; i++)
	{
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}
