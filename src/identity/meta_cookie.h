/*
 * meta_cookie.h: Meta's first-party cookies, fbc (click) and fbp (browser):
 * "fb.<subdomainIndex>.<creationTimeMs>.<fbclid or random>[.<suffix>]".
 * Pure C, no allocation: results point into the input.
 */
#ifndef RECON_IDENTITY_META_COOKIE_H
#define RECON_IDENTITY_META_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum recon_fb_kind
{
	RECON_FB_FBC,
	RECON_FB_FBP
} recon_fb_kind;

/* Why a cookie does not parse; recon_fb_status_names gives the reason codes. */
typedef enum recon_fb_status
{
	RECON_FB_OK = 0,
	RECON_FB_MISSING,				/* empty or blank */
	RECON_FB_WRONG_PREFIX,			/* not "fb." */
	RECON_FB_TOO_FEW_SEGMENTS,		/* fewer than 4 dot-separated parts */
	RECON_FB_TOO_MANY_SEGMENTS,		/* more than 5 */
	RECON_FB_INVALID_SUBDOMAIN_INDEX,	/* not a small non-negative integer */
	RECON_FB_INVALID_CREATION_TIME, /* not 13 digits (ms) or 10 digits (s) */
	RECON_FB_INVALID_VALUE,			/* fbclid / random part empty or not base64url */
	RECON_FB_INVALID_SUFFIX,		/* 5th part empty or not base64url */
	RECON_FB_TOO_LONG,				/* over RECON_MAX_IDENTIFIER_BYTES: not read */
	RECON_FB_STATUS_COUNT
} recon_fb_status;

/* Flags on a cookie that parses. */
typedef enum recon_fb_flag
{
	RECON_FB_SECONDS_TIMESTAMP = 1 << 0,	/* creation time written in seconds (a known bug) */
	RECON_FB_UNUSUAL_SUBDOMAIN_INDEX = 1 << 1,	/* above 2 */
	RECON_FB_TIME_OUT_OF_RANGE = 1 << 2 /* before 2010 or from 2100 on */
} recon_fb_flag;

#define RECON_FB_FLAG_COUNT 3

/* Millisecond bounds of a plausible creation time: 2010-01-01 and 2100-01-01 UTC. */
#define RECON_FB_PLAUSIBLE_FROM_MS INT64_C(1262304000000)
#define RECON_FB_PLAUSIBLE_UNTIL_MS INT64_C(4102444800000)

typedef struct recon_fb_cookie
{
	int			subdomain_index;
	int64_t		creation_ms;	/* milliseconds since 1970 (a seconds value already times 1000) */
	const char *value;			/* fbclid (fbc) or random part (fbp), into the input */
	size_t		value_len;
	const char *suffix;			/* NULL when there is no 5th part */
	size_t		suffix_len;
	unsigned	flags;			/* recon_fb_flag bits */
} recon_fb_cookie;

extern const char *const recon_fb_flag_names[RECON_FB_FLAG_COUNT];

/* Parse s[0..len) (either cookie: they share one shape); fills out only on RECON_FB_OK. */
recon_fb_status recon_parse_fb_cookie(const char *s, size_t len, recon_fb_cookie *out);

/* Reason code of a failed parse, worded for the cookie: "invalid_fbclid" or "invalid_random". */
const char *recon_fb_status_name(recon_fb_status status, recon_fb_kind kind);

/* True when s[0..len) is non-empty base64url ([A-Za-z0-9_-]), the alphabet of fbclid and the cookie parts. */
bool		recon_fb_base64url(const char *s, size_t len);

/*
 * Write "fb.<index>.<ms>.<value>" into out (room for 40 + value_len bytes, no NUL).
 * The caller checks the value (recon_fb_base64url) and the ranges. Returns the length.
 */
size_t		recon_build_fb_cookie(int subdomain_index, int64_t creation_ms,
								  const char *value, size_t value_len, char *out);

#endif
