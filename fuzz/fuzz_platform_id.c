/*
 * fuzz_platform_id.c: libFuzzer harness for the platform id classifier
 * (src/identity/platform_id.c). Beyond memory safety: a kept id is digits
 * without a leading zero, at most 20; match keys fit their buffer at every
 * precision and look like "d[.ddd]E+n".
 */
/* fuzz-sources: src/identity/platform_id.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/platform_id.h"

/* Abort (a finding) when a property does not hold. */
static void
check(int ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: classify it, and key it at every precision. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	recon_platform_id id;
	recon_pid_status status = recon_parse_platform_id((const char *) data, size, &id);
	char		key[RECON_PID_KEY_SIZE + 1];

	check(status >= RECON_PID_OK && status < RECON_PID_STATUS_COUNT);
	if (status == RECON_PID_INVALID || status == RECON_PID_MISSING || status == RECON_PID_TOO_LONG)
		return 0;
	check(id.ndigits_written >= 1 && id.ndigits_written <= RECON_PID_MAX_DIGITS);
	check(id.ndigits >= id.ndigits_written && id.ndigits <= RECON_PID_MAX_DIGITS);
	check(id.digits[0] >= '1' && id.digits[0] <= '9');
	for (size_t i = 0; i < id.ndigits_written; i++)
		check(id.digits[i] >= '0' && id.digits[i] <= '9');
	for (int sig = 1; sig <= RECON_PID_MAX_DIGITS; sig++)
	{
		size_t		len = recon_platform_id_match_key(&id, sig, key);

		key[RECON_PID_KEY_SIZE] = '\0';
		check(len >= 4 && len <= RECON_PID_KEY_SIZE);
		check(key[0] >= '1' && key[0] <= '9');
		check(memchr(key, 'E', len) != NULL);
	}
	return 0;
}
