/*
 * fuzz_meta_cookie.c: libFuzzer harness for the fbc/fbp parser and builder
 * (src/identity/meta_cookie.c). Beyond memory safety: a parsed cookie's parts
 * point into the input and are base64url, and building from them parses back
 * to the same parts.
 */
/* fuzz-sources: src/identity/meta_cookie.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/meta_cookie.h"

/* Abort (a finding) when a property does not hold. */
static void
check(int ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: parse it; when it parses, rebuild it and parse again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	recon_fb_cookie c;
	recon_fb_cookie again;
	recon_fb_status status = recon_parse_fb_cookie(s, size, &c);
	char	   *built;
	size_t		len;

	check(status >= RECON_FB_OK && status < RECON_FB_STATUS_COUNT);
	check(status == RECON_FB_OK || (recon_fb_status_name(status, RECON_FB_FBC) != NULL &&
									recon_fb_status_name(status, RECON_FB_FBP) != NULL));
	if (status != RECON_FB_OK)
		return 0;
	check(c.value >= s && c.value + c.value_len <= s + size);
	check(recon_fb_base64url(c.value, c.value_len));
	check(c.suffix == NULL || (c.suffix >= s && c.suffix + c.suffix_len <= s + size &&
							   recon_fb_base64url(c.suffix, c.suffix_len)));
	check(c.subdomain_index >= 0 && c.subdomain_index <= 99);
	check(c.creation_ms >= 1000000000000LL || (c.flags & RECON_FB_SECONDS_TIMESTAMP));
	check((c.flags & ~((1u << RECON_FB_FLAG_COUNT) - 1)) == 0);

	built = malloc(40 + c.value_len);
	len = recon_build_fb_cookie(c.subdomain_index, c.creation_ms, c.value, c.value_len, built);
	check(len <= 40 + c.value_len);
	check(recon_parse_fb_cookie(built, len, &again) == RECON_FB_OK);
	check(again.subdomain_index == c.subdomain_index);
	check(again.value_len == c.value_len && memcmp(again.value, c.value, c.value_len) == 0);
	/* a seconds value was multiplied by 1000: it comes back as 13-digit milliseconds */
	check(again.creation_ms == c.creation_ms);
	check(!(again.flags & RECON_FB_SECONDS_TIMESTAMP));
	free(built);
	return 0;
}
