/*
 * sha256_hex.c: SQL functions for SHA-256 digests written as lower-case hex, the
 * form Meta, Google and TikTok accept for hashed contact data.
 *
 * The digest is computed by core/sha256.c rather than the server's
 * pg_cryptohash: that API allocates and tracks a context per call, which makes
 * a per-row hash no faster than core's sha256(). This allocates only the result.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/sha256.h"
#include "core/sha256_hex.h"

PG_FUNCTION_INFO_V1(recon_is_sha256_hex);
PG_FUNCTION_INFO_V1(recon_sha256_hex);

/*
 * recon_is_sha256_hex(text): exactly 64 lower-case hex characters.
 * A CHECK with the regex ^[0-9a-f]{64}$ costs about 7 us per row; this is a loop.
 */
Datum
recon_is_sha256_hex(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(recon_is_lower_hex64(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)));
}

/*
 * recon_sha256_hex(text): SHA-256 of the value's bytes (UTF-8 in a UTF-8 database)
 * as 64 lower-case hex characters. An empty value gives NULL: the platforms skip
 * empty fields, and the hash of '' (e3b0c442...) sent as a customer key is a
 * classic bug.
 */
Datum
recon_sha256_hex(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	text	   *result;

	if (len == 0)
		PG_RETURN_NULL();
	result = (text *) palloc(VARHDRSZ + 64);
	SET_VARSIZE(result, VARHDRSZ + 64);
	recon_sha256_to_hex((const unsigned char *) VARDATA_ANY(value), len, VARDATA(result));
	PG_RETURN_TEXT_P(result);
}

/* A 32-byte digest as a palloc'd text of 64 lower-case hex characters. */
text *
recon_digest_text(const unsigned char *digest)
{
	text	   *result = (text *) palloc(VARHDRSZ + 64);

	SET_VARSIZE(result, VARHDRSZ + 64);
	recon_digest_to_hex(digest, VARDATA(result));
	return result;
}
