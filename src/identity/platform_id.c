/*
 * platform_id.c: recognize numeric platform ids, and the ones a spreadsheet
 * (15 significant digits, then zeros or E+ notation) or a double (exact only to
 * 2^53) has mangled. Ids stay text; a mangled id is flagged, never "fixed".
 * Pure C, fuzzed outside the server. Rules and measured error rates: docs/click-ids.md.
 */
#include "identity/platform_id.h"

#include "core/limits.h"
#include "core/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

const char *const recon_pid_status_names[RECON_PID_STATUS_COUNT] = {
	"ok", "possible_float_rounding", "possible_precision_lost", "precision_lost", "scientific_notation", "invalid", "missing",
	"too_long",
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 10^n for n <= 19. */
static uint64_t
pow10_u64(size_t n)
{
	uint64_t	p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* Distance between two integers. */
static uint64_t
distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/*
 * Does v look like what printing a double gives? Either the double's exact value
 * (C's %.0f, Python's int(), a bigint cast) or its shortest round-trip digits
 * padded with zeros (JavaScript, JSON parsers, float8 to text). Only meaningful
 * above 2^53.
 */
static bool
looks_float_printed(uint64_t v)
{
	double		d = (double) v;
	uint64_t	bits;
	uint64_t	exact;
	uint64_t	half_spacing;
	uint64_t	step;
	uint64_t	lo;
	uint64_t	hi;
	size_t		n = 0;
	size_t		k;

	if (v <= (UINT64_C(1) << 53) || d >= 18446744073709551616.0)
		return false;
	exact = (uint64_t) d;
	if (exact == v)
		return true;

	/* shortest form: v is k significant digits, then zeros */
	for (uint64_t t = v; t > 0; t /= 10)
		n++;
	k = n;
	while (k > 1 && v % pow10_u64(n - k + 1) == 0)
		k--;
	if (k > 17 || k == n)
		return false;
	step = pow10_u64(n - k);
	/* v must be the nearest k-digit number to the double ... */
	if (distance(exact, v) * 2 > step)
		return false;

	/*
	 * ... and no shorter number may read back as the same double. A shorter
	 * number exactly halfway between two doubles does not count: printers
	 * disagree on those (JavaScript takes it, PostgreSQL's float8out does not).
	 */
	memcpy(&bits, &d, sizeof(bits));
	half_spacing = UINT64_C(1) << (((bits >> 52) & 0x7FF) - 1075 - 1);
	lo = v - v % (step * 10);
	hi = lo + step * 10;
	if (distance(lo, exact) < half_spacing || (hi > lo && distance(hi, exact) < half_spacing))
		return false;
	return true;
}

/* Classify the plain digits in out->digits. */
static recon_pid_status
classify_digits(recon_platform_id *out)
{
	size_t		n = out->ndigits;
	bool		zero_filled = n > 15;
	uint64_t	v = 0;

	for (size_t i = 15; i < n && zero_filled; i++)
		zero_filled = out->digits[i] == '0';
	/*
	 * One zero after 15 digits is what one genuine 16-digit id in ten looks
	 * like: too common to drop the id; two or more zeros (1% of genuine ids or
	 * fewer) count as lost.
	 */
	if (zero_filled)
		return n >= 17 ? RECON_PID_PRECISION_LOST : RECON_PID_POSSIBLE_PRECISION_LOST;
	/* above 2^53 and within uint64: where a double cannot hold every integer */
	if (n > 15 && (n < 20 || strncmp(out->digits, "18446744073709551615", 20) <= 0))
	{
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (uint64_t) (out->digits[i] - '0');
		if (looks_float_printed(v))
			return RECON_PID_POSSIBLE_FLOAT_ROUNDING;
	}
	return RECON_PID_OK;
}

/* "1.20208123456789E+17", "1,2E17", "5e+18": mantissa digits and exponent; false when it is not that shape or not an integer. */
static bool
parse_scientific(const char *s, size_t len, recon_platform_id *out)
{
	size_t		i = 0;
	size_t		m = 0;
	size_t		int_digits;
	int			exponent = 0;
	size_t		exp_digits = 0;

	if (len == 0 || !is_digit(s[0]) || s[0] == '0')
		return false;
	out->digits[m++] = s[i++];
	int_digits = 1;
	while (i < len && is_digit(s[i]))
	{
		if (m >= RECON_PID_MAX_DIGITS)
			return false;
		out->digits[m++] = s[i++];
		int_digits++;
	}
	if (i < len && (s[i] == '.' || s[i] == ','))
	{
		i++;
		if (i >= len || !is_digit(s[i]))
			return false;
		while (i < len && is_digit(s[i]))
		{
			if (m >= RECON_PID_MAX_DIGITS)
				return false;
			out->digits[m++] = s[i++];
		}
	}
	if (i >= len || (s[i] != 'e' && s[i] != 'E'))
		return false;
	i++;
	if (i < len && s[i] == '+')
		i++;
	while (i < len && is_digit(s[i]))
	{
		exponent = exponent * 10 + (s[i++] - '0');
		if (++exp_digits > 2)
			return false;
	}
	if (i != len || exp_digits == 0)
		return false;
	/* trailing zeros of the mantissa say nothing: drop them */
	while (m > 1 && out->digits[m - 1] == '0')
		m--;
	out->ndigits_written = m;
	out->ndigits = int_digits + (size_t) exponent;
	out->digits[m] = '\0';
	/* an integer, within the length ids have */
	return out->ndigits >= m && out->ndigits <= RECON_PID_MAX_DIGITS;
}

/* Plain digits, optionally grouped by commas in threes, optionally ".0"; false when not that shape. */
static bool
parse_plain(const char *s, size_t len, recon_platform_id *out)
{
	size_t		i = 0;
	size_t		m = 0;
	size_t		group = 0;
	bool		grouped = false;

	if (len == 0 || s[0] == '0')	/* no platform issues ids with a leading zero, or 0 */
		return false;
	while (i < len && (is_digit(s[i]) || s[i] == ','))
	{
		if (s[i] == ',')
		{
			if ((grouped ? group != 3 : group == 0 || group > 3) || i + 1 >= len)
				return false;
			grouped = true;
			group = 0;
			i++;
			continue;
		}
		if (m >= RECON_PID_MAX_DIGITS)
			return false;
		out->digits[m++] = s[i++];
		group++;
	}
	if (grouped && group != 3)
		return false;
	if (i < len && s[i] == '.')
	{
		/* "123.0": a number formatted as a float; only zeros may follow */
		i++;
		if (i >= len)
			return false;
		while (i < len && s[i] == '0')
			i++;
	}
	if (i != len || m == 0)
		return false;
	out->digits[m] = '\0';
	out->ndigits_written = m;
	out->ndigits = m;
	return true;
}

/* See platform_id.h. */
recon_pid_status
recon_parse_platform_id(const char *s, size_t len, recon_platform_id *out)
{
	size_t		a = 0,
				e = len;

	memset(out, 0, sizeof(*out));
	if (len > RECON_MAX_IDENTIFIER_BYTES)
		return out->status = RECON_PID_TOO_LONG;
	while (a < e && RECON_IS_ASCII_SPACE(s[a]))
		a++;
	while (e > a && RECON_IS_ASCII_SPACE(s[e - 1]))
		e--;
	if (e - a >= 2 && s[a] == '"' && s[e - 1] == '"')
	{
		/* a CSV field whose quotes survived the import */
		a++, e--;
	}
	if (e > a && s[a] == '\'')
		a++;					/* the apostrophe a spreadsheet uses to keep a cell as text */
	while (a < e && RECON_IS_ASCII_SPACE(s[a]))
		a++;
	while (e > a && RECON_IS_ASCII_SPACE(s[e - 1]))
		e--;
	if (a == e)
		out->status = RECON_PID_MISSING;
	else if (parse_plain(s + a, e - a, out))
		out->status = classify_digits(out);
	else
	{
		memset(out, 0, sizeof(*out));
		out->status = parse_scientific(s + a, e - a, out) ? RECON_PID_SCIENTIFIC_NOTATION : RECON_PID_INVALID;
	}
	return out->status;
}

/* See platform_id.h. */
size_t
recon_platform_id_match_key(const recon_platform_id *id, int significant, char *out)
{
	char		m[RECON_PID_MAX_DIGITS + 2];
	size_t		n = id->ndigits_written;
	size_t		exponent = id->ndigits - 1;
	size_t		o = 0;
	char		e[4];
	size_t		ne = 0;

	memcpy(m, id->digits, n);
	if ((size_t) significant < n)
	{
		bool		round_up = m[significant] >= '5';

		n = (size_t) significant;
		for (size_t i = n; round_up && i-- > 0;)
		{
			if (m[i] == '9')
				m[i] = '0';
			else
			{
				m[i]++;
				round_up = false;
			}
		}
		if (round_up)
		{
			/* 999... rounded up to 1000...: one more digit in the integer */
			memmove(m + 1, m, n);
			m[0] = '1';
			exponent++;
		}
	}
	while (n > 1 && m[n - 1] == '0')
		n--;
	out[o++] = m[0];
	if (n > 1)
	{
		out[o++] = '.';
		memcpy(out + o, m + 1, n - 1);
		o += n - 1;
	}
	out[o++] = 'E';
	out[o++] = '+';
	do
	{
		e[ne++] = (char) ('0' + exponent % 10);
		exponent /= 10;
	} while (exponent > 0);
	while (ne > 0)
		out[o++] = e[--ne];
	return o;
}
