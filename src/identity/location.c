/*
 * location.c: city, state and postal code as the platforms want them.
 *
 * Meta documents city and state as "lower case, no spaces, no punctuation"
 * (US states as their two-letter code) and zip as "lower case, no spaces or
 * dashes; US: first 5 digits". Google sends city, region and postal code in
 * clear text, so they stay readable: words separated by one space, postal code
 * upper case as written. Meta's Python SDK keeps everything before the first
 * '-' of a zip (no 5-digit cut); the documentation is the contract here.
 */
#include "identity/location.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* US states, DC, territories and military "states" by lookup key (letters only, lower case). */
static const struct
{
	const char *code;
	const char *name;
}			us_states[] = {
	{"al", "alabama"}, {"ak", "alaska"}, {"az", "arizona"}, {"ar", "arkansas"},
	{"ca", "california"}, {"co", "colorado"}, {"ct", "connecticut"}, {"de", "delaware"},
	{"fl", "florida"}, {"ga", "georgia"}, {"hi", "hawaii"}, {"id", "idaho"},
	{"il", "illinois"}, {"in", "indiana"}, {"ia", "iowa"}, {"ks", "kansas"},
	{"ky", "kentucky"}, {"la", "louisiana"}, {"me", "maine"}, {"md", "maryland"},
	{"ma", "massachusetts"}, {"mi", "michigan"}, {"mn", "minnesota"}, {"ms", "mississippi"},
	{"mo", "missouri"}, {"mt", "montana"}, {"ne", "nebraska"}, {"nv", "nevada"},
	{"nh", "newhampshire"}, {"nj", "newjersey"}, {"nm", "newmexico"}, {"ny", "newyork"},
	{"nc", "northcarolina"}, {"nd", "northdakota"}, {"oh", "ohio"}, {"ok", "oklahoma"},
	{"or", "oregon"}, {"pa", "pennsylvania"}, {"ri", "rhodeisland"}, {"sc", "southcarolina"},
	{"sd", "southdakota"}, {"tn", "tennessee"}, {"tx", "texas"}, {"ut", "utah"},
	{"vt", "vermont"}, {"va", "virginia"}, {"wa", "washington"}, {"wv", "westvirginia"},
	{"wi", "wisconsin"}, {"wy", "wyoming"},
	{"dc", "districtofcolumbia"}, {"dc", "washingtondc"},
	{"as", "americansamoa"}, {"gu", "guam"}, {"mp", "northernmarianaislands"},
	{"pr", "puertorico"}, {"vi", "virginislands"}, {"vi", "usvirginislands"},
	{"um", "unitedstatesminoroutlyingislands"},
	{"aa", "armedforcesamericas"}, {"ae", "armedforceseurope"}, {"ap", "armedforcespacific"},
};

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_city_status_reason(ReconCityStatus status)
{
	return recon_field_status_reason(status);
}

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_state_status_reason(ReconStateStatus status)
{
	return recon_field_status_reason(status);
}

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_zip_status_reason(ReconZipStatus status)
{
	return recon_field_status_reason(status);
}

/* Normalize a city for platform (see location.h). */
ReconCityStatus
recon_city_normalize(const char *s, size_t len, ReconPlatform platform,
					 char *work, char **out, size_t *out_len)
{
	return recon_field_fold_filter(s, len, RECON_LOCATION_MAX_INPUT_BYTES,
								   platform == RECON_PLATFORM_GOOGLE ? RECON_FILTER_WORDS : RECON_FILTER_LETTERS_DIGITS,
								   work, out, out_len);
}

/* The two-letter code of a US state key (letters only, lower case), or NULL. */
static const char *
find_us_state(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof(us_states) / sizeof(us_states[0]); i++)
	{
		const char *name = us_states[i].name;

		if (len == 2 && memcmp(us_states[i].code, key, 2) == 0)
			return us_states[i].code;
		if (name[0] == key[0] && strlen(name) == len && memcmp(name, key, len) == 0)
			return us_states[i].code;
	}
	return NULL;
}

