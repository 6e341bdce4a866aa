/*
 * gender.c: Meta's ge field takes "f" or "m" only. Common spellings of the
 * two map to them ("w" is German "weiblich", frequent in EU exports); every
 * other value (unknown, other, non-binary, "prefer not to say") is not
 * guessed: it stays out of the hash and gets a reason code.
 */
#include "identity/gender.h"

#include <string.h>

#include "core/text.h"

/* Accepted spellings after lower case, and the letter each means. */
static const struct
{
	const char *spelling;
	char		letter;
}			genders[] = {
	{"f", 'f'}, {"female", 'f'}, {"woman", 'f'}, {"w", 'f'},
	{"m", 'm'}, {"male", 'm'}, {"man", 'm'},
};

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_gender_status_reason(ReconGenderStatus status)
{
	return recon_field_status_reason(status);
}

/* Normalize a gender to "f" or "m" (see gender.h). */
ReconGenderStatus
recon_gender_normalize(const char *s, size_t len, ReconPlatform platform,
					   char *work, char **out, size_t *out_len)
{
	const unsigned char *p;
	char		lower[RECON_GENDER_MAX_INPUT_BYTES];
	size_t		n = 0;
	ReconFieldStatus status = recon_field_begin(&s, &len, RECON_GENDER_MAX_INPUT_BYTES);

	if (status != RECON_FIELD_OK)
		return status;
	p = (const unsigned char *) s;
	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		int			k = recon_utf8_decode(p + i, len - i, &cp);

		i += k;
		if (recon_cp_is_control(cp) && !recon_cp_is_space(cp))
			return RECON_FIELD_CONTROL_CHARACTER;
		if (cp >= 0x80)
			return RECON_FIELD_UNRECOGNIZED_GENDER;
		lower[n++] = (cp >= 'A' && cp <= 'Z') ? (char) (cp + 32) : (char) cp;
	}
	if (n > 1 && lower[n - 1] == '.')
		n--;
	for (size_t g = 0; g < sizeof(genders) / sizeof(genders[0]); g++)
	{
		if (strlen(genders[g].spelling) == n && memcmp(genders[g].spelling, lower, n) == 0)
		{
			work[0] = genders[g].letter;
			*out = work;
			*out_len = 1;
			return RECON_FIELD_OK;
		}
	}
	return RECON_FIELD_UNRECOGNIZED_GENDER;
}
