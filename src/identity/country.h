/*
 * country.h: country names and codes to ISO 3166-1 alpha-2, plain C (see country.c).
 */
#ifndef RECON_IDENTITY_COUNTRY_H
#define RECON_IDENTITY_COUNTRY_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconCountryStatus;

/* Longest trimmed input looked at, in bytes (the longest ISO name is under 60). */
#define RECON_COUNTRY_MAX_INPUT_BYTES 256

/* Platforms with a country rule: lower case for Meta, Snap, generic; upper case for Google, LinkedIn. */
#define RECON_COUNTRY_PLATFORMS \
	(RECON_PLATFORM_BIT(RECON_PLATFORM_META) | RECON_PLATFORM_BIT(RECON_PLATFORM_GOOGLE) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_LINKEDIN) | RECON_PLATFORM_BIT(RECON_PLATFORM_SNAP) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_GENERIC))

/*
 * Normalize a country (alpha-2, alpha-3, English name, ISO official or common
 * name, or an alias such as "USA", "UK", "England") to its alpha-2 code in the
 * platform's case. work must hold len bytes; on OK *out points into work.
 */
extern ReconCountryStatus recon_country_normalize(const char *s, size_t len, ReconPlatform platform,
												  char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_country_status_reason(ReconCountryStatus status);

#endif
