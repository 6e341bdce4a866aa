/*
 * url.c: the query and fragment parameters of a landing-page URL, decoded, for
 * the click ids and UTM values recon keeps. Pure C: it reads untrusted text and
 * is fuzzed outside the server (fuzz/fuzz_url.c). Rules are in docs/click-ids.md.
 */
#include "identity/url.h"

#include <string.h>

#include "core/limits.h"
#include "core/text.h"

const char *const recon_click_field_names[RECON_CLICK_FIELD_COUNT] = {
	"fbclid", "gclid", "gbraid", "wbraid", "msclkid", "ttclid", "li_fat_id", "ctwa_clid",
	"utm_id", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"utm_source_platform", "utm_creative_format", "utm_marketing_tactic",
};

const char *const recon_url_flag_names[RECON_URL_FLAG_COUNT] = {
	"missing", "missing_scheme", "from_fragment", "repeated_parameter", "conflicting_values",
	"invalid_percent_encoding", "invalid_utf8", "control_character", "unexpanded_macro",
	"html_escaped_ampersand", "unexpected_characters", "empty_value", "too_long",
};

/* Longest known parameter name; longer keys are skipped without decoding. */
#define MAX_KEY_LEN 20

/* Value of a hex digit, or -1. */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX escapes (and '+' when asked); an invalid escape stays literal so no byte is lost. */
size_t
recon_url_decode(const char *in, size_t len, bool plus_is_space, char *out, bool *invalid)
{
	size_t		o = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) in[i];

		if (c == '%')
		{
			if (i + 2 < len)
			{
				int			hi = hex_value((unsigned char) in[i + 1]);
				int			lo = hex_value((unsigned char) in[i + 2]);

				if (hi >= 0 && lo >= 0)
				{
					out[o++] = (char) (hi * 16 + lo);
					i += 2;
					continue;
				}
			}
			*invalid = true;
			out[o++] = '%';
		}
		else if (c == '+' && plus_is_space)
			out[o++] = ' ';
		else
			out[o++] = (char) c;
	}
	return o;
}

/* Lengths of recon_click_field_names, so most keys are rejected without a memcmp. */
static const unsigned char field_name_lengths[RECON_CLICK_FIELD_COUNT] = {
	6, 5, 6, 6, 7, 6, 9, 9, 6, 10, 10, 12, 8, 11, 19, 19, 20,
};

/* Index of a field name (exact, lower case), or -1. */
int
recon_click_field_lookup(const char *name, size_t len)
{
	for (int f = 0; f < RECON_CLICK_FIELD_COUNT; f++)
		if (field_name_lengths[f] == len && memcmp(recon_click_field_names[f], name, len) == 0)
			return f;
	return -1;
}

/* Field of a raw parameter name: percent-decoded, ASCII case ignored; -1 when not one of ours. */
static int
key_field(const char *key, size_t len)
{
	char		decoded[3 * MAX_KEY_LEN];
	bool		invalid = false;
	size_t		n;

	if (len == 0 || len > sizeof(decoded))
		return -1;
	n = recon_url_decode(key, len, true, decoded, &invalid);
	if (n > MAX_KEY_LEN)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (decoded[i] >= 'A' && decoded[i] <= 'Z')
			decoded[i] += 'a' - 'A';
	return recon_click_field_lookup(decoded, n);
}

/* True for the characters platform click ids are made of (base64url, plus '.' and '~'). */
static bool
click_id_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_' || c == '.' || c == '~';
}

/* A literal "{{...}}" anywhere, with %7B/%7D escapes decoded on the fly (a Meta macro nobody expanded). */
static bool
has_unexpanded_macro(const char *p, size_t n)
{
	int			prev = -1;
	bool		open = false;

	if (memchr(p, '{', n) == NULL && memchr(p, '%', n) == NULL)
		return false;
	for (size_t i = 0; i < n;)
	{
		int			c = (unsigned char) p[i];

		if (c == '%' && i + 2 < n && hex_value((unsigned char) p[i + 1]) >= 0 &&
			hex_value((unsigned char) p[i + 2]) >= 0)
		{
			c = hex_value((unsigned char) p[i + 1]) * 16 + hex_value((unsigned char) p[i + 2]);
			i += 3;
		}
		else
			i++;
		if (!open && c == '{' && prev == '{')
		{
			open = true;
			c = -1;				/* "{{{" must not close on its own third brace */
		}
		else if (open && c == '}' && prev == '}')
			return true;
		prev = c;
	}
	return false;
}

/* State of one parse: the output, where each field was seen, and the decode buffer. */
typedef struct parse_state
{
	const char *url;
	char	   *buf;
	recon_click_ids *out;
	unsigned	seen[RECON_CLICK_FIELD_COUNT];
} parse_state;

