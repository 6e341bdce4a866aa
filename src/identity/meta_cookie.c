/*
 * meta_cookie.c: parse and build Meta's fbc and fbp cookies. Pure C: cookie
 * values are untrusted text and this file is fuzzed outside the server
 * (fuzz/fuzz_meta_cookie.c). Rules are in docs/click-ids.md.
 */
#include "identity/meta_cookie.h"

#include "core/limits.h"
#include "core/text.h"

#include <string.h>

static const char *const status_names[RECON_FB_STATUS_COUNT] = {
	NULL, "missing", "wrong_prefix", "too_few_segments", "too_many_segments",
	"invalid_subdomain_index", "invalid_creation_time", NULL, "invalid_suffix",
	"too_long",
};

const char *const recon_fb_flag_names[RECON_FB_FLAG_COUNT] = {
	"seconds_timestamp", "unusual_subdomain_index", "creation_time_out_of_range",
};

/* base64url, the alphabet of fbclid and of the cookies' random and suffix parts. */
bool
recon_fb_base64url(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Digits only, no leading zero (except "0" itself), at most max_len of them; -1 otherwise. */
static int64_t
parse_decimal(const char *s, size_t len, size_t max_len)
{
	int64_t		v = 0;

	if (len == 0 || len > max_len || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Reason code of a failed parse; NULL for RECON_FB_OK. */
const char *
recon_fb_status_name(recon_fb_status status, recon_fb_kind kind)
{
	if (status == RECON_FB_INVALID_VALUE)
		return kind == RECON_FB_FBC ? "invalid_fbclid" : "invalid_random";
	if ((int) status < 0 || status >= RECON_FB_STATUS_COUNT)
		return NULL;
	return status_names[status];
}

/* See meta_cookie.h. The segments are split on '.', which base64url never contains. */
recon_fb_status
recon_parse_fb_cookie(const char *s, size_t len, recon_fb_cookie *out)
{
	const char *seg[6];
	size_t		seg_len[6];
	int			nseg = 0;
	size_t		a = 0,
				e = len;
	int64_t		index;
	int64_t		time;
	unsigned	flags = 0;

	if (len > RECON_MAX_IDENTIFIER_BYTES)
		return RECON_FB_TOO_LONG;
	while (a < e && RECON_IS_ASCII_SPACE(s[a]))
		a++;
	while (e > a && RECON_IS_ASCII_SPACE(s[e - 1]))
		e--;
	if (a == e)
		return RECON_FB_MISSING;
	if (e - a < 3 || memcmp(s + a, "fb.", 3) != 0)
		return RECON_FB_WRONG_PREFIX;

	while (nseg < 6)
	{
		const char *dot = memchr(s + a, '.', e - a);
		size_t		end = dot ? (size_t) (dot - s) : e;

		seg[nseg] = s + a;
		seg_len[nseg] = end - a;
		nseg++;
		if (!dot)
			break;
		a = end + 1;
	}
	if (nseg > 5)
		return RECON_FB_TOO_MANY_SEGMENTS;
	if (nseg < 4)
		return RECON_FB_TOO_FEW_SEGMENTS;

	index = parse_decimal(seg[1], seg_len[1], 2);
	if (index < 0)
		return RECON_FB_INVALID_SUBDOMAIN_INDEX;
	if (index > 2)
		flags |= RECON_FB_UNUSUAL_SUBDOMAIN_INDEX;

	time = parse_decimal(seg[2], seg_len[2], 13);
	if (time < 0 || (seg_len[2] != 13 && seg_len[2] != 10))
		return RECON_FB_INVALID_CREATION_TIME;
	if (seg_len[2] == 10)
	{
		/* Unix seconds where Meta wants milliseconds: flag it, and read it as what it means */
		flags |= RECON_FB_SECONDS_TIMESTAMP;
		time *= 1000;
	}
	if (time < RECON_FB_PLAUSIBLE_FROM_MS || time >= RECON_FB_PLAUSIBLE_UNTIL_MS)
		flags |= RECON_FB_TIME_OUT_OF_RANGE;

	if (!recon_fb_base64url(seg[3], seg_len[3]))
		return RECON_FB_INVALID_VALUE;
	if (nseg == 5 && !recon_fb_base64url(seg[4], seg_len[4]))
		return RECON_FB_INVALID_SUFFIX;

	out->subdomain_index = (int) index;
	out->creation_ms = time;
	out->value = seg[3];
	out->value_len = seg_len[3];
	out->suffix = nseg == 5 ? seg[4] : NULL;
	out->suffix_len = nseg == 5 ? seg_len[4] : 0;
	out->flags = flags;
	return RECON_FB_OK;
}

/* Decimal digits of a non-negative v into out; returns how many. */
static size_t
write_decimal(int64_t v, char *out)
{
	char		tmp[24];
	size_t		n = 0;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* See meta_cookie.h. */
size_t
recon_build_fb_cookie(int subdomain_index, int64_t creation_ms,
					  const char *value, size_t value_len, char *out)
{
	size_t		o = 0;

	memcpy(out, "fb.", 3);
	o = 3;
	o += write_decimal(subdomain_index, out + o);
	out[o++] = '.';
	o += write_decimal(creation_ms, out + o);
	out[o++] = '.';
	memcpy(out + o, value, value_len);
	return o + value_len;
}
