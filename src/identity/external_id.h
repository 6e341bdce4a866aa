/*
 * external_id.h: the advertiser's own customer id, plain C (see external_id.c).
 */
#ifndef RECON_IDENTITY_EXTERNAL_ID_H
#define RECON_IDENTITY_EXTERNAL_ID_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconExternalIdStatus;

/* Longest id kept, in bytes after trimming. */
#define RECON_EXTERNAL_ID_MAX_BYTES 1024

/* Every platform: the id is sent as the advertiser has it. */
#define RECON_EXTERNAL_ID_PLATFORMS RECON_PLATFORMS_ALL

/*
 * Normalize an external id: surrounding white space trimmed, nothing else
 * changed (case kept: "AB12" and "ab12" are different customers). Control
 * characters and ids over RECON_EXTERNAL_ID_MAX_BYTES are refused. work must
 * hold len bytes; on OK *out points into work.
 */
extern ReconExternalIdStatus recon_external_id_normalize(const char *s, size_t len, ReconPlatform platform,
														 char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_external_id_status_reason(ReconExternalIdStatus status);

#endif
