/*
 * platform_id.h: numeric ad-platform ids (campaign, ad set, ad...) kept as text,
 * and the ways spreadsheets and floating point mangle them. Pure C, no allocation.
 */
#ifndef RECON_IDENTITY_PLATFORM_ID_H
#define RECON_IDENTITY_PLATFORM_ID_H

#include <stddef.h>

typedef enum recon_pid_status
{
	RECON_PID_OK = 0,
	RECON_PID_POSSIBLE_FLOAT_ROUNDING,	/* exactly what a float round-trip prints; often genuine */
	RECON_PID_POSSIBLE_PRECISION_LOST,	/* 16 digits ending in 0: kept, as 1 genuine id in 10 looks so */
	RECON_PID_PRECISION_LOST,	/* 15 significant digits, then two or more zeros (spreadsheet) */
	RECON_PID_SCIENTIFIC_NOTATION,	/* 1.20208123456789E+17 */
	RECON_PID_INVALID,
	RECON_PID_MISSING,
	RECON_PID_TOO_LONG,			/* over RECON_MAX_IDENTIFIER_BYTES: not read */
	RECON_PID_STATUS_COUNT
} recon_pid_status;

extern const char *const recon_pid_status_names[RECON_PID_STATUS_COUNT];

/* Longest id accepted, in digits (bigint has 19, uint64 20). */
#define RECON_PID_MAX_DIGITS 20

/* Room for a match key: mantissa digits, '.', "E+", exponent. */
#define RECON_PID_KEY_SIZE (RECON_PID_MAX_DIGITS + 8)

typedef struct recon_platform_id
{
	recon_pid_status status;
	/*
	 * Digits of the value. For a plain id: all of them (the normalized id). For
	 * scientific notation: the mantissa's digits only, and ndigits is the length
	 * the integer has.
	 */
	char		digits[RECON_PID_MAX_DIGITS + 1];
	size_t		ndigits_written;
	size_t		ndigits;		/* how many digits the integer has */
} recon_platform_id;

/* Parse s[0..len) (see docs/click-ids.md for what is accepted) and classify it. */
recon_pid_status recon_parse_platform_id(const char *s, size_t len, recon_platform_id *out);

/*
 * The value rounded half up to `significant` significant digits, written as a
 * spreadsheet shows it: "1.20208123456789E+17" (trailing zeros of the mantissa
 * dropped). Equal keys = the same id up to that precision. Needs status other
 * than INVALID/MISSING and 1 <= significant <= RECON_PID_MAX_DIGITS. Returns the
 * length written to out (RECON_PID_KEY_SIZE bytes of room, no NUL).
 */
size_t		recon_platform_id_match_key(const recon_platform_id *id, int significant, char *out);

#endif
