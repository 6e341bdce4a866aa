/*
 * jaro_winkler.c: Jaro and Jaro-Winkler similarity, the string comparison of
 * probabilistic record linkage (names, streets, cities).
 *
 * It compares characters, not bytes: "Müller" and "Muller" differ in one
 * character, not in two bytes. The matching window is
 * max(floor(max(|a|, |b|) / 2) - 1, 0); transpositions are half the matched
 * characters that are out of order (integer division), as in Winkler's
 * reference code.
 */
#include "linkage/jaro_winkler.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* Decode UTF-8 into code points; invalid bytes count as one character each. */
size_t
recon_jaro_decode(const char *s, size_t len, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0,
				n = 0;

	while (i < len)
	{
		uint32_t	cp;
		int			step = p[i] < 0x80 ? (cp = p[i], 1) : recon_utf8_decode(p + i, len - i, &cp);

		if (step == 0)
		{
			cp = 0xDC00 + p[i];	/* a lone byte, kept distinct from every real character */
			step = 1;
		}
		out[n++] = cp;
		i += step;
	}
	return n;
}

/* Jaro similarity of two code point arrays, in [0, 1]. */
double
recon_jaro_cp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	unsigned char small[2 * 64];
	unsigned char *a_matched,
			   *b_matched;
	size_t		window,
				matches = 0,
				half_transpositions = 0;
	double		jaro;

	if (alen == 0 && blen == 0)
		return 1.0;
	if (alen == 0 || blen == 0)
		return 0.0;

	window = (alen > blen ? alen : blen) / 2;
	window = window > 0 ? window - 1 : 0;

	if (alen + blen <= sizeof(small))
		a_matched = small;
	else if ((a_matched = malloc(alen + blen)) == NULL)
		return -1.0;
	b_matched = a_matched + alen;
	memset(a_matched, 0, alen + blen);

	/* each character of a matches the first free equal character of b within the window */
	for (size_t i = 0; i < alen; i++)
	{
		size_t		lo = i > window ? i - window : 0;
		size_t		hi = i + window + 1 < blen ? i + window + 1 : blen;

		for (size_t j = lo; j < hi; j++)
		{
			if (!b_matched[j] && a[i] == b[j])
			{
				a_matched[i] = b_matched[j] = 1;
				matches++;
				break;
			}
		}
	}

	if (matches > 0)
	{
		/* matched characters read in order on both sides: count the positions that differ */
		size_t		j = 0;

		for (size_t i = 0; i < alen; i++)
		{
			if (!a_matched[i])
				continue;
			while (!b_matched[j])
				j++;
			if (a[i] != b[j])
				half_transpositions++;
			j++;
		}
	}
	if (a_matched != small)
		free(a_matched);
	if (matches == 0)
		return 0.0;

	jaro = ((double) matches / alen + (double) matches / blen +
			(double) (matches - half_transpositions / 2) / matches) / 3.0;
	return jaro;
}

/* Jaro-Winkler: Jaro plus a bonus for a common prefix of up to four characters when Jaro is above 0.7. */
double
recon_jaro_winkler_cp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen, double prefix_scale)
{
	double		jaro = recon_jaro_cp(a, alen, b, blen);
	size_t		prefix = 0;

	if (jaro <= 0.7)
		return jaro;
	while (prefix < RECON_JARO_WINKLER_MAX_PREFIX && prefix < alen && prefix < blen && a[prefix] == b[prefix])
		prefix++;
	return jaro + prefix * prefix_scale * (1.0 - jaro);
}
