/*
 * field.h: what the customer-field normalizers (names, city, state, zip,
 * country, date of birth, gender, external id) share: one status enum with
 * every reason code, and the scanning steps they all start with. Plain C.
 *
 * Each field keeps the email API shape (see email.h):
 *   ReconXStatus recon_X_normalize(const char *s, size_t len, ..., ReconPlatform platform,
 *                                  char *work, char **out, size_t *out_len)
 * work holds len bytes; on OK *out is inside work, or malloc'd when *out != work.
 */
#ifndef RECON_IDENTITY_FIELD_H
#define RECON_IDENTITY_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a customer field could not be normalized (0 = it could). */
typedef enum ReconFieldStatus
{
	RECON_FIELD_OK = 0,
	RECON_FIELD_MISSING,
	RECON_FIELD_INVALID_UTF8,
	RECON_FIELD_CONTROL_CHARACTER,
	RECON_FIELD_TOO_LONG,
	RECON_FIELD_OUT_OF_MEMORY,
	RECON_FIELD_NO_LETTERS,				/* nothing left once punctuation and spaces are gone */
	RECON_FIELD_CONTAINS_DIGITS,		/* a name with digits in it */
	RECON_FIELD_ONLY_TITLE_OR_SUFFIX,	/* Google: "Dr", "Jr." and nothing else */
	RECON_FIELD_UNKNOWN_US_STATE,
	RECON_FIELD_INVALID_US_ZIP,
	RECON_FIELD_INVALID_UK_POSTCODE,
	RECON_FIELD_INVALID_POSTAL_CODE,
	RECON_FIELD_UNKNOWN_COUNTRY,
	RECON_FIELD_UNRECOGNIZED_DATE_FORMAT,
	RECON_FIELD_AMBIGUOUS_DATE,
	RECON_FIELD_TWO_DIGIT_YEAR,
	RECON_FIELD_INVALID_DATE,
	RECON_FIELD_YEAR_OUT_OF_RANGE,
	RECON_FIELD_UNRECOGNIZED_GENDER,
	RECON_FIELD_STATUS_COUNT
} ReconFieldStatus;

/* The snake_case reason code of a status ("missing", "unknown_country", ...); NULL for OK. */
extern const char *recon_field_status_reason(ReconFieldStatus status);

/*
 * The first steps of every field: the bytes must be UTF-8, surrounding white
 * space is dropped (*s and *len narrow), blank is MISSING, and a trimmed value
 * over max_bytes is TOO_LONG (so huge values are refused before any real work).
 */
extern ReconFieldStatus recon_field_begin(const char **s, size_t *len, size_t max_bytes);

/* How recon_field_filter treats white space and punctuation. */
typedef enum ReconFieldFilter
{
	RECON_FILTER_LETTERS,			/* letters only; digits are CONTAINS_DIGITS (Meta names) */
	RECON_FILTER_LETTERS_DIGITS,	/* letters and ASCII digits (Meta city, state) */
	RECON_FILTER_WORDS,				/* letters and digits, other runs become one space (Google city, state) */
	RECON_FILTER_NAME_WORDS			/* letters, ' and -, other runs one space; digits refused (Google names) */
} ReconFieldFilter;

/*
 * Filter folded UTF-8 text in place as mode says; control characters are
 * CONTROL_CHARACTER, invisible format characters (bidi marks, joiners, soft
 * hyphen) are dropped, and an empty result is NO_LETTERS.
 */
extern ReconFieldStatus recon_field_filter(char *s, size_t *len, ReconFieldFilter mode);

/* Trim, validate, fold (NFC + lower case) and filter: the whole path of the letter-based fields. */
extern ReconFieldStatus recon_field_fold_filter(const char *s, size_t len, size_t max_bytes,
												ReconFieldFilter mode, char *work,
												char **out, size_t *out_len);

/* Give *out back to the caller's rules: free it when it is not work. */
extern void recon_field_release(char *out, char *work);

#endif
