/*
 * internal_key.c: keys recon keeps for itself (masked values in load rejects, join
 * keys an analyst builds in dbt) as opposed to the keys sent to ad platforms.
 *
 * A plain SHA-256 of an email can be reversed with a list of known addresses, so an
 * internal key is HMAC-SHA-256 under a pepper held outside the database's tables:
 * the superuser-only setting recon.internal_key_pepper (postgresql.conf or ALTER
 * SYSTEM/DATABASE). Without a pepper the key is plain SHA-256, as before. Platform
 * hashes (recon_hash_identifier, email_sha256...) never use the pepper: the
 * platforms match on plain SHA-256 of the normalized value.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "core/hmac.h"
#include "core/sha256.h"
#include "core/sha256_hex.h"
#include "identity/internal_key.h"

PG_FUNCTION_INFO_V1(recon_internal_key);
PG_FUNCTION_INFO_V1(recon_internal_key_scheme);

static char *internal_key_pepper = NULL;

/* Registers recon.internal_key_pepper: superuser-only, hidden from SHOW ALL and non-superusers. */
void
recon_internal_key_define_setting(void)
{
	DefineCustomStringVariable("recon.internal_key_pepper",
							   "Secret pepper for recon's internal contact keys (HMAC-SHA-256); empty = plain SHA-256.",
							   "Never used for the hashes sent to or matched with ad platforms.",
							   &internal_key_pepper,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
}

/* True when a pepper is configured. */
static bool
pepper_is_set(void)
{
	return internal_key_pepper != NULL && internal_key_pepper[0] != '\0';
}

/* recon_internal_key(text): HMAC-SHA-256 under the pepper (or SHA-256 without one) as hex; NULL for ''. */
Datum
recon_internal_key(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	const unsigned char *data = (const unsigned char *) VARDATA_ANY(value);
	unsigned char digest[32];

	if (len == 0)
		PG_RETURN_NULL();
	if (pepper_is_set())
	{
		unsigned char *scratch = palloc(RECON_HMAC_SCRATCH(len));

		recon_hmac_sha256((const unsigned char *) internal_key_pepper, strlen(internal_key_pepper),
						  data, len, scratch, digest);
		pfree(scratch);
	}
	else
		recon_sha256_to_bytes(data, len, digest);
	PG_RETURN_TEXT_P(recon_digest_text(digest));
}

/* recon_internal_key_scheme(): 'hmac-sha256' when a pepper is set, else 'sha256'. */
Datum
recon_internal_key_scheme(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(pepper_is_set() ? "hmac-sha256" : "sha256"));
}