/* Normalize a state for platform, given the country's alpha-2 code or NULL (see location.h). */
ReconStateStatus
recon_state_normalize(const char *s, size_t len, const char *country, ReconPlatform platform,
					  char *work, char **out, size_t *out_len)
{
	bool		google = (platform == RECON_PLATFORM_GOOGLE);
	bool		maybe_us = (country == NULL || strcmp(country, "us") == 0);
	char	   *clean;
	size_t		clean_len;
	const char *code = NULL;
	ReconFieldStatus status;

	status = recon_field_fold_filter(s, len, RECON_LOCATION_MAX_INPUT_BYTES,
									 google ? RECON_FILTER_WORDS : RECON_FILTER_LETTERS_DIGITS,
									 work, &clean, &clean_len);
	if (status != RECON_FIELD_OK)
		return status;
	if (maybe_us)
	{
		/* Google's form keeps spaces: look the state up without them */
		char		key[64];
		size_t		key_len = 0;

		for (size_t i = 0; i < clean_len && key_len < sizeof(key); i++)
		{
			if (clean[i] != ' ')
				key[key_len++] = clean[i];
		}
		if (key_len < sizeof(key))
			code = find_us_state(key, key_len);
	}
	if (code == NULL)
	{
		if (country != NULL && strcmp(country, "us") == 0)
		{
			recon_field_release(clean, work);
			return RECON_FIELD_UNKNOWN_US_STATE;
		}
		*out = clean;
		*out_len = clean_len;
		return RECON_FIELD_OK;
	}
	recon_field_release(clean, work);
	/* a state name or code has at least two bytes, so work holds the code */
	work[0] = google ? (char) (code[0] - 'a' + 'A') : code[0];
	work[1] = google ? (char) (code[1] - 'a' + 'A') : code[1];
	*out = work;
	*out_len = 2;
	return RECON_FIELD_OK;
}

/* True when c is an ASCII letter. */
static bool
is_ascii_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* True when the upper-case compact postcode (no spaces) has the shape of a full UK postcode. */
static bool
is_uk_postcode(const char *c, size_t len)
{
	const char *in = c + len - 3;
	size_t		out_len = len - 3;

	if (len < 5 || len > 7)
		return false;
	if (len == 6 && memcmp(c, "GIR0AA", 6) == 0)
		return true;
	/* inward code: sector digit, then the two letters of the unit */
	if (!RECON_IS_ASCII_DIGIT(in[0]) || !is_ascii_letter(in[1]) || !is_ascii_letter(in[2]))
		return false;
	/* outward code: A9, A99, AA9, AA99, A9A, AA9A (area letters, district digits, optional letter) */
	if (!is_ascii_letter(c[0]))
		return false;
	switch (out_len)
	{
		case 2:
			return RECON_IS_ASCII_DIGIT(c[1]);
		case 3:
			return (RECON_IS_ASCII_DIGIT(c[1]) && (RECON_IS_ASCII_DIGIT(c[2]) || is_ascii_letter(c[2]))) ||
				(is_ascii_letter(c[1]) && RECON_IS_ASCII_DIGIT(c[2]));
		case 4:
			return is_ascii_letter(c[1]) && RECON_IS_ASCII_DIGIT(c[2]) &&
				(RECON_IS_ASCII_DIGIT(c[3]) || is_ascii_letter(c[3]));
	}
	return false;
}

/* Copy len bytes to work when they fit, else to malloc'd memory; NULL when out of memory. */
static char *
place_result(const char *r, size_t len, size_t work_len, char *work)
{
	char	   *dst = len <= work_len ? work : malloc(len);

	if (dst != NULL)
		memcpy(dst, r, len);
	return dst;
}

