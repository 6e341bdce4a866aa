/*
 * name.c: first and last names as the platforms want them before hashing.
 *
 * Meta (and Snap, generic): lower case, letters of any script kept (accents,
 * Hangul, decomposed accents composed by NFC), everything else dropped: spaces,
 * apostrophes, hyphens, dots ("O'Brien" -> "obrien", "Jean-Luc" -> "jeanluc").
 * Google documents only "trim and lower-case" plus "no titles or suffixes", so
 * the words stay as written: single spaces between them, ' and - kept, other
 * punctuation dropped, leading titles (first name) or trailing suffixes (last
 * name) removed. Digits make a name unusable everywhere (a phone number or an
 * id in a name column); so do control characters.
 */
#include "identity/name.h"

#include <string.h>

/* Titles Google wants left out of a first name, compared after lower case and punctuation removal. */
static const char *const name_titles[] = {
	"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev", NULL
};

/* Suffixes Google wants left out of a last name. */
static const char *const name_suffixes[] = {
	"jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq", NULL
};

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_first_name_status_reason(ReconFirstNameStatus status)
{
	return recon_field_status_reason(status);
}

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_last_name_status_reason(ReconLastNameStatus status)
{
	return recon_field_status_reason(status);
}

/* True when the n bytes at w are one of the words in list. */
static bool
word_in(const char *w, size_t n, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
	{
		if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0)
			return true;
	}
	return false;
}

/* Drop leading words of list from space-separated s (in place); false when nothing else is left. */
static bool
drop_leading_words(char *s, size_t *len, const char *const *list)
{
	for (;;)
	{
		char	   *space = memchr(s, ' ', *len);

		if (space == NULL)
			return !word_in(s, *len, list);
		if (!word_in(s, (size_t) (space - s), list))
			return true;
		*len -= (size_t) (space - s) + 1;
		memmove(s, space + 1, *len);
	}
}

/* Drop trailing words of list from space-separated s (in place); false when nothing else is left. */
static bool
drop_trailing_words(char *s, size_t *len, const char *const *list)
{
	for (;;)
	{
		size_t		start = *len;

		while (start > 0 && s[start - 1] != ' ')
			start--;
		if (!word_in(s + start, *len - start, list))
			return true;
		if (start == 0)
			return false;
		*len = start - 1;
	}
}

/* Length of the apostrophe or hyphen at s (' - U+2019), 0 when there is none. */
static size_t
joiner_len(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == '\'' || s[0] == '-'))
		return 1;
	if (len >= 3 && memcmp(s, "\xE2\x80\x99", 3) == 0)
		return 3;
	return 0;
}

/*
 * Keep apostrophes and hyphens only inside words ("o'brien", "jean-luc"): strip
 * them from both ends of each space-separated word, drop words left empty;
 * false when no word is left.
 */
static bool
tidy_words(char *s, size_t *len)
{
	size_t		in = 0,
				out = 0;

	while (in < *len)
	{
		char	   *space = memchr(s + in, ' ', *len - in);
		size_t		end = space ? (size_t) (space - s) : *len;
		size_t		n;

		while (in < end && (n = joiner_len(s + in, end - in)) > 0)
			in += n;
		while (end > in && (s[end - 1] == '\'' || s[end - 1] == '-'))
			end--;
		while (end >= in + 3 && memcmp(s + end - 3, "\xE2\x80\x99", 3) == 0)
		{
			end -= 3;
			while (end > in && (s[end - 1] == '\'' || s[end - 1] == '-'))
				end--;
		}
		if (end > in)
		{
			if (out > 0)
				s[out++] = ' ';
			memmove(s + out, s + in, end - in);
			out += end - in;
		}
		in = (space ? (size_t) (space - s) : *len) + 1;
	}
	*len = out;
	return out > 0;
}

/* The shared path of first and last names; titles or suffixes (Google only) name what to drop. */
static ReconFieldStatus
normalize_name(const char *s, size_t len, ReconPlatform platform, bool first,
			   char *work, char **out, size_t *out_len)
{
	bool		google = (platform == RECON_PLATFORM_GOOGLE);
	ReconFieldStatus status;
	char	   *result;
	size_t		result_len;

	status = recon_field_fold_filter(s, len, RECON_NAME_MAX_INPUT_BYTES,
									 google ? RECON_FILTER_NAME_WORDS : RECON_FILTER_LETTERS,
									 work, &result, &result_len);
	if (status != RECON_FIELD_OK)
		return status;
	if (google && !tidy_words(result, &result_len))
		status = RECON_FIELD_NO_LETTERS;
	else if (google && !(first ? drop_leading_words(result, &result_len, name_titles)
					: drop_trailing_words(result, &result_len, name_suffixes)))
		status = RECON_FIELD_ONLY_TITLE_OR_SUFFIX;
	else if (result_len > RECON_NAME_MAX_BYTES)
		status = RECON_FIELD_TOO_LONG;
	if (status != RECON_FIELD_OK)
	{
		recon_field_release(result, work);
		return status;
	}
	*out = result;
	*out_len = result_len;
	return RECON_FIELD_OK;
}

/* Normalize a first name for platform (see name.h). */
ReconFirstNameStatus
recon_first_name_normalize(const char *s, size_t len, ReconPlatform platform,
						   char *work, char **out, size_t *out_len)
{
	return normalize_name(s, len, platform, true, work, out, out_len);
}

/* Normalize a last name for platform (see name.h). */
ReconLastNameStatus
recon_last_name_normalize(const char *s, size_t len, ReconPlatform platform,
						  char *work, char **out, size_t *out_len)
{
	return normalize_name(s, len, platform, false, work, out, out_len);
}
