/*
 * location.h: city, state and zip/postal code normalization per platform,
 * plain C (see location.c).
 */
#ifndef RECON_IDENTITY_LOCATION_H
#define RECON_IDENTITY_LOCATION_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconCityStatus;
typedef ReconFieldStatus ReconStateStatus;
typedef ReconFieldStatus ReconZipStatus;

/* Longest trimmed input looked at, in bytes. */
#define RECON_LOCATION_MAX_INPUT_BYTES 256
#define RECON_ZIP_MAX_INPUT_BYTES 32

/* Platforms with city, state and zip rules: Meta (Snap and generic follow it) and Google. */
#define RECON_CITY_PLATFORMS \
	(RECON_PLATFORM_BIT(RECON_PLATFORM_META) | RECON_PLATFORM_BIT(RECON_PLATFORM_GOOGLE) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_SNAP) | RECON_PLATFORM_BIT(RECON_PLATFORM_GENERIC))
#define RECON_STATE_PLATFORMS RECON_CITY_PLATFORMS
#define RECON_ZIP_PLATFORMS RECON_CITY_PLATFORMS

/*
 * Normalize a city: Meta keeps lower-case letters and digits only
 * ("New York" -> "newyork"); Google keeps the words, lower case, one space
 * between them ("new york"). work must hold len bytes; *out is inside work or
 * malloc'd (free it when *out != work).
 */
extern ReconCityStatus recon_city_normalize(const char *s, size_t len, ReconPlatform platform,
											char *work, char **out, size_t *out_len);

/*
 * Normalize a state or region. country is the ISO alpha-2 code in lower case
 * (recon_country_normalize) or NULL when unknown: for "us" and NULL a US state
 * name or code becomes its two-letter code (lower case for Meta, upper case
 * for Google); for "us" anything else is UNKNOWN_US_STATE; otherwise the value
 * is cleaned like a city.
 */
extern ReconStateStatus recon_state_normalize(const char *s, size_t len, const char *country,
											  ReconPlatform platform,
											  char *work, char **out, size_t *out_len);

/*
 * Normalize a zip or postal code; country as for recon_state_normalize. US:
 * the 5-digit ZIP (ZIP+4 cut; also when the country is unknown and the value
 * is written ddddd-dddd). UK ("gb"): a checked full postcode. Meta: lower case
 * without spaces or dashes ("M1 1AE" -> "m11ae"); Google (not hashed): upper
 * case as written, one space between parts ("M1 1AE").
 */
extern ReconZipStatus recon_zip_normalize(const char *s, size_t len, const char *country,
										  ReconPlatform platform,
										  char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_city_status_reason(ReconCityStatus status);
extern const char *recon_state_status_reason(ReconStateStatus status);
extern const char *recon_zip_status_reason(ReconZipStatus status);

#endif
