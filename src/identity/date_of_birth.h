/*
 * date_of_birth.h: dates of birth to YYYYMMDD, plain C (see date_of_birth.c).
 */
#ifndef RECON_IDENTITY_DATE_OF_BIRTH_H
#define RECON_IDENTITY_DATE_OF_BIRTH_H

#include <stddef.h>

#include "identity/field.h"
#include "identity/platform.h"

typedef ReconFieldStatus ReconDateOfBirthStatus;

/* How to read d/d/yyyy when both numbers could be the month. */
typedef enum ReconDateOrder
{
	RECON_DATE_ORDER_MDY = 0,	/* month first (US; Meta's example 2/16/1997) */
	RECON_DATE_ORDER_DMY,		/* day first (most of the world) */
	RECON_DATE_ORDER_STRICT,	/* neither: AMBIGUOUS_DATE */
	RECON_DATE_ORDER_COUNT
} ReconDateOrder;

/* Longest trimmed input looked at, in bytes. */
#define RECON_DATE_OF_BIRTH_MAX_INPUT_BYTES 64

/* Plausible birth years: [first, last]. */
#define RECON_DATE_OF_BIRTH_FIRST_YEAR 1900
#define RECON_DATE_OF_BIRTH_LAST_YEAR 2099

/* Platforms with a date-of-birth field: Meta (db) and those following it (Snap, generic). */
#define RECON_DATE_OF_BIRTH_PLATFORMS \
	(RECON_PLATFORM_BIT(RECON_PLATFORM_META) | RECON_PLATFORM_BIT(RECON_PLATFORM_SNAP) | \
	 RECON_PLATFORM_BIT(RECON_PLATFORM_GENERIC))

/* The order called name ("mdy", "dmy", "strict"; case-insensitive), or -1. */
extern int	recon_date_order_lookup(const char *name, size_t len);

/* The canonical name of an order. */
extern const char *recon_date_order_name(ReconDateOrder order);

/*
 * Normalize a date of birth to YYYYMMDD. Accepted: YYYYMMDD, Y-M-D (also with
 * '/' or '.', and an ISO time part after it), M/D/Y or D/M/Y (also with '-' or
 * '.'; order decides only when both could be the month), and English month
 * names ("16 Feb 1997", "February 16, 1997"). The date must exist and its year
 * lie in [RECON_DATE_OF_BIRTH_FIRST_YEAR, RECON_DATE_OF_BIRTH_LAST_YEAR]. work
 * must hold len bytes; on OK *out points into work.
 */
extern ReconDateOfBirthStatus recon_date_of_birth_normalize(const char *s, size_t len, ReconDateOrder order,
															ReconPlatform platform,
															char *work, char **out, size_t *out_len);

/* The snake_case reason code for a status; NULL for OK. */
extern const char *recon_date_of_birth_status_reason(ReconDateOfBirthStatus status);

#endif
