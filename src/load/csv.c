/*
 * csv.c: split one CSV record into fields. Quotes are only special at the start
 * of a field (as RFC 4180 and Excel write them); a quote anywhere else is a
 * malformed record, reported rather than guessed at.
 */
#include "load/csv.h"

const char *const recon_csv_status_names[] = {
	"ok", "unterminated_quote", "text_after_quote", "quote_in_unquoted_field"
};

/* Upper bound of the fields a record can hold: one more than its delimiters. */
size_t
recon_csv_max_fields(const char *s, size_t len, char delimiter)
{
	size_t		n = 1;

	for (size_t i = 0; i < len; i++)
		if (s[i] == delimiter)
			n++;
	return n;
}

/* Split s into fields (see csv.h). */
recon_csv_status
recon_csv_split(const char *s, size_t len, char delimiter, char *out,
				recon_csv_field *fields, size_t *nfields)
{
	size_t		i = 0;
	size_t		o = 0;
	size_t		n = 0;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	for (;;)
	{
		fields[n].offset = o;
		if (i < len && s[i] == '"')
		{
			/* quoted field: runs to the quote that is not doubled */
			i++;
			for (;;)
			{
				if (i >= len)
				{
					*nfields = n + 1;
					return RECON_CSV_UNTERMINATED_QUOTE;
				}
				if (s[i] == '"')
				{
					if (i + 1 < len && s[i + 1] == '"')
					{
						out[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				out[o++] = s[i++];
			}
			if (i < len && s[i] != delimiter)
			{
				*nfields = n + 1;
				return RECON_CSV_TEXT_AFTER_QUOTE;
			}
		}
		else
		{
			while (i < len && s[i] != delimiter)
			{
				if (s[i] == '"')
				{
					*nfields = n + 1;
					return RECON_CSV_QUOTE_IN_FIELD;
				}
				out[o++] = s[i++];
			}
		}
		fields[n].len = o - fields[n].offset;
		n++;
		if (i >= len)
			break;
		i++;					/* the delimiter */
	}
	*nfields = n;
	return RECON_CSV_OK;
}
