/*
 * fuzz_phone_fast.c: libFuzzer harness for the phone fast path (phone_fast.c).
 *
 * The first byte picks the default region (or none); the rest is the phone
 * input. Every answer the fast path decides is checked against libphonenumber
 * itself (differential fuzzing): a disagreement aborts, as does any memory or
 * undefined-behaviour error in the fast path. First byte 0xFF instead feeds
 * the rest to the mini regex compiler as a pattern, then matches it against
 * the digits of the input.
 */
/*
 * phone_lib.cpp (libphonenumber) is linked in to build the real tables and to be
 * the oracle; -fno-sanitize=vptr because the C compiler driver links no UBSan
 * C++ runtime (the code under test is C).
 */
/* fuzz-sources: src/identity/phone_fast.c src/identity/phone_lib.cpp */
/* fuzz-libs: -lphonenumber -lprotobuf -lstdc++ -fno-sanitize=vptr */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/phone_fast.h"
#include "identity/phone_lib.h"

static const PhoneFastTables *tables;

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Load libphonenumber and build the tables once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (phone_lib_init() != 0 || (tables = phone_lib_fast_tables()) == NULL)
	{
		fprintf(stderr, "fuzz_phone_fast: could not load libphonenumber\n");
		abort();
	}
	return 0;
}

/* Compile the input as a pattern and run it on the input's digits. */
static void
fuzz_regex(const uint8_t *data, size_t size)
{
	char	   *pattern = malloc(size + 1);
	char		digits[PHONE_MAX_INPUT];
	size_t		n = 0;
	PhoneRegex *rx;

	memcpy(pattern, data, size);
	pattern[size] = '\0';
	for (size_t i = 0; i < size && n < sizeof(digits); i++)
		if (data[i] >= '0' && data[i] <= '9')
			digits[n++] = (char) data[i];
	rx = phone_regex_compile(pattern);
	if (rx)
	{
		int			full = phone_regex_full_match(rx, digits, n);
		int			prefix = phone_regex_looking_at(rx, digits, n);

		/* a full match is also a match at the start */
		if (full == 1 && prefix == -1)
			abort();
		if (prefix > (int) n)
			abort();
		phone_regex_free(rx);
	}
	free(pattern);
}

/* One input: region byte, then the phone text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PhoneResult fast,
				lib;
	int			regions = phone_fast_region_count(tables);
	int			region;
	const char *s;
	size_t		len;

	if (size < 1)
		return 0;
	if (data[0] == 0xFF)
	{
		fuzz_regex(data + 1, size - 1);
		return 0;
	}
	region = (int) (data[0] % (regions + 1)) - 1;
	s = (const char *) data + 1;
	len = size - 1;

	if (phone_fast_normalize(tables, region, s, len, &fast) != PHONE_FAST_DECIDED)
		return 0;
	if (fast.reason == PHONE_OK)
	{
		if (fast.country_code < 1 || fast.country_code > 999 || fast.nsn_len < 2 ||
			fast.nsn_len > PHONE_MAX_NSN || (int) strlen(fast.nsn) != fast.nsn_len)
			abort();
		for (int i = 0; i < fast.nsn_len; i++)
			if (fast.nsn[i] < '0' || fast.nsn[i] > '9')
				abort();
	}
	/* the decided answer must be libphonenumber's */
	if (phone_lib_normalize(s, len, region, &lib) != 0)
		abort();
	if (fast.reason != lib.reason ||
		(fast.reason == PHONE_OK && (fast.country_code != lib.country_code || strcmp(fast.nsn, lib.nsn) != 0)))
	{
		fprintf(stderr, "fast path disagrees with libphonenumber on [%.*s] region %d: fast %d +%d %s, lib %d +%d %s\n",
				(int) len, s, region, fast.reason, fast.country_code, fast.nsn, lib.reason, lib.country_code, lib.nsn);
		abort();
	}
	return 0;
}
