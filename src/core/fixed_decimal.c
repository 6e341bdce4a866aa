/*
 * fixed_decimal.c: numeric <-> int128 fixed point at 1e-8.
 *
 * Reading a numeric goes straight to its stored digits (base 10000, a weight
 * and a display scale: the on-disk format, which pg_upgrade keeps stable)
 * instead of through numeric_add, which allocates a result per call: an
 * aggregate summing ten lines over 10M rows would otherwise spend its time in
 * palloc. Short (1-byte header) values are read in place, not copied.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/fixed_decimal.h"

/* Bits of the first 16-bit word of a stored numeric (see numeric.c). */
#define NUM_SIGN_MASK			0xC000
#define NUM_NEG					0x4000
#define NUM_SHORT				0x8000
#define NUM_SPECIAL				0xC000
#define NUM_SHORT_SIGN_MASK		0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_WEIGHT_SIGN	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_DSCALE_MASK			0x3FFF
#define NUM_BASE				10000
#define NUM_BASE_DIGITS			4

/* Base-10000 digits below the point that FIXED_SCALE keeps. */
#define FRACTION_BASE_DIGITS	(FIXED_SCALE / NUM_BASE_DIGITS)
/* Largest weight accepted: values below 1e28 (int128 holds 1.7e38 units of 1e-8). */
#define MAX_WEIGHT				6

/* The 16-bit word at p, which may be unaligned inside a packed varlena. */
static inline uint16
read_u16(const char *p)
{
	uint16		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Read a numeric Datum into 1e-8 units; dscale gets its display scale. */
FixedReadStatus
fixed_from_numeric_datum(Datum numeric, FixedDecimal *value, int *dscale)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(numeric);
	const char *p;
	Size		len;
	uint16		header;
	bool		negative;
	int			weight,
				ndigits,
				exponent;
	const char *digits;
	FixedDecimal acc = 0;

	/* in-line values (nearly all) are read where they are; only toasted ones are fetched */
	if (VARATT_IS_EXTENDED(v) && !(VARATT_IS_SHORT(v)))
		v = pg_detoast_datum_packed(v);
	p = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	header = read_u16(p);
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
		return FIXED_NOT_FINITE;
	if (header & NUM_SHORT)
	{
		negative = (header & NUM_SHORT_SIGN_MASK) != 0;
		*dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = (header & NUM_SHORT_WEIGHT_MASK);
		if (header & NUM_SHORT_WEIGHT_SIGN)
			weight |= ~NUM_SHORT_WEIGHT_MASK;
		digits = p + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		negative = (header & NUM_SIGN_MASK) == NUM_NEG;
		*dscale = header & NUM_DSCALE_MASK;
		weight = (int16) read_u16(p + sizeof(uint16));
		digits = p + 2 * sizeof(uint16);
		ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}
	if (ndigits == 0)
	{
		*value = 0;				/* zero is stored without digits */
		return FIXED_OK;
	}
	if (weight > MAX_WEIGHT)
		return FIXED_TOO_LARGE;
	/* the last digit's power of 10000, counted in 1e-8 units */
	exponent = weight - (ndigits - 1) + FRACTION_BASE_DIGITS;
	if (exponent < 0)
		return FIXED_TOO_PRECISE;	/* stored digits never end in zeros */
	for (int i = 0; i < ndigits; i++)
		acc = acc * NUM_BASE + (int16) read_u16(digits + i * sizeof(int16));
	while (exponent-- > 0)
		acc *= NUM_BASE;
	*value = negative ? -acc : acc;
	return FIXED_OK;
}

/* sum += addend; false on overflow (sum unchanged). */
bool
fixed_add(FixedDecimal *sum, FixedDecimal addend)
{
	FixedDecimal result;

	if (__builtin_add_overflow(*sum, addend, &result))
		return false;
	*sum = result;
	return true;
}

/* Decimal text of value with dscale places (zeros added past FIXED_SCALE). */
char *
fixed_to_cstring(FixedDecimal value, int dscale)
{
	char		digits[64];
	char	   *out = palloc(64 + dscale);
	unsigned __int128 magnitude = value < 0 ? -(unsigned __int128) value : (unsigned __int128) value;
	int			n = 0,
				pos = 0,
				keep = Min(dscale, FIXED_SCALE);

	/* digits of magnitude, least significant first, at least FIXED_SCALE + 1 of them */
	do
	{
		digits[n++] = '0' + (int) (magnitude % 10);
		magnitude /= 10;
	} while (magnitude > 0 || n <= FIXED_SCALE);

	if (value < 0)
		out[pos++] = '-';
	for (int i = n - 1; i >= FIXED_SCALE; i--)
		out[pos++] = digits[i];
	if (dscale > 0)
	{
		out[pos++] = '.';
		for (int i = FIXED_SCALE - 1; i >= FIXED_SCALE - keep; i--)
			out[pos++] = digits[i];
		for (int i = keep; i < dscale; i++)
			out[pos++] = '0';
	}
	out[pos] = '\0';
	return out;
}

/* value as a numeric with dscale places. */
Numeric
fixed_to_numeric(FixedDecimal value, int dscale)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(fixed_to_cstring(value, dscale)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* Parse [-]digits[.digits] at text; *end gets the first unread character. */
bool
fixed_from_cstring(const char *text, const char **end, FixedDecimal *value, int *dscale)
{
	const char *s = text;
	bool		negative = false;
	FixedDecimal acc = 0;
	int			places = 0,
				integer_digits = 0;

	if (*s == '-')
	{
		negative = true;
		s++;
	}
	while (*s >= '0' && *s <= '9')
	{
		if (++integer_digits > 28)
			return false;
		acc = acc * 10 + (*s++ - '0');
	}
	if (integer_digits == 0)
		return false;
	if (*s == '.')
	{
		s++;
		while (*s >= '0' && *s <= '9')
		{
			if (places < FIXED_SCALE)
				acc = acc * 10 + (*s - '0');
			else if (*s != '0')
				return false;	/* finer than FIXED_SCALE */
			places++;
			s++;
		}
		if (places == 0)
			return false;
	}
	for (int i = Min(places, FIXED_SCALE); i < FIXED_SCALE; i++)
		acc *= 10;
	*value = negative ? -acc : acc;
	*dscale = places;
	*end = s;
	return true;
}

/* The error for a numeric that fixed_from_numeric_datum refused; what names the argument. */
void
fixed_report_read_error(FixedReadStatus status, Datum numeric, const char *what)
{
	char	   *shown = DatumGetCString(DirectFunctionCall1(numeric_out, numeric));

	switch (status)
	{
		case FIXED_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number, not %s", what, shown)));
			break;
		case FIXED_TOO_PRECISE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %s has more than %d decimal places", what, shown, FIXED_SCALE),
					 errhint("Round money to its currency's minor unit first, for example with recon_money_round(amount, currency).")));
			break;
		case FIXED_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %s is out of range: its magnitude must be below 1e28", what, shown)));
			break;
		case FIXED_OK:
			break;
	}
}
