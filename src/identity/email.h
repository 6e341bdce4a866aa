/*
 * email.h: email normalization per platform, plain C (see email.c).
 */
#ifndef RECON_IDENTITY_EMAIL_H
#define RECON_IDENTITY_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "identity/platform.h"

/* Why an email could not be normalized (0 = it could). */
typedef enum ReconEmailStatus
{
	RECON_EMAIL_OK = 0,
	RECON_EMAIL_MISSING,
	RECON_EMAIL_INVALID_UTF8,
	RECON_EMAIL_CONTROL_CHARACTER,
	RECON_EMAIL_INTERNAL_WHITESPACE,
	RECON_EMAIL_MISSING_AT,
	RECON_EMAIL_MULTIPLE_AT,
	RECON_EMAIL_EMPTY_LOCAL_PART,
	RECON_EMAIL_EMPTY_DOMAIN,
	RECON_EMAIL_TOO_LONG,
	RECON_EMAIL_OUT_OF_MEMORY
} ReconEmailStatus;

/* Longest usable address in bytes (RFC 5321: a 256-octet path less the angle brackets). */
#define RECON_EMAIL_MAX_BYTES 254

/* Platforms with an email rule. */
#define RECON_EMAIL_PLATFORMS RECON_PLATFORMS_ALL

/*
 * Normalize len bytes of s for platform. work must hold len bytes. On
 * RECON_EMAIL_OK, *out and *out_len is the result: inside work, or a malloc'd
 * buffer the caller frees when *out != work.
 */
extern ReconEmailStatus recon_email_normalize(const char *s, size_t len, ReconPlatform platform,
											  char *work, char **out, size_t *out_len);

/* Testing only (fuzz harness): send ASCII input through the general path too. */
extern bool recon_email_force_general_path;

/* The snake_case reason code for a status ("missing_at", ...); NULL for OK. */
extern const char *recon_email_status_reason(ReconEmailStatus status);

#endif
