/*
 * name.h: first and last name normalization per platform, plain C (see name.c).
 */
#ifndef RECON_IDENTITY_NAME_H
#define RECON_IDENTITY_NAME_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconFirstNameStatus;
typedef ReconFieldStatus ReconLastNameStatus;

/* Longest trimmed input looked at, and longest result, in bytes. */
#define RECON_NAME_MAX_INPUT_BYTES 1024
#define RECON_NAME_MAX_BYTES 256

/* Platforms with a name rule: Meta (and Snap, generic: the same rule) and Google. */
#define RECON_FIRST_NAME_PLATFORMS \
	(RECON_PLATFORM_BIT(RECON_PLATFORM_META) | RECON_PLATFORM_BIT(RECON_PLATFORM_GOOGLE) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_SNAP) | RECON_PLATFORM_BIT(RECON_PLATFORM_GENERIC))
#define RECON_LAST_NAME_PLATFORMS RECON_FIRST_NAME_PLATFORMS

/*
 * Normalize a first name: Meta keeps lower-case letters of any script and
 * nothing else; Google keeps words (lower case, ' and - inside) and drops
 * leading titles (Mr, Dr, ...). work must hold len bytes; *out is inside work
 * or malloc'd (free it when *out != work).
 */
extern ReconFirstNameStatus recon_first_name_normalize(const char *s, size_t len, ReconPlatform platform,
													   char *work, char **out, size_t *out_len);

/* Normalize a last name: as a first name, but Google drops trailing suffixes (Jr, III, PhD, ...). */
extern ReconLastNameStatus recon_last_name_normalize(const char *s, size_t len, ReconPlatform platform,
													 char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_first_name_status_reason(ReconFirstNameStatus status);
extern const char *recon_last_name_status_reason(ReconLastNameStatus status);

#endif
