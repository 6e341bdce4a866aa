/*
 * fuzz_load_value.c: libFuzzer harness for the export-file value parsers
 * (src/load/value.c). Beyond memory safety: a decimal's canonical spelling is
 * only a sign, digits and at most one point, never longer than the input + 2,
 * and parses back to itself; a date or time is a real calendar day and clock
 * time with an offset within 15 hours.
 */
/* fuzz-sources: src/load/value.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/value.h"

/* Abort (a finding) when a property does not hold. */
static void
check(int ok)
{
	if (!ok)
		abort();
}

/* The fields of a parsed date and time are in range. */
static void
check_time(const recon_parsed_time *t)
{
	check(t->year >= 1 && t->year <= 9999);
	check(t->month >= 1 && t->month <= 12);
	check(t->day >= 1 && t->day <= recon_days_in_month(t->year, t->month));
	check(t->hour >= 0 && t->hour <= 23 && t->minute >= 0 && t->minute <= 59);
	check(t->second >= 0 && t->second <= 59 && t->microsecond >= 0 && t->microsecond < 1000000);
	check(t->offset_seconds >= -15 * 3600 - 59 * 60 && t->offset_seconds <= 15 * 3600 + 59 * 60);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: every parser, every style. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	char	   *out = malloc(size + 3);
	char	   *again = malloc(size + 3);
	size_t		out_len,
				again_len;
	recon_parsed_time t;

	for (int m = 0; m < 2; m++)
	{
		char		mark = m == 0 ? '.' : ',';

		if (recon_parse_decimal_text(s, size, mark, out, &out_len))
		{
			int			points = 0;

			check(out_len >= 1 && out_len <= size + 2);
			for (size_t i = 0; i < out_len; i++)
			{
				check((out[i] >= '0' && out[i] <= '9') || out[i] == '.' || (i == 0 && out[i] == '-'));
				points += out[i] == '.';
			}
			check(points <= 1);
			/* the canonical spelling reads back unchanged (with '.' as its mark) */
			check(recon_parse_decimal_text(out, out_len, '.', again, &again_len));
			check(again_len == out_len && memcmp(again, out, out_len) == 0);
		}
	}
	for (int style = RECON_DATE_ISO; style <= RECON_DATE_DMY; style++)
	{
		if (recon_parse_date_text(s, size, (recon_date_style) style, &t))
			check_time(&t);
		if (recon_parse_timestamp_text(s, size, (recon_date_style) style, &t))
			check_time(&t);
	}
	free(out);
	free(again);
	return 0;
}
