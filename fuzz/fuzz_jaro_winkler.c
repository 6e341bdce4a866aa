/*
 * fuzz_jaro_winkler.c: libFuzzer harness for Jaro and Jaro-Winkler
 * (src/linkage/jaro_winkler.c). The input is split at its first 0xFF byte (a
 * byte UTF-8 never uses) into two strings, valid UTF-8 or not.
 *
 * Checks beyond "no crash": both scores lie in [0, 1], are symmetric,
 * Jaro-Winkler is never below Jaro, and a string compared with itself scores 1.
 */
/* fuzz-sources: src/linkage/jaro_winkler.c src/core/text.c */
/* fuzz-libs: -licuuc */
/* fuzz-max-len: 600 */
/* (names are short; 600 bytes still covers the heap path above 64 characters, and the cost grows with the square) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linkage/jaro_winkler.h"

/* Stop the run with a finding when an invariant breaks. */
static void
require(int ok)
{
	if (!ok)
		abort();
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0xFF, size);
	size_t		alen_bytes = cut ? (size_t) (cut - data) : size / 2;
	size_t		blen_bytes = size - alen_bytes - (cut ? 1 : 0);
	const char *bsrc = (const char *) data + alen_bytes + (cut ? 1 : 0);
	uint32_t   *a = malloc(sizeof(uint32_t) * (alen_bytes + 1));
	uint32_t   *b = malloc(sizeof(uint32_t) * (blen_bytes + 1));
	size_t		alen = recon_jaro_decode((const char *) data, alen_bytes, a);
	size_t		blen = recon_jaro_decode(bsrc, blen_bytes, b);
	double		jaro = recon_jaro_cp(a, alen, b, blen);
	double		jw = recon_jaro_winkler_cp(a, alen, b, blen, RECON_JARO_WINKLER_PREFIX_SCALE);

	require(alen <= alen_bytes && blen <= blen_bytes);
	require(jaro >= 0.0 && jaro <= 1.0);
	require(jw >= jaro && jw <= 1.0);
	require(jaro == recon_jaro_cp(b, blen, a, alen));
	require(jw == recon_jaro_winkler_cp(b, blen, a, alen, RECON_JARO_WINKLER_PREFIX_SCALE));
	require(recon_jaro_winkler_cp(a, alen, a, alen, 0.25) == 1.0);
	free(a);
	free(b);
	return 0;
}
