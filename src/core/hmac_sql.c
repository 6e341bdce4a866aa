/*
 * hmac_sql.c: recon_hmac_sha256_hex(key, message), HMAC-SHA-256 as lower-case hex.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/hmac.h"
#include "core/limits_sql.h"
#include "core/sha256_hex.h"

PG_FUNCTION_INFO_V1(recon_hmac_sha256_hex);

/* recon_hmac_sha256_hex(bytea key, bytea message): HMAC-SHA-256 as 64 hex characters. */
Datum
recon_hmac_sha256_hex(PG_FUNCTION_ARGS)
{
	bytea	   *key;
	bytea	   *message;
	size_t		len;
	unsigned char *scratch;
	unsigned char digest[32];

	/* the message is copied once (key pad in front): bounded like any hashed value */
	recon_check_arg_bytes(fcinfo, 0, RECON_MAX_KEY_BYTES, "key", "An HMAC key is 32 to 64 bytes; longer ones add no strength.");
	recon_check_arg_bytes(fcinfo, 1, RECON_MAX_HASH_BYTES, "message",
						  "Hash the values you send or match on (contact data, ids, rows), not whole documents.");
	key = PG_GETARG_BYTEA_PP(0);
	message = PG_GETARG_BYTEA_PP(1);
	len = VARSIZE_ANY_EXHDR(message);
	scratch = palloc(RECON_HMAC_SCRATCH(len));

	recon_hmac_sha256((const unsigned char *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					  (const unsigned char *) VARDATA_ANY(message), len, scratch, digest);
	pfree(scratch);
	PG_RETURN_TEXT_P(recon_digest_text(digest));
}
