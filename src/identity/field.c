/*
 * field.c: the steps the customer-field normalizers share (see field.h).
 */
#include "identity/field.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "core/text.h"

static const char *const field_reasons[RECON_FIELD_STATUS_COUNT] = {
	[RECON_FIELD_OK] = NULL,
	[RECON_FIELD_MISSING] = "missing",
	[RECON_FIELD_INVALID_UTF8] = "invalid_utf8",
	[RECON_FIELD_CONTROL_CHARACTER] = "control_character",
	[RECON_FIELD_TOO_LONG] = "too_long",
	[RECON_FIELD_OUT_OF_MEMORY] = "out_of_memory",
	[RECON_FIELD_NO_LETTERS] = "no_letters",
	[RECON_FIELD_CONTAINS_DIGITS] = "contains_digits",
	[RECON_FIELD_ONLY_TITLE_OR_SUFFIX] = "only_title_or_suffix",
	[RECON_FIELD_UNKNOWN_US_STATE] = "unknown_us_state",
	[RECON_FIELD_INVALID_US_ZIP] = "invalid_us_zip",
	[RECON_FIELD_INVALID_UK_POSTCODE] = "invalid_uk_postcode",
	[RECON_FIELD_INVALID_POSTAL_CODE] = "invalid_postal_code",
	[RECON_FIELD_UNKNOWN_COUNTRY] = "unknown_country",
	[RECON_FIELD_UNRECOGNIZED_DATE_FORMAT] = "unrecognized_date_format",
	[RECON_FIELD_AMBIGUOUS_DATE] = "ambiguous_date",
	[RECON_FIELD_TWO_DIGIT_YEAR] = "two_digit_year",
	[RECON_FIELD_INVALID_DATE] = "invalid_date",
	[RECON_FIELD_YEAR_OUT_OF_RANGE] = "year_out_of_range",
	[RECON_FIELD_UNRECOGNIZED_GENDER] = "unrecognized_gender",
};

/* The snake_case reason code of a status; NULL for OK. */
const char *
recon_field_status_reason(ReconFieldStatus status)
{
	if ((unsigned) status >= RECON_FIELD_STATUS_COUNT)
		return "unknown";
	return field_reasons[status];
}

/* Validate UTF-8, trim, refuse blank and oversized values. */
ReconFieldStatus
recon_field_begin(const char **s, size_t *len, size_t max_bytes)
{
	if (!recon_utf8_is_valid(*s, *len))
		return RECON_FIELD_INVALID_UTF8;
	recon_text_trim(s, len);
	if (*len == 0)
		return RECON_FIELD_MISSING;
	if (*len > max_bytes)
		return RECON_FIELD_TOO_LONG;
	return RECON_FIELD_OK;
}

/* Invisible formatting characters (Cf: bidi marks, joiners, soft hyphen) that carry no letter. */
static bool
is_format_char(uint32_t cp)
{
	return cp >= 0x80 && u_charType((UChar32) cp) == U_FORMAT_CHAR;
}

/* Filter folded text in place as mode says (see field.h). */
ReconFieldStatus
recon_field_filter(char *s, size_t *len, ReconFieldFilter mode)
{
	const unsigned char *p = (const unsigned char *) s;
	bool		words = (mode == RECON_FILTER_WORDS || mode == RECON_FILTER_NAME_WORDS);
	bool		digits_refused = (mode == RECON_FILTER_LETTERS || mode == RECON_FILTER_NAME_WORDS);
	bool		pending_space = false;
	size_t		in = 0,
				out = 0;

	while (in < *len)
	{
		uint32_t	cp;
		int			n = recon_utf8_decode(p + in, *len - in, &cp);
		bool		keep = false;
		bool		separates = false;	/* white space or punctuation: a word boundary */

		if (n == 0)
			return RECON_FIELD_INVALID_UTF8;
		if (recon_cp_is_space(cp))
			separates = true;
		else if (recon_cp_is_control(cp))
			return RECON_FIELD_CONTROL_CHARACTER;
		else if (RECON_IS_ASCII_DIGIT(cp))
		{
			if (digits_refused)
				return RECON_FIELD_CONTAINS_DIGITS;
			keep = true;
		}
		else if (recon_cp_is_letter(cp))
			keep = true;
		else if (digits_refused && cp >= 0x80 && u_charType((UChar32) cp) == U_DECIMAL_DIGIT_NUMBER)
			return RECON_FIELD_CONTAINS_DIGITS;	/* other scripts' digits are digits in a name too */
		else if (is_format_char(cp))
			keep = false;		/* invisible: neither kept nor a boundary */
		else if (mode == RECON_FILTER_NAME_WORDS && (cp == '\'' || cp == '-' || cp == 0x2019))
			keep = true;
		else
			separates = true;

		/* one space for a run of boundaries; none at the start, and one pending at the end is dropped */
		if (separates && words && out > 0)
			pending_space = true;
		if (keep)
		{
			if (pending_space)
				s[out++] = ' ';
			pending_space = false;
			memmove(s + out, s + in, n);
			out += n;
		}
		in += n;
	}
	*len = out;
	return out == 0 ? RECON_FIELD_NO_LETTERS : RECON_FIELD_OK;
}

/* Trim, validate, fold and filter (see field.h). */
ReconFieldStatus
recon_field_fold_filter(const char *s, size_t len, size_t max_bytes, ReconFieldFilter mode,
						char *work, char **out, size_t *out_len)
{
	ReconFieldStatus status = recon_field_begin(&s, &len, max_bytes);
	char	   *folded;
	size_t		folded_len,
				unfiltered_len;

	if (status != RECON_FIELD_OK)
		return status;
	/* the trimmed value lies inside the original, so work (len bytes) still holds it */
	if (!recon_text_fold(s, len, work, &folded, &folded_len))
		return RECON_FIELD_OUT_OF_MEMORY;
	unfiltered_len = folded_len;
	status = recon_field_filter(folded, &folded_len, mode);
	if (status == RECON_FIELD_OK && folded_len != unfiltered_len && folded != work)
	{
		/*
		 * Dropping a character can leave a combining mark next to a letter
		 * it composes with (y, a dropped backslash, U+0300): compose again,
		 * or the result would not be NFC and would not normalize to itself.
		 */
		char	   *composed;
		size_t		composed_len;

		if (!recon_text_fold(folded, folded_len, folded, &composed, &composed_len))
			status = RECON_FIELD_OUT_OF_MEMORY;
		else if (composed != folded)
		{
			free(folded);
			folded = composed;
			folded_len = composed_len;
		}
	}
	if (status != RECON_FIELD_OK)
	{
		recon_field_release(folded, work);
		return status;
	}
	*out = folded;
	*out_len = folded_len;
	return RECON_FIELD_OK;
}

/* Free a result that lives outside work. */
void
recon_field_release(char *out, char *work)
{
	if (out != NULL && out != work)
		free(out);
}
