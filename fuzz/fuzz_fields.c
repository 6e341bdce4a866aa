/*
 * fuzz_fields.c: every customer-field normalizer (names, city, state, zip,
 * country, date of birth, gender, external id) on arbitrary bytes.
 *
 * The first byte picks the platform, the country hint and the date order; the
 * rest is the value. Checked on every input: no crash, leak or undefined
 * behaviour; a result is non-empty, valid UTF-8 and free of control
 * characters; a result normalizes to itself (the rules are idempotent, so
 * hashing an already normalized value never changes it).
 */
/* fuzz-sources: src/core/text.c src/identity/platform.c src/identity/field.c src/identity/name.c src/identity/location.c src/identity/country.c src/identity/date_of_birth.c src/identity/gender.c src/identity/external_id.c */
/* fuzz-libs: -licuuc */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "identity/country.h"
#include "identity/date_of_birth.h"
#include "identity/external_id.h"
#include "identity/gender.h"
#include "identity/location.h"
#include "identity/name.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hints[] = {NULL, "us", "gb", "ca", "fr"};

typedef struct Call
{
	ReconPlatform platform;
	const char *country;
	ReconDateOrder order;
} Call;

/* Run field number f on s; the result (when OK) is returned in a malloc'd copy. */
static ReconFieldStatus
run(int f, const Call *c, const char *s, size_t len, char **copy, size_t *copy_len)
{
	char	   *work = malloc(len + 1);
	char	   *out = NULL;
	size_t		out_len = 0;
	ReconFieldStatus st;

	switch (f)
	{
		case 0:
			st = recon_first_name_normalize(s, len, c->platform, work, &out, &out_len);
			break;
		case 1:
			st = recon_last_name_normalize(s, len, c->platform, work, &out, &out_len);
			break;
		case 2:
			st = recon_city_normalize(s, len, c->platform, work, &out, &out_len);
			break;
		case 3:
			st = recon_state_normalize(s, len, c->country, c->platform, work, &out, &out_len);
			break;
		case 4:
			st = recon_zip_normalize(s, len, c->country, c->platform, work, &out, &out_len);
			break;
		case 5:
			st = recon_country_normalize(s, len, c->platform, work, &out, &out_len);
			break;
		case 6:
			st = recon_date_of_birth_normalize(s, len, c->order, c->platform, work, &out, &out_len);
			break;
		case 7:
			st = recon_gender_normalize(s, len, c->platform, work, &out, &out_len);
			break;
		default:
			st = recon_external_id_normalize(s, len, c->platform, work, &out, &out_len);
			break;
	}
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
	Call		c;
	const char *s;

	if (size < 1)
		return 0;
	c.platform = platforms[data[0] & 1];
	c.country = hints[(data[0] >> 1) % 5];
	c.order = (ReconDateOrder) ((data[0] >> 4) % RECON_DATE_ORDER_COUNT);
	s = (const char *) data + 1;
	size--;

	for (int f = 0; f < 9; f++)
	{
		char	   *first,
				   *second;
		size_t		first_len,
					second_len;

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
