/*
 * fuzz_fields.c: every customer-field normalizer (names, city, state, zip,
 * country, date of birth, gender, external id), through recon_field_normalize,
 * on arbitrary bytes.
 *
 * The first byte picks the platform, the country hint and the date order; the
 * rest is the value. Checked on every input: no crash, leak or undefined
 * behaviour; a result is non-empty, valid UTF-8 and free of control
 * characters; a result normalizes to itself (the rules are idempotent, so
 * hashing an already normalized value never changes it).
 */
/* fuzz-sources: src/core/text.c src/identity/platform.c src/identity/field.c src/identity/field_kind.c src/identity/name.c src/identity/location.c src/identity/country.c src/identity/date_of_birth.c src/identity/gender.c src/identity/external_id.c */
/* fuzz-libs: -licuuc */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "identity/field_kind.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hints[] = {NULL, "us", "gb", "ca", "fr"};

/* Run field number f on s; the result (when OK) is returned in a malloc'd copy. */
static ReconFieldStatus
run(int f, const ReconFieldArgs *args, const char *s, size_t len, char **copy, size_t *copy_len)
{
	/* exactly len bytes, as the API promises to need: ASan sees any write past them */
	char	   *work = malloc(len > 0 ? len : 1);
	char	   *out = NULL;
	size_t		out_len = 0;
	ReconFieldStatus st;

	st = recon_field_normalize((ReconFieldKind) f, s, len, args, work, &out, &out_len);
	*copy = NULL;
	if (st == RECON_FIELD_OK)
	{
		if (out_len == 0 || !recon_utf8_is_valid(out, out_len))
			abort();
		for (size_t i = 0; i < out_len; i++)
		{
			if ((unsigned char) out[i] < 0x20 || out[i] == 0x7F)
				abort();
		}
		*copy = malloc(out_len);
		memcpy(*copy, out, out_len);
		*copy_len = out_len;
		if (out != work)
			free(out);
	}
	else if (recon_field_status_reason(st) == NULL)
		abort();
	free(work);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ReconPlatform platforms[] = {RECON_PLATFORM_META, RECON_PLATFORM_GOOGLE};
	ReconFieldArgs c;
	const char *s;

	if (size < 1)
		return 0;
	c.platform = platforms[data[0] & 1];
	c.country = hints[(data[0] >> 1) % 5];
	c.order = (ReconDateOrder) ((data[0] >> 4) % RECON_DATE_ORDER_COUNT);
	s = (const char *) data + 1;
	size--;

	for (int f = 0; f < RECON_FIELD_KIND_COUNT; f++)
	{
		const char *name = recon_field_kind_name((ReconFieldKind) f);
		char	   *first,
				   *second;
		size_t		first_len,
					second_len;

		if (recon_field_kind_lookup(name, strlen(name)) != f)
			abort();
		if (run(f, &c, s, size, &first, &first_len) != RECON_FIELD_OK)
			continue;
		/* normalizing a normalized value changes nothing */
		if (run(f, &c, first, first_len, &second, &second_len) != RECON_FIELD_OK ||
			second_len != first_len || memcmp(first, second, first_len) != 0)
			abort();
		free(first);
		free(second);
	}
	return 0;
}
