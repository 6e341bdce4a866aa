/*
 * jaro_winkler.h: Jaro and Jaro-Winkler similarity over Unicode code points,
 * plain C (see jaro_winkler.c).
 */
#ifndef RECON_LINKAGE_JARO_WINKLER_H
#define RECON_LINKAGE_JARO_WINKLER_H

#include <stddef.h>
#include <stdint.h>

/* The longest string compared is RECON_MAX_JARO_CHARS code points (core/limits.h). */
#include "core/limits.h"

/* Winkler's standard prefix scale and the longest prefix it rewards. */
#define RECON_JARO_WINKLER_PREFIX_SCALE 0.1
#define RECON_JARO_WINKLER_MAX_PREFIX 4

/*
 * Jaro similarity of two code point arrays, in [0, 1]. Two empty strings are
 * identical (1); one empty string against a non-empty one gives 0.
 */
extern double recon_jaro_cp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);

/* Jaro-Winkler: Jaro plus prefix * scale * (1 - Jaro) when Jaro is above 0.7 (prefix: common leading characters, at most 4). */
extern double recon_jaro_winkler_cp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen,
									double prefix_scale);

/*
 * Decode UTF-8 into code points (out holds len entries); bytes that are not
 * valid UTF-8 count as one character each. Returns the number of characters.
 */
extern size_t recon_jaro_decode(const char *s, size_t len, uint32_t *out);

#endif
