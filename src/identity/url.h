/*
 * url.h: click ids and UTM parameters from landing-page URLs, in pure C (no
 * PostgreSQL headers, no allocation) so the fuzz harness links it outside the
 * server. The caller owns every buffer; results point into them.
 */
#ifndef RECON_IDENTITY_URL_H
#define RECON_IDENTITY_URL_H

#include <stdbool.h>
#include <stddef.h>

/* The parameters recon extracts, in the column order of the SQL type recon_click_ids. */
typedef enum recon_click_field
{
	RECON_CLICK_FBCLID,
	RECON_CLICK_GCLID,
	RECON_CLICK_GBRAID,
	RECON_CLICK_WBRAID,
	RECON_CLICK_MSCLKID,
	RECON_CLICK_TTCLID,
	RECON_CLICK_LI_FAT_ID,
	RECON_CLICK_CTWA_CLID,
	RECON_CLICK_UTM_ID,
	RECON_CLICK_UTM_SOURCE,
	RECON_CLICK_UTM_MEDIUM,
	RECON_CLICK_UTM_CAMPAIGN,
	RECON_CLICK_UTM_TERM,
	RECON_CLICK_UTM_CONTENT,
	RECON_CLICK_UTM_SOURCE_PLATFORM,
	RECON_CLICK_UTM_CREATIVE_FORMAT,
	RECON_CLICK_UTM_MARKETING_TACTIC,
	RECON_CLICK_FIELD_COUNT
} recon_click_field;

/* The first fields are platform click ids (checked for unexpected characters); the rest are UTM values. */
#define RECON_CLICK_ID_FIELDS (RECON_CLICK_CTWA_CLID + 1)

/* Data-quality flags of one parse, as bits; recon_url_flag_names gives their snake_case names. */
typedef enum recon_url_flag
{
	RECON_URL_MISSING = 1 << 0,				/* empty or blank input */
	RECON_URL_MISSING_SCHEME = 1 << 1,		/* no "scheme://" in front */
	RECON_URL_FROM_FRAGMENT = 1 << 2,		/* a field was taken from the #fragment */
	RECON_URL_REPEATED_PARAMETER = 1 << 3,	/* a field's parameter appears more than once */
	RECON_URL_CONFLICTING_VALUES = 1 << 4,	/* ... with different values */
	RECON_URL_INVALID_PERCENT_ENCODING = 1 << 5,	/* '%' not followed by two hex digits */
	RECON_URL_INVALID_UTF8 = 1 << 6,		/* a field's decoded bytes are not UTF-8: dropped */
	RECON_URL_CONTROL_CHARACTER = 1 << 7,	/* a field's decoded value holds a control character: dropped */
	RECON_URL_UNEXPANDED_MACRO = 1 << 8,	/* a literal {{...}} (Meta dynamic parameter) */
	RECON_URL_HTML_ESCAPED_AMPERSAND = 1 << 9,	/* "&amp;" between parameters */
	RECON_URL_UNEXPECTED_CHARACTERS = 1 << 10,	/* a click id outside [A-Za-z0-9._~-] */
	RECON_URL_EMPTY_VALUE = 1 << 11,		/* a field's parameter present but empty */
	RECON_URL_TOO_LONG = 1 << 12			/* over RECON_MAX_URL_BYTES: not read at all */
} recon_url_flag;

#define RECON_URL_FLAG_COUNT 13

extern const char *const recon_url_flag_names[RECON_URL_FLAG_COUNT];
extern const char *const recon_click_field_names[RECON_CLICK_FIELD_COUNT];

/* One extracted value: bytes in the caller's buffer, or data == NULL when absent. */
typedef struct recon_url_value
{
	const char *data;
	size_t		len;
} recon_url_value;

typedef struct recon_click_ids
{
	recon_url_value field[RECON_CLICK_FIELD_COUNT];
	unsigned	flags;				/* recon_url_flag bits */
} recon_click_ids;

/*
 * Parse url[0..len) into out. buf must hold len bytes: decoded values are
 * written there (never longer than their raw form) and out points into it.
 */
void		recon_parse_click_ids(const char *url, size_t len, char *buf, recon_click_ids *out);

/* Index of a field name (exact, lower case), or -1. */
int			recon_click_field_lookup(const char *name, size_t len);

/*
 * Percent-decode in[0..len) into out (room for len bytes); '+' becomes a space
 * when plus_is_space. An invalid escape is copied as is and sets *invalid.
 * Returns the decoded length.
 */
size_t		recon_url_decode(const char *in, size_t len, bool plus_is_space, char *out, bool *invalid);

#endif