/* One "key=value" segment at url[a..b): decode a known key's value into buf at the same offset. */
static void
take_parameter(parse_state *st, size_t a, size_t b, bool in_fragment)
{
	const char *seg = st->url + a;
	size_t		n = b - a;
	const char *eq = memchr(seg, '=', n);
	size_t		key_len = eq ? (size_t) (eq - seg) : n;
	size_t		value_at = eq ? a + key_len + 1 : b;
	int			f;
	char	   *value;
	size_t		value_len;
	bool		invalid = false;
	recon_click_ids *out = st->out;

	if (key_len >= 4 && memcmp(seg, "amp;", 4) == 0)
	{
		out->flags |= RECON_URL_HTML_ESCAPED_AMPERSAND;
		seg += 4;
		key_len -= 4;
	}
	f = key_field(seg, key_len);
	if (f < 0)
		return;
	st->seen[f]++;
	if (st->seen[f] > 1)
		out->flags |= RECON_URL_REPEATED_PARAMETER;

	value = st->buf + value_at;
	value_len = recon_url_decode(st->url + value_at, b - value_at, true, value, &invalid);
	if (invalid)
		out->flags |= RECON_URL_INVALID_PERCENT_ENCODING;
	if (value_len == 0)
	{
		out->flags |= RECON_URL_EMPTY_VALUE;
		return;
	}
	for (size_t i = 0; i < value_len; i++)
	{
		unsigned char c = (unsigned char) value[i];

		if (c < 0x20 || c == 0x7F)
		{
			out->flags |= RECON_URL_CONTROL_CHARACTER;
			return;
		}
	}
	if (!recon_utf8_is_valid(value, value_len))
	{
		out->flags |= RECON_URL_INVALID_UTF8;
		return;
	}
	if (out->field[f].data != NULL)
	{
		/* first value wins; a different later one is a conflict to flag, never a silent choice */
		if (out->field[f].len != value_len || memcmp(out->field[f].data, value, value_len) != 0)
			out->flags |= RECON_URL_CONFLICTING_VALUES;
		return;
	}
	out->field[f].data = value;
	out->field[f].len = value_len;
	if (in_fragment)
		out->flags |= RECON_URL_FROM_FRAGMENT;
	if (f < RECON_CLICK_ID_FIELDS)
		for (size_t i = 0; i < value_len; i++)
			if (!click_id_char((unsigned char) value[i]))
			{
				out->flags |= RECON_URL_UNEXPECTED_CHARACTERS;
				break;
			}
}

/* Split url[a..b) on '&' and take each parameter. */
static void
scan_parameters(parse_state *st, size_t a, size_t b, bool in_fragment)
{
	while (a < b)
	{
		const char *amp = memchr(st->url + a, '&', b - a);
		size_t		end = amp ? (size_t) (amp - st->url) : b;

		if (end > a)
			take_parameter(st, a, end, in_fragment);
		a = end + 1;
	}
}

/* "scheme://" at the start (RFC 3986 scheme characters). */
static bool
has_scheme(const char *p, size_t n)
{
	size_t		i = 0;

	if (n == 0 || !((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')))
		return false;
	while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
					 (p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' || p[i] == '.'))
		i++;
	return n - i >= 3 && memcmp(p + i, "://", 3) == 0;
}

/* Blanks trimmed around a pasted URL (ASCII whitespace only). */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The whole parse; see url.h. */
void
recon_parse_click_ids(const char *url, size_t len, char *buf, recon_click_ids *out)
{
	parse_state st;
	size_t		s = 0,
				e = len;
	const char *hash;
	size_t		query_end;
	size_t		query_start = 0;
	bool		have_query = false;
	bool		scheme;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.url = url;
	st.buf = buf;
	st.out = out;

	if (len > RECON_MAX_URL_BYTES)
	{
		out->flags = RECON_URL_TOO_LONG;
		return;
	}
	while (s < e && is_blank(url[s]))
		s++;
	while (e > s && is_blank(url[e - 1]))
		e--;
	if (s == e)
	{
		out->flags = RECON_URL_MISSING;
		return;
	}
	scheme = has_scheme(url + s, e - s);
	if (!scheme)
		out->flags |= RECON_URL_MISSING_SCHEME;
	if (has_unexpanded_macro(url + s, e - s))
		out->flags |= RECON_URL_UNEXPANDED_MACRO;

	hash = memchr(url + s, '#', e - s);
	query_end = hash ? (size_t) (hash - url) : e;
	{
		const char *qm = memchr(url + s, '?', query_end - s);

		if (qm)
		{
			query_start = (size_t) (qm - url) + 1;
			have_query = true;
		}
		else if (!scheme)
		{
			/* a bare query string ("gclid=...&utm_source=..."): '=' comes before any '/' */
			size_t		i = s;

			while (i < query_end && url[i] != '/' && url[i] != '=')
				i++;
			if (i < query_end && url[i] == '=')
			{
				query_start = s;
				have_query = true;
			}
		}
	}
	if (have_query)
		scan_parameters(&st, query_start, query_end, false);

	if (hash)
	{
		size_t		f = query_end + 1;
		const char *qm = memchr(url + f, '?', e - f);

		/* "#/route?gclid=..." (hash routing) or "#gclid=..." */
		if (qm)
			scan_parameters(&st, (size_t) (qm - url) + 1, e, true);
		else if (memchr(url + f, '=', e - f))
			scan_parameters(&st, f, e, true);
	}
}
