/*
 * text.c: UTF-8 utilities for the identity normalizers (see text.h).
 *
 * Case mapping and normalization use ICU's root locale rather than the
 * server's collation, so a normalized email or name is the same bytes on every
 * database, which is what makes its hash comparable across systems.
 */
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* Decode one UTF-8 code point at s (len > 0); returns its byte length, 0 when the bytes are not valid UTF-8. */
int
recon_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	c = s[0];
	int			n;
	uint32_t	min;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len < (size_t) n)
		return 0;
	for (int i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF). */
bool
recon_utf8_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		uint32_t	cp;
		int			n;

		if (p[i] < 0x80)
		{
			i++;
			continue;
		}
		n = recon_utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* True when every byte is below 0x80: eight bytes at a time, since most identifiers are ASCII. */
bool
recon_text_is_ascii(const char *s, size_t len)
{
	uint64_t	acc = 0;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < len; i++)
		acc |= (unsigned char) s[i];
	return (acc & UINT64_C(0x8080808080808080)) == 0;
}

/* Unicode White_Space, plus the zero-width space and BOM that spreadsheets and web forms leave behind. */
bool
recon_cp_is_space(uint32_t cp)
{
	if (cp < 0x80)
		return RECON_IS_ASCII_SPACE(cp);
	if (cp == 0x200B || cp == 0xFEFF)
		return true;
	return u_hasBinaryProperty((UChar32) cp, UCHAR_WHITE_SPACE);
}

/* C0 and C1 control characters and DEL (white space ones included). */
bool
recon_cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Letters of any script, and the combining marks that belong to them. */
bool
recon_cp_is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	return u_hasBinaryProperty((UChar32) cp, UCHAR_ALPHABETIC) ||
		(U_GET_GC_MASK((UChar32) cp) & U_GC_M_MASK) != 0;
}

/* Narrow *s and *len to drop leading and trailing white space; input must be valid UTF-8. */
void
recon_text_trim(const char **s, size_t *len)
{
	const unsigned char *p = (const unsigned char *) *s;
	size_t		start = 0;
	size_t		end = *len;

	while (start < end)
	{
		uint32_t	cp;
		int			n = recon_utf8_decode(p + start, end - start, &cp);

		if (n == 0 || !recon_cp_is_space(cp))
			break;
		start += n;
	}
	while (end > start)
	{
		/* step back to the first byte of the last code point */
		size_t		b = end - 1;
		uint32_t	cp;
		int			n;

		while (b > start && (p[b] & 0xC0) == 0x80 && end - b < 4)
			b--;
		n = recon_utf8_decode(p + b, end - b, &cp);
		if (n == 0 || b + n != end || !recon_cp_is_space(cp))
			break;
		end = b;
	}
	*s = (const char *) p + start;
	*len = end - start;
}

/* An ICU transform from src into dst (capacity cap); returns the needed length, sets *status. */
typedef int32_t (*Utf16Transform) (const UChar *src, int32_t src_len, UChar *dst, int32_t cap, UErrorCode *status);

/*
 * Run transform into a malloc'd UTF-16 buffer, growing it once to the size ICU
 * asks for when the first guess is too small; NULL on failure.
 */
static UChar *
transform_utf16(Utf16Transform transform, const UChar *src, int32_t src_len, int32_t *out_len)
{
	int32_t		cap = src_len + 16;

	for (int attempt = 0; attempt < 2; attempt++)
	{
		UErrorCode	status = U_ZERO_ERROR;
		UChar	   *dst = malloc(sizeof(UChar) * cap);

		if (dst == NULL)
			return NULL;
		*out_len = transform(src, src_len, dst, cap, &status);
		if (status == U_BUFFER_OVERFLOW_ERROR)
		{
			free(dst);
			cap = *out_len + 1;
			continue;
		}
		if (U_FAILURE(status))
		{
			free(dst);
			return NULL;
		}
		return dst;
	}
	return NULL;
}

/* NFC, as a Utf16Transform. */
static int32_t
nfc_transform(const UChar *src, int32_t src_len, UChar *dst, int32_t cap, UErrorCode *status)
{
	const UNormalizer2 *nfc = unorm2_getNFCInstance(status);

	if (U_FAILURE(*status))
		return 0;
	return unorm2_normalize(nfc, src, src_len, dst, cap, status);
}

/* Full lower case in the root locale, as a Utf16Transform. */
static int32_t
lower_transform(const UChar *src, int32_t src_len, UChar *dst, int32_t cap, UErrorCode *status)
{
	return u_strToLower(dst, cap, src, src_len, "", status);
}

/* The non-ASCII path of recon_text_fold: UTF-8 -> UTF-16 -> NFC -> lower -> NFC -> UTF-8. */
static bool
fold_unicode(const char *s, size_t len, char **out, size_t *out_len)
{
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *u16 = NULL,
			   *nfc1 = NULL,
			   *low = NULL,
			   *nfc2 = NULL;
	int32_t		n16,
				nnfc1,
				nlow,
				nnfc2,
				nutf8;
	char	   *result = NULL;
	bool		ok = false;

	if (len > INT32_MAX / 4)
		return false;
	/* UTF-8 never needs more UTF-16 units than it has bytes */
	u16 = malloc(sizeof(UChar) * (len + 1));
	if (u16 == NULL)
		return false;
	u_strFromUTF8(u16, (int32_t) len + 1, &n16, s, (int32_t) len, &status);
	if (U_FAILURE(status))
		goto done;
	if ((nfc1 = transform_utf16(nfc_transform, u16, n16, &nnfc1)) == NULL)
		goto done;
	if ((low = transform_utf16(lower_transform, nfc1, nnfc1, &nlow)) == NULL)
		goto done;
	if ((nfc2 = transform_utf16(nfc_transform, low, nlow, &nnfc2)) == NULL)
		goto done;
	/* a UTF-16 unit becomes at most 3 UTF-8 bytes */
	result = malloc((size_t) nnfc2 * 3 + 1);
	if (result == NULL)
		goto done;
	status = U_ZERO_ERROR;
	u_strToUTF8(result, nnfc2 * 3 + 1, &nutf8, nfc2, nnfc2, &status);
	if (U_FAILURE(status))
	{
		free(result);
		goto done;
	}
	*out = result;
	*out_len = (size_t) nutf8;
	ok = true;
done:
	free(u16);
	free(nfc1);
	free(low);
	free(nfc2);
	return ok;
}

/* NFC, full lower case (root locale), NFC; ASCII stays in out_buf, the rest comes back malloc'd. */
bool
recon_text_fold(const char *s, size_t len, char *out_buf, char **out, size_t *out_len)
{
	if (recon_text_is_ascii(s, len))
	{
		for (size_t i = 0; i < len; i++)
		{
			unsigned char c = (unsigned char) s[i];

			out_buf[i] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : (char) c;
		}
		*out = out_buf;
		*out_len = len;
		return true;
	}
	return fold_unicode(s, len, out, out_len);
}
