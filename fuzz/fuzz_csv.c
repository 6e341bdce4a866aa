/*
 * fuzz_csv.c: libFuzzer harness for the CSV record splitter (src/load/csv.c).
 * Beyond memory safety: fields lie inside the output buffer in order, the
 * count never exceeds recon_csv_max_fields, the unquoted bytes never outgrow
 * the input, and a record without quotes splits into exactly its delimiters + 1
 * fields whose bytes are the input's.
 */
/* fuzz-sources: src/load/csv.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/csv.h"

/* Abort (a finding) when a property does not hold. */
static void
check(int ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: the first byte picks the delimiter, the rest is the record. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delimiters[] = {',', ';', '\t', '|'};
	char		delimiter;
	const char *s;
	size_t		len,
				max,
				n = 0,
				end = 0;
	char	   *out;
	recon_csv_field *fields;
	recon_csv_status status;

	if (size == 0)
		return 0;
	delimiter = delimiters[data[0] % 4];
	s = (const char *) data + 1;
	len = size - 1;
	max = recon_csv_max_fields(s, len, delimiter);
	out = malloc(len + 1);
	fields = malloc(sizeof(recon_csv_field) * max);
	status = recon_csv_split(s, len, delimiter, out, fields, &n);
	check(status >= RECON_CSV_OK && status <= RECON_CSV_QUOTE_IN_FIELD);
	check(n >= 1 && n <= max);
	if (status == RECON_CSV_OK)
	{
		for (size_t i = 0; i < n; i++)
		{
			check(fields[i].offset >= end);
			end = fields[i].offset + fields[i].len;
			check(end <= len);
		}
		if (memchr(s, '"', len) == NULL)
		{
			size_t		trimmed = (len > 0 && s[len - 1] == '\r') ? len - 1 : len;

			check(n == recon_csv_max_fields(s, trimmed, delimiter));
			check(end + (n - 1) == trimmed);
			for (size_t i = 0, at = 0; i < n; at += fields[i].len + 1, i++)
				check(memcmp(out + fields[i].offset, s + at, fields[i].len) == 0);
		}
	}
	free(out);
	free(fields);
	return 0;
}
