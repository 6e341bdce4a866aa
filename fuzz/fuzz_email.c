/*
 * fuzz_email.c: libFuzzer harness for the email normalizer (src/identity/email.c)
 * and the UTF-8 utilities under it (src/core/text.c), every platform.
 *
 * Checks beyond "no crash": a normalized email is valid UTF-8, at most 254
 * bytes, has exactly one '@' with both sides non-empty, no white space or
 * control characters, and normalizing it again gives the same bytes.
 */
/* fuzz-sources: src/identity/email.c src/identity/platform.c src/core/text.c */
/* fuzz-libs: -licuuc */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "identity/email.h"

/* Stop the run with a finding when an invariant breaks. */
static void
require(int ok)
{
	if (!ok)
		abort();
}

/* Normalize data for one platform and check the result's invariants. */
static void
check_platform(const char *data, size_t size, ReconPlatform platform)
{
	char	   *work = malloc(size + 1);
	char	   *out;
	size_t		out_len;
	ReconEmailStatus status = recon_email_normalize(data, size, platform, work, &out, &out_len);

	if (status == RECON_EMAIL_OK)
	{
		char	   *again_work = malloc(out_len + 1);
		char	   *again;
		size_t		again_len;
		const char *at = memchr(out, '@', out_len);

		require(recon_utf8_is_valid(out, out_len));
		require(out_len > 0 && out_len <= RECON_EMAIL_MAX_BYTES);
		require(at != NULL && at != out && at != out + out_len - 1);
		require(memchr(at + 1, '@', out_len - (size_t) (at - out) - 1) == NULL);
		for (size_t i = 0; i < out_len; i++)
			require((unsigned char) out[i] > 0x20 && out[i] != 0x7f);
		/* idempotent: the normalized form is its own normal form */
		require(recon_email_normalize(out, out_len, platform, again_work, &again, &again_len) == RECON_EMAIL_OK);
		require(again_len == out_len && memcmp(again, out, out_len) == 0);
		if (again != again_work)
			free(again);
		free(again_work);
		if (out != work)
			free(out);
	}
	else
		require(recon_email_status_reason(status) != NULL);
	free(work);
}

/* The ASCII fast path and the general (ICU) path give the same status and bytes. */
static void
check_paths_agree(const char *data, size_t size, ReconPlatform platform)
{
	char	   *work_fast = malloc(size + 1);
	char	   *work_general = malloc(size + 1);
	char	   *fast,
			   *general;
	size_t		fast_len = 0,
				general_len = 0;
	ReconEmailStatus s_fast,
				s_general;

	s_fast = recon_email_normalize(data, size, platform, work_fast, &fast, &fast_len);
	recon_email_force_general_path = true;
	s_general = recon_email_normalize(data, size, platform, work_general, &general, &general_len);
	recon_email_force_general_path = false;
	require(s_fast == s_general);
	if (s_fast == RECON_EMAIL_OK)
	{
		require(fast_len == general_len && memcmp(fast, general, fast_len) == 0);
		if (general != work_general)
			free(general);
	}
	free(work_fast);
	free(work_general);
}

/* libFuzzer entry point: every platform on every input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int p = 0; p < RECON_PLATFORM_COUNT; p++)
	{
		check_platform((const char *) data, size, (ReconPlatform) p);
		if (recon_text_is_ascii((const char *) data, size))
			check_paths_agree((const char *) data, size, (ReconPlatform) p);
	}
	return 0;
}
