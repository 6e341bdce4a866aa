/*
 * fixed_decimal.h: exact money sums without numeric's per-row allocations.
 * A value is an int128 count of 1e-8 units (room for +-1.7e30): every amount a
 * ledger holds (currency minor units, FX products of a 2-place amount and a
 * 6-place rate) fits exactly; anything finer is refused, never rounded.
 */
#ifndef RECON_FIXED_DECIMAL_H
#define RECON_FIXED_DECIMAL_H

#include "postgres.h"

#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "recon needs a compiler with a 128-bit integer type"
#endif

#define FIXED_SCALE 8			/* decimal places held exactly */

typedef int128 FixedDecimal;

/* Outcome of reading a numeric into a FixedDecimal. */
typedef enum FixedReadStatus
{
	FIXED_OK,
	FIXED_NOT_FINITE,			/* NaN or +-Infinity */
	FIXED_TOO_PRECISE,			/* a non-zero digit beyond FIXED_SCALE places */
	FIXED_TOO_LARGE				/* 1e28 or more in magnitude */
} FixedReadStatus;

extern FixedReadStatus fixed_from_numeric_datum(Datum numeric, FixedDecimal *value, int *dscale);
extern bool fixed_add(FixedDecimal *sum, FixedDecimal addend);
extern char *fixed_to_cstring(FixedDecimal value, int dscale);
extern Numeric fixed_to_numeric(FixedDecimal value, int dscale);
extern bool fixed_from_cstring(const char *text, const char **end, FixedDecimal *value, int *dscale);
extern void fixed_report_read_error(FixedReadStatus status, Datum numeric, const char *what);

#endif
