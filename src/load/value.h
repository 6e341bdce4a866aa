/*
 * value.h: strict parsers for the numbers, dates and times of export files.
 * Each accepts exactly one spelling family and says no to anything else, so a
 * loader can reject a row instead of guessing. Plain C: no server headers.
 */
#ifndef RECON_LOAD_VALUE_H
#define RECON_LOAD_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Date orders of export files: ISO (2026-03-01), US (3/1/2026), European (1/3/2026 or 1.3.2026). */
typedef enum recon_date_style
{
	RECON_DATE_ISO,
	RECON_DATE_MDY,
	RECON_DATE_DMY
} recon_date_style;

/* A local or offset time, as written. */
typedef struct recon_parsed_time
{
	int			year;
	int			month;
	int			day;
	int			hour;
	int			minute;
	int			second;
	int			microsecond;
	bool		has_offset;		/* Z, +02:00, -0500, +05 or " UTC" was written */
	int			offset_seconds; /* east of UTC */
} recon_parsed_time;

/*
 * Digits a decimal may have on either side of the mark: no amount or count
 * comes near, and numeric_in raises (rather than a NULL) past its own limits.
 */
#define RECON_DECIMAL_MAX_DIGITS 1000

/*
 * A decimal number: optional blanks, sign, digits with optional thousands
 * separators (every group of three), optional fraction after decimal_mark
 * ('.' or ','; the other one, or a space, separates thousands), at most
 * RECON_DECIMAL_MAX_DIGITS digits each side. Writes the canonical spelling
 * ("-1234.56") to out (room for len + 2 bytes).
 */
extern bool recon_parse_decimal_text(const char *s, size_t len, char decimal_mark, char *out, size_t *out_len);

/* A calendar date in the style, whole string (blanks around allowed); checks days per month. */
extern bool recon_parse_date_text(const char *s, size_t len, recon_date_style style, recon_parsed_time *t);

/*
 * A date and time: the date in the style, then T or a space, HH:MM[:SS[.ffffff]],
 * an optional AM/PM, an optional offset (Z, UTC, +HH, +HHMM, +HH:MM). A date
 * alone is midnight.
 */
extern bool recon_parse_timestamp_text(const char *s, size_t len, recon_date_style style, recon_parsed_time *t);

/* Days in a month of the proleptic Gregorian calendar. */
extern int	recon_days_in_month(int year, int month);

#endif
