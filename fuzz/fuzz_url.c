/*
 * fuzz_url.c: libFuzzer harness for the URL parser (src/identity/url.c).
 * Checks, beyond "no crash, no out-of-bounds access": every value points into
 * the decode buffer, is no longer than the input, is valid UTF-8 without
 * control characters; flags are known bits; decoding never grows a string.
 */
/* fuzz-sources: src/identity/url.c src/core/text.c */
/* fuzz-libs: -licuuc */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "identity/url.h"

/* Abort (a finding) when a property does not hold. */
static void
check(int ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: parse it as a URL, and decode it both ways. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *url = (const char *) data;
	char	   *buf = malloc(size ? size : 1);
	recon_click_ids ids;
	bool		invalid = false;

	recon_parse_click_ids(url, size, buf, &ids);
	check((ids.flags & ~((1u << RECON_URL_FLAG_COUNT) - 1)) == 0);
	for (int f = 0; f < RECON_CLICK_FIELD_COUNT; f++)
	{
		const recon_url_value *v = &ids.field[f];

		if (v->data == NULL)
			continue;
		check(v->data >= buf && v->data + v->len <= buf + size);
		check(v->len > 0);
		check(recon_utf8_is_valid(v->data, v->len));
		for (size_t i = 0; i < v->len; i++)
			check((unsigned char) v->data[i] >= 0x20 && v->data[i] != 0x7F);
	}
	check(recon_url_decode(url, size, true, buf, &invalid) <= size);
	check(recon_url_decode(url, size, false, buf, &invalid) <= size);
	free(buf);
	return 0;
}
