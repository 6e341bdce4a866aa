/*
 * email.c: email normalization as each platform documents it.
 *
 * Everywhere: surrounding white space trimmed, Unicode NFC, lower case.
 * Google removes all white space and, only for gmail.com and googlemail.com,
 * the dots and the +tag of the local part (Google's sample code does this for
 * every domain; its documentation does not, and the documentation is the
 * contract). Elsewhere white space inside the address makes it unusable, as
 * do control characters, a missing or repeated '@', an empty local part or
 * domain, and more than 254 bytes.
 */
#include "identity/email.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static const char *const email_reasons[] = {
	[RECON_EMAIL_OK] = NULL,
	[RECON_EMAIL_MISSING] = "missing",
	[RECON_EMAIL_INVALID_UTF8] = "invalid_utf8",
	[RECON_EMAIL_CONTROL_CHARACTER] = "control_character",
	[RECON_EMAIL_INTERNAL_WHITESPACE] = "internal_whitespace",
	[RECON_EMAIL_MISSING_AT] = "missing_at",
	[RECON_EMAIL_MULTIPLE_AT] = "multiple_at",
	[RECON_EMAIL_EMPTY_LOCAL_PART] = "empty_local_part",
	[RECON_EMAIL_EMPTY_DOMAIN] = "empty_domain",
	[RECON_EMAIL_TOO_LONG] = "too_long",
	[RECON_EMAIL_OUT_OF_MEMORY] = "out_of_memory",
};

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_email_status_reason(ReconEmailStatus status)
{
	return email_reasons[status];
}

/*
 * Drop white space (when remove_space) or refuse it, refuse control
 * characters, in place; returns the new length through *len.
 */
static ReconEmailStatus
squeeze_space(char *s, size_t *len, int remove_space)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		in = 0,
				out = 0;

	while (in < *len)
	{
		uint32_t	cp;
		int			n = recon_utf8_decode(p + in, *len - in, &cp);

		if (n == 0)
			return RECON_EMAIL_INVALID_UTF8;
		if (recon_cp_is_space(cp))
		{
			if (!remove_space)
				return RECON_EMAIL_INTERNAL_WHITESPACE;
		}
		else if (recon_cp_is_control(cp))
			return RECON_EMAIL_CONTROL_CHARACTER;
		else
		{
			memmove(s + out, s + in, n);
			out += n;
		}
		in += n;
	}
	*len = out;
	return RECON_EMAIL_OK;
}

/* True when the (lower-case) domain is one Google applies its Gmail rule to. */
static int
is_gmail_domain(const char *d, size_t len)
{
	return (len == 9 && memcmp(d, "gmail.com", 9) == 0) ||
		(len == 14 && memcmp(d, "googlemail.com", 14) == 0);
}

/* Check the '@' structure of s and apply Google's Gmail rule in place; *len shrinks with it. */
static ReconEmailStatus
check_parts(char *s, size_t *len, ReconPlatform platform)
{
	char	   *at = memchr(s, '@', *len);
	size_t		local_len,
				domain_len;

	if (at == NULL)
		return RECON_EMAIL_MISSING_AT;
	if (memchr(at + 1, '@', *len - (size_t) (at - s) - 1) != NULL)
		return RECON_EMAIL_MULTIPLE_AT;
	local_len = (size_t) (at - s);
	domain_len = *len - local_len - 1;
	if (local_len == 0)
		return RECON_EMAIL_EMPTY_LOCAL_PART;
	if (domain_len == 0)
		return RECON_EMAIL_EMPTY_DOMAIN;

	if (platform == RECON_PLATFORM_GOOGLE && is_gmail_domain(at + 1, domain_len))
	{
		size_t		out = 0;

		for (size_t i = 0; i < local_len && s[i] != '+'; i++)
		{
			if (s[i] != '.')
				s[out++] = s[i];
		}
		if (out == 0)
			return RECON_EMAIL_EMPTY_LOCAL_PART;
		memmove(s + out, at, domain_len + 1);
		*len = out + 1 + domain_len;
	}
	return RECON_EMAIL_OK;
}

/*
 * Fold again after characters were removed: a combining mark that followed a
 * removed space or dot now follows a new base letter and NFC composes them
 * ("e\u0301" -> "\u00e9"), so without this the result would not be NFC and
 * would hash differently from the same address typed without the space.
 */