/* Normalize a postal code for platform, given the country's alpha-2 code or NULL (see location.h). */
ReconZipStatus
recon_zip_normalize(const char *s, size_t len, const char *country, ReconPlatform platform,
					char *work, char **out, size_t *out_len)
{
	const unsigned char *p;
	bool		google = (platform == RECON_PLATFORM_GOOGLE);
	size_t		work_len = len;
	/* upper case: letters and digits only, and as written with one space or '-' between parts */
	char		compact[RECON_ZIP_MAX_INPUT_BYTES],
				spaced[RECON_ZIP_MAX_INPUT_BYTES + 1];
	size_t		compact_len = 0,
				spaced_len = 0,
				digits = 0;
	bool		us_shape;
	char		result[RECON_ZIP_MAX_INPUT_BYTES + 1];
	size_t		result_len;
	ReconFieldStatus status = recon_field_begin(&s, &len, RECON_ZIP_MAX_INPUT_BYTES);

	if (status != RECON_FIELD_OK)
		return status;
	p = (const unsigned char *) s;
	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		int			n = recon_utf8_decode(p + i, len - i, &cp);

		i += n;
		if (recon_cp_is_space(cp) || cp == '-')
		{
			char		sep = cp == '-' ? '-' : ' ';

			if (spaced_len > 0 && spaced[spaced_len - 1] != ' ' && spaced[spaced_len - 1] != '-')
				spaced[spaced_len++] = sep;
			else if (spaced_len > 0 && sep == '-')
				spaced[spaced_len - 1] = '-';
			continue;
		}
		if (recon_cp_is_control(cp))
			return RECON_FIELD_CONTROL_CHARACTER;
		if (cp >= 0x80 || !(RECON_IS_ASCII_DIGIT(cp) || is_ascii_letter((char) cp)))
			return RECON_FIELD_INVALID_POSTAL_CODE;
		if (RECON_IS_ASCII_DIGIT(cp))
			digits++;
		cp = (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
		compact[compact_len++] = (char) cp;
		spaced[spaced_len++] = (char) cp;
	}
	if (compact_len == 0)
		return RECON_FIELD_INVALID_POSTAL_CODE;
	/* the separator loop never leaves one at the end: the value was trimmed, and '-' at the end is dropped */
	while (spaced_len > 0 && (spaced[spaced_len - 1] == ' ' || spaced[spaced_len - 1] == '-'))
		spaced_len--;

	/* ddddd-dddd or ddddd dddd is a US ZIP+4 even without a country */
	us_shape = spaced_len == 10 && compact_len == 9 && digits == 9 &&
		(spaced[5] == '-' || spaced[5] == ' ');
	if ((country != NULL && strcmp(country, "us") == 0) || (country == NULL && us_shape))
	{
		if (digits != compact_len || (compact_len != 5 && compact_len != 9))
			return RECON_FIELD_INVALID_US_ZIP;
		memcpy(result, compact, 5);
		result_len = 5;
	}
	else if (country != NULL && strcmp(country, "gb") == 0)
	{
		if (!is_uk_postcode(compact, compact_len))
			return RECON_FIELD_INVALID_UK_POSTCODE;
		memcpy(result, compact, compact_len);
		result_len = compact_len;
		if (google)
		{
			/* outward code, one space, inward code */
			memmove(result + compact_len - 2, result + compact_len - 3, 3);
			result[compact_len - 3] = ' ';
			result_len++;
		}
	}
	else if (google)
	{
		memcpy(result, spaced, spaced_len);
		result_len = spaced_len;
	}
	else
	{
		memcpy(result, compact, compact_len);
		result_len = compact_len;
	}
	if (!google)
	{
		for (size_t i = 0; i < result_len; i++)
			result[i] = (result[i] >= 'A' && result[i] <= 'Z') ? (char) (result[i] + 32) : result[i];
	}
	if ((*out = place_result(result, result_len, work_len, work)) == NULL)
		return RECON_FIELD_OUT_OF_MEMORY;
	*out_len = result_len;
	return RECON_FIELD_OK;
}
