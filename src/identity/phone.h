/*
 * phone.h: one phone normalization entry point for C callers (the SQL functions
 * and recon_hash_identifier): the fast path first, libphonenumber when it is unsure.
 */
#ifndef RECON_IDENTITY_PHONE_H
#define RECON_IDENTITY_PHONE_H

#include <stddef.h>

#include "identity/phone_fast.h"

/* Who answers: the fast path with libphonenumber behind it, the fast path alone, libphonenumber alone. */
typedef enum ReconPhoneMethod
{
	RECON_PHONE_AUTO,
	RECON_PHONE_FAST_ONLY,
	RECON_PHONE_REFERENCE
} ReconPhoneMethod;

/* What recon_phone_answer did. */
typedef enum ReconPhoneAnswer
{
	RECON_PHONE_ANSWERED = 0,	/* *result holds libphonenumber's answer (reason PHONE_OK or why not) */
	RECON_PHONE_UNSURE = 1,		/* RECON_PHONE_FAST_ONLY and the fast path could not decide */
	RECON_PHONE_LIBRARY_FAILED = -1 /* libphonenumber could not be loaded or failed internally */
} ReconPhoneAnswer;

/* The fast-path tables, loading libphonenumber on first use; NULL when it cannot be loaded. */
extern const PhoneFastTables *recon_phone_tables(void);

/* Normalize len bytes of s with default region region_index (-1: none); blank input is PHONE_MISSING. */
extern ReconPhoneAnswer recon_phone_answer(const char *s, size_t len, int region_index,
										   ReconPhoneMethod method, PhoneResult *result);

/* Write "+<cc><nsn>" (with_plus) or the digits alone into buf (at least RECON_PHONE_E164_MAX bytes); returns the length. */
#define RECON_PHONE_E164_MAX (1 + 3 + PHONE_MAX_NSN + 1)
extern size_t recon_phone_format(const PhoneResult *result, int with_plus, char *buf);

#endif