static ReconEmailStatus
refold(char **s, size_t *len, char *work)
{
	char	   *again;
	size_t		again_len;

	/* the ASCII path of recon_text_fold is not taken here, so work is not written */
	if (!recon_text_fold(*s, *len, work, &again, &again_len))
		return RECON_EMAIL_OUT_OF_MEMORY;
	if (*s != work)
		free(*s);
	*s = again;
	*len = again_len;
	return RECON_EMAIL_OK;
}

/* Set only by the fuzz harness, to compare the ASCII fast path with the general one. */
bool		recon_email_force_general_path = false;

/*
 * The whole rule in one pass for ASCII input, the common case: no Unicode
 * folding is needed, so trimming, lower-casing and the white space and control
 * character checks happen while copying into work. Same results and reason
 * codes as the general path.
 */
static ReconEmailStatus
normalize_ascii(const char *s, size_t len, ReconPlatform platform, char *work, size_t *out_len)
{
	size_t		n = 0;
	int			remove_space = platform == RECON_PLATFORM_GOOGLE;

	while (len > 0 && RECON_IS_ASCII_SPACE(*s))
		s++, len--;
	while (len > 0 && RECON_IS_ASCII_SPACE(s[len - 1]))
		len--;
	if (len == 0)
		return RECON_EMAIL_MISSING;
	if (len > 4 * RECON_EMAIL_MAX_BYTES)
		return RECON_EMAIL_TOO_LONG;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'A' && c <= 'Z')
			work[n++] = (char) (c | 0x20);
		else if (c > ' ' && c != 0x7f)
			work[n++] = (char) c;
		else if (RECON_IS_ASCII_SPACE(c))
		{
			if (!remove_space)
				return RECON_EMAIL_INTERNAL_WHITESPACE;
		}
		else
			return RECON_EMAIL_CONTROL_CHARACTER;
	}
	*out_len = n;
	return RECON_EMAIL_OK;
}

/* Normalize len bytes of s for platform (see email.h for the buffers). */
ReconEmailStatus
recon_email_normalize(const char *s, size_t len, ReconPlatform platform,
					  char *work, char **out, size_t *out_len)
{
	char	   *folded;
	size_t		folded_len;
	size_t		folded_before;
	ReconEmailStatus status;

	if (recon_text_is_ascii(s, len) && !recon_email_force_general_path)
	{
		status = normalize_ascii(s, len, platform, work, &folded_len);
		if (status == RECON_EMAIL_OK)
			status = check_parts(work, &folded_len, platform);
		if (status == RECON_EMAIL_OK && folded_len > RECON_EMAIL_MAX_BYTES)
			status = RECON_EMAIL_TOO_LONG;
		*out = work;
		*out_len = folded_len;
		return status;
	}
	if (!recon_utf8_is_valid(s, len))
		return RECON_EMAIL_INVALID_UTF8;
	recon_text_trim(&s, &len);
	if (len == 0)
		return RECON_EMAIL_MISSING;
	/* NFC shrinks text at most threefold (Hangul jamo), so this bounds the work on huge values */
	if (len > 4 * RECON_EMAIL_MAX_BYTES)
		return RECON_EMAIL_TOO_LONG;
	/* the trimmed value starts inside s, so work (len bytes) still holds it */
	if (!recon_text_fold(s, len, work, &folded, &folded_len))
		return RECON_EMAIL_OUT_OF_MEMORY;

	folded_before = folded_len;
	status = squeeze_space(folded, &folded_len, platform == RECON_PLATFORM_GOOGLE);
	if (status == RECON_EMAIL_OK)
		status = check_parts(folded, &folded_len, platform);
	if (status == RECON_EMAIL_OK && folded_len != folded_before && !recon_text_is_ascii(folded, folded_len))
		status = refold(&folded, &folded_len, work);
	if (status == RECON_EMAIL_OK && folded_len > RECON_EMAIL_MAX_BYTES)
		status = RECON_EMAIL_TOO_LONG;
	if (status != RECON_EMAIL_OK)
	{
		if (folded != work)
			free(folded);
		return status;
	}
	*out = folded;
	*out_len = folded_len;
	return RECON_EMAIL_OK;
}
