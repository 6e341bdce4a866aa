/*
 * country.c: ISO 3166-1 alpha-2 codes from the ways people write countries.
 *
 * The value is folded (NFC, lower case) and reduced to letters and digits, so
 * "United States", "UNITED-STATES" and "U.S." all become one lookup key; the
 * keys (alpha-2, alpha-3, names, aliases) are a sorted table generated from
 * Debian's iso-codes by scripts/gen-country-table.
 */
#include "identity/country.h"

#include <stdlib.h>
#include <string.h>

typedef struct ReconCountryKey
{
	const char *key;
	const char *alpha2;
} ReconCountryKey;

#include "identity/country_table.h"

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_country_status_reason(ReconCountryStatus status)
{
	return recon_field_status_reason(status);
}

/* The alpha-2 code of a lookup key, or NULL. */
static const char *
find_country(const char *key, size_t len)
{
	size_t		lo = 0,
				hi = sizeof(country_keys) / sizeof(country_keys[0]);

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const char *k = country_keys[mid].key;
		size_t		klen = strlen(k);
		int			cmp = memcmp(k, key, klen < len ? klen : len);

		if (cmp == 0)
			cmp = (klen > len) - (klen < len);
		if (cmp == 0)
			return country_keys[mid].alpha2;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Normalize a country for platform (see country.h). */
ReconCountryStatus
recon_country_normalize(const char *s, size_t len, ReconPlatform platform,
						char *work, char **out, size_t *out_len)
{
	char	   *key;
	size_t		key_len;
	const char *alpha2;
	ReconFieldStatus status;
	bool		upper = (platform == RECON_PLATFORM_GOOGLE || platform == RECON_PLATFORM_LINKEDIN);

	status = recon_field_fold_filter(s, len, RECON_COUNTRY_MAX_INPUT_BYTES, RECON_FILTER_LETTERS_DIGITS,
									 work, &key, &key_len);
	if (status == RECON_FIELD_NO_LETTERS)
		return RECON_FIELD_UNKNOWN_COUNTRY;
	if (status != RECON_FIELD_OK)
		return status;
	alpha2 = find_country(key, key_len);
	recon_field_release(key, work);
	if (alpha2 == NULL)
		return RECON_FIELD_UNKNOWN_COUNTRY;
	/* a key of two or more bytes came from at least two input bytes, so work holds the code */
	work[0] = upper ? (char) (alpha2[0] - 'a' + 'A') : alpha2[0];
	work[1] = upper ? (char) (alpha2[1] - 'a' + 'A') : alpha2[1];
	*out = work;
	*out_len = 2;
	return RECON_FIELD_OK;
}
