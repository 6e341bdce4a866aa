/*
 * external_id.c: Meta asks that external_id be identical on the Pixel and the
 * server. The only change that cannot break that is dropping the white space
 * around the id (form fields and CSV exports add it); lower-casing could merge
 * two customers of a system with case-sensitive ids, so case is kept.
 */
#include "identity/external_id.h"

#include <string.h>

#include "core/text.h"

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_external_id_status_reason(ReconExternalIdStatus status)
{
	return recon_field_status_reason(status);
}

/* Normalize an external id (see external_id.h). */
ReconExternalIdStatus
recon_external_id_normalize(const char *s, size_t len, ReconPlatform platform,
							char *work, char **out, size_t *out_len)
{
	ReconFieldStatus status = recon_field_begin(&s, &len, RECON_EXTERNAL_ID_MAX_BYTES);

	if (status != RECON_FIELD_OK)
		return status;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		/* C1 controls are two bytes, C2 80..C2 9F */
		if (c < 0x20 || c == 0x7F || (c == 0xC2 && i + 1 < len && (unsigned char) s[i + 1] <= 0x9F))
			return RECON_FIELD_CONTROL_CHARACTER;
	}
	memmove(work, s, len);
	*out = work;
	*out_len = len;
	return RECON_FIELD_OK;
}
