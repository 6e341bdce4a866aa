/*
 * phone_fast.h: the pure-C fast path of phone normalization (no PostgreSQL, no C++).
 *
 * It answers "which E.164 number is this" for the common, simple spellings of a
 * phone number (ASCII digits, a few separators, an optional leading '+') by
 * replaying libphonenumber's Parse and IsPossibleNumberWithReason step by step
 * over tables built from libphonenumber's own metadata at load time
 * (phone_lib.cpp fills them through phone_fast_add_metadata). Whenever a step
 * needs something the tables cannot answer exactly, the answer is
 * PHONE_FAST_UNSURE and the caller asks libphonenumber itself.
 */
#ifndef RECON_PHONE_FAST_H
#define RECON_PHONE_FAST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of one normalization; the codes are shared with the libphonenumber wrapper. */
typedef enum PhoneReason
{
	PHONE_OK = 0,					/* a possible number: country_code + nsn */
	PHONE_MISSING,					/* NULL, empty or blank (decided by the SQL layer) */
	PHONE_NOT_A_NUMBER,				/* Parse: NOT_A_NUMBER */
	PHONE_INVALID_COUNTRY_CODE,		/* Parse: INVALID_COUNTRY_CODE_ERROR; possibility: INVALID_COUNTRY_CODE */
	PHONE_TOO_SHORT_AFTER_IDD,		/* Parse: TOO_SHORT_AFTER_IDD */
	PHONE_TOO_SHORT,				/* Parse: TOO_SHORT_NSN; possibility: TOO_SHORT */
	PHONE_TOO_LONG,					/* Parse: TOO_LONG_NSN; possibility: TOO_LONG; input over 250 bytes */
	PHONE_NOT_POSSIBLE_LENGTH,		/* possibility: INVALID_LENGTH */
	PHONE_LOCAL_ONLY,				/* possibility: IS_POSSIBLE_LOCAL_ONLY (dialable only inside an area) */
	PHONE_REASON_COUNT
} PhoneReason;

/* Longest input (bytes) any path looks at; longer input is 'too_long' (libphonenumber's later limit). */
#define PHONE_MAX_INPUT 250
/* libphonenumber's bound on a national significant number. */
#define PHONE_MAX_NSN 17

typedef struct PhoneResult
{
	PhoneReason reason;
	int			country_code;			/* when reason == PHONE_OK */
	int			nsn_len;
	char		nsn[PHONE_MAX_NSN + 1];	/* national significant number, NUL-terminated */
} PhoneResult;

typedef enum PhoneFastVerdict
{
	PHONE_FAST_UNSURE = 0,		/* ask libphonenumber */
	PHONE_FAST_DECIDED = 1		/* *result holds libphonenumber's answer */
} PhoneFastVerdict;

typedef struct PhoneRegex PhoneRegex;
typedef struct PhoneFastTables PhoneFastTables;

/* A compiled metadata pattern (digits, \d, [..], (?:..), (..), |, ?, {n}, {n,m}, *, +); NULL if unsupported. */
PhoneRegex *phone_regex_compile(const char *pattern);
void		phone_regex_free(PhoneRegex *rx);
/* 1 when the whole of s[0..len) matches. */
int			phone_regex_full_match(const PhoneRegex *rx, const char *s, size_t len);
/* Length of the leftmost-first match anchored at s[0] (ICU lookingAt), or -1. */
int			phone_regex_looking_at(const PhoneRegex *rx, const char *s, size_t len);

PhoneFastTables *phone_fast_tables_new(void);
void		phone_fast_tables_free(PhoneFastTables *t);

/*
 * Add one PhoneMetadata entry. region is "US" for a region, "001" for a
 * non-geographic entity; region_index is the caller's index for a region (-1 for
 * "001"); main_for_code says this entry is the one libphonenumber uses for the
 * calling code (GetRegionCodeForCountryCode). Empty strings mean "absent".
 * Returns 0, or -1 when out of memory or the arguments are out of range.
 */
int			phone_fast_add_metadata(PhoneFastTables *t, const char *region, int region_index,
									int country_code, int main_for_code,
									const char *international_prefix,
									const char *national_prefix_for_parsing,
									const char *national_prefix_transform_rule,
									const char *general_pattern,
									const int *possible_lengths, int n_possible,
									const int *local_only_lengths, int n_local);

/* Number of region indexes the tables know (highest region_index + 1). */
int			phone_fast_region_count(const PhoneFastTables *t);
/* Entries whose patterns the mini regex could not compile (they always fall back). */
int			phone_fast_unsupported_count(const PhoneFastTables *t);

/*
 * The fast path: input s[0..len) with default region region_index (-1: unknown
 * region, only numbers written with '+' parse). Returns PHONE_FAST_DECIDED with
 * *result set exactly as libphonenumber would, or PHONE_FAST_UNSURE.
 * Does not handle 'missing' (blank input): the caller does.
 */
PhoneFastVerdict phone_fast_normalize(const PhoneFastTables *t, int region_index,
									  const char *s, size_t len, PhoneResult *result);

/* The snake_case reason code for the SQL functions (NULL for PHONE_OK). */
const char *phone_reason_code(PhoneReason reason);

#ifdef __cplusplus
}
#endif

#endif
