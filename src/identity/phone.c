/*
 * phone.c: phone normalization for C callers (see phone.h). The fast path
 * (phone_fast.c) answers the common spellings from tables built out of
 * libphonenumber's metadata; anything it is unsure of goes to libphonenumber
 * itself (phone_lib.cpp), so both routes give libphonenumber's answer.
 */
#include "identity/phone.h"

#include <stdio.h>

#include "core/text.h"
#include "identity/phone_lib.h"

/* The fast-path tables, loading libphonenumber on first use; NULL when it cannot be loaded. */
const PhoneFastTables *
recon_phone_tables(void)
{
	static const PhoneFastTables *tables = NULL;

	if (tables == NULL && phone_lib_init() == 0)
		tables = phone_lib_fast_tables();
	return tables;
}

/* Empty, or nothing but ASCII blanks: the 'missing' of the bad-data contract. */
static int
is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		if (!RECON_IS_ASCII_SPACE(s[i]))
			return 0;
	}
	return 1;
}

/* Normalize len bytes of s with default region region_index (-1: none). */
ReconPhoneAnswer
recon_phone_answer(const char *s, size_t len, int region_index, ReconPhoneMethod method, PhoneResult *result)
{
	const PhoneFastTables *tables = recon_phone_tables();

	if (tables == NULL)
		return RECON_PHONE_LIBRARY_FAILED;
	if (is_blank(s, len))
	{
		result->reason = PHONE_MISSING;
		return RECON_PHONE_ANSWERED;
	}
	if (method != RECON_PHONE_REFERENCE &&
		phone_fast_normalize(tables, region_index, s, len, result) == PHONE_FAST_DECIDED)
		return RECON_PHONE_ANSWERED;
	if (method == RECON_PHONE_FAST_ONLY)
		return RECON_PHONE_UNSURE;
	if (phone_lib_normalize(s, len, region_index, result) != 0)
		return RECON_PHONE_LIBRARY_FAILED;
	return RECON_PHONE_ANSWERED;
}

/* Write "+<cc><nsn>" (with_plus) or the digits alone into buf; returns the length. */
size_t
recon_phone_format(const PhoneResult *result, int with_plus, char *buf)
{
	int			n = snprintf(buf, RECON_PHONE_E164_MAX, "%s%d%s", with_plus ? "+" : "",
							 result->country_code, result->nsn);

	return n < 0 ? 0 : (size_t) n;
}
