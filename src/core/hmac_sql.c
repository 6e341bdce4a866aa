/*
 * hmac_sql.c: recon_hmac_sha256_hex(key, message), HMAC-SHA-256 as lower-case hex.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/hmac.h"
#include "core/sha256_hex.h"

PG_FUNCTION_INFO_V1(recon_hmac_sha256_hex);

/* recon_hmac_sha256_hex(bytea key, bytea message): HMAC-SHA-256 as 64 hex characters. */
Datum
recon_hmac_sha256_hex(PG_FUNCTION_ARGS)
{
	bytea	   *key = PG_GETARG_BYTEA_PP(0);
	bytea	   *message = PG_GETARG_BYTEA_PP(1);
	size_t		len = VARSIZE_ANY_EXHDR(message);
	unsigned char *scratch = palloc(RECON_HMAC_SCRATCH(len));
	unsigned char digest[32];

	recon_hmac_sha256((const unsigned char *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					  (const unsigned char *) VARDATA_ANY(message), len, scratch, digest);
	pfree(scratch);
	PG_RETURN_TEXT_P(recon_digest_text(digest));
}
