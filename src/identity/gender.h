/*
 * gender.h: gender to Meta's "f" / "m", plain C (see gender.c).
 */
#ifndef RECON_IDENTITY_GENDER_H
#define RECON_IDENTITY_GENDER_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconGenderStatus;

/* Longest trimmed input looked at, in bytes (the longest accepted spelling is 6). */
#define RECON_GENDER_MAX_INPUT_BYTES 64

/* Platforms with a gender field: Meta (ge) and those following it (Snap, generic). */
#define RECON_GENDER_PLATFORMS \
	(RECON_PLATFORM_BIT(RECON_PLATFORM_META) | RECON_PLATFORM_BIT(RECON_PLATFORM_SNAP) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_GENERIC))

/*
 * Normalize a gender to "f" or "m" (f, female, woman, w; m, male, man; any
 * case, a trailing '.' ignored); anything else is UNRECOGNIZED_GENDER. work
 * must hold len bytes; on OK *out points into work.
 */
extern ReconGenderStatus recon_gender_normalize(const char *s, size_t len, ReconPlatform platform,
												char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_gender_status_reason(ReconGenderStatus status);

#endif
