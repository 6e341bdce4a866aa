/*
 * hash_identifier.h: normalize-then-hash for any customer field, plain C (see hash_identifier.c).
 */
#ifndef RECON_IDENTITY_HASH_IDENTIFIER_H
#define RECON_IDENTITY_HASH_IDENTIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "identity/platform.h"

/* What recon_hash_identify did with a value. */
typedef enum ReconHashOutcome
{
	RECON_HASH_HASHED,			/* normalized, then hashed into the 64-character result */
	RECON_HASH_PASSED_THROUGH,	/* already a digest: returned unchanged */
	RECON_HASH_UNUSABLE,		/* the field's normalizer refused it: *reason says why */
	RECON_HASH_OUT_OF_MEMORY,
	RECON_HASH_LIBRARY_ERROR	/* libphonenumber could not be loaded or failed */
} ReconHashOutcome;

/* A field recon_hash_identifier knows: how to normalize it, and where hashing it is wrong. */
typedef struct ReconHashField ReconHashField;

/* The field called name (or one of its platform keys such as "em"), or NULL. */
extern const ReconHashField *recon_hash_field_lookup(const char *name, size_t len);

/* The field's canonical name. */
extern const char *recon_hash_field_name(const ReconHashField *field);

/* Comma-separated list of every field name that can be hashed, for error messages. */
extern const char *recon_hash_field_list(void);

/*
 * NULL when field may be hashed for platform; otherwise a sentence saying why
 * not (never hashed, or sent in clear to this platform).
 */
extern const char *recon_hash_field_refusal(const char *name, size_t len, ReconPlatform platform);

/* Mask of the platforms the field has a normalization rule for. */
extern unsigned recon_hash_field_platforms(const ReconHashField *field);

/*
 * Normalize s for field and platform, then hash. country (may be NULL) is the
 * record's country for fields that need it. On RECON_HASH_HASHED the digest is
 * in hex_out (64 bytes, no NUL); on PASSED_THROUGH the value is returned as is
 * (*passthrough_len bytes of s from *passthrough_offset: surrounding blanks
 * dropped); on UNUSABLE *reason is the reason code.
 */
extern ReconHashOutcome recon_hash_identify(const ReconHashField *field, const char *s, size_t len,
											ReconPlatform platform, const char *country, size_t country_len,
											char *hex_out, size_t *passthrough_offset, size_t *passthrough_len,
											const char **reason);

/* True when s is a digest the platforms accept as already hashed: 64 lower-case hex, optionally ".suffix". */
extern bool recon_is_hashed_value(const char *s, size_t len);

#endif
