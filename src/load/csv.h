/*
 * csv.h: split one CSV record (RFC 4180, as spreadsheets and ad platforms
 * export it) into fields. Plain C: no server headers.
 */
#ifndef RECON_LOAD_CSV_H
#define RECON_LOAD_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef enum recon_csv_status
{
	RECON_CSV_OK = 0,
	RECON_CSV_UNTERMINATED_QUOTE,	/* a quoted field never closes */
	RECON_CSV_TEXT_AFTER_QUOTE, /* "abc"x: characters between a closing quote and the delimiter */
	RECON_CSV_QUOTE_IN_FIELD	/* ab"c: a quote inside an unquoted field */
} recon_csv_status;

extern const char *const recon_csv_status_names[];

/* One field: its bytes in the caller's output buffer. */
typedef struct recon_csv_field
{
	size_t		offset;
	size_t		len;
} recon_csv_field;

/* Upper bound of the fields a record can hold: one more than its delimiters. */
extern size_t recon_csv_max_fields(const char *s, size_t len, char delimiter);

/*
 * Split s into fields. Unquoted contents ("" inside quotes becomes ") go to
 * out, which must hold len bytes; fields (room for recon_csv_max_fields) get
 * their place in out. A trailing carriage return is dropped. Returns the status
 * and sets *nfields.
 */
extern recon_csv_status recon_csv_split(const char *s, size_t len, char delimiter, char *out,
										recon_csv_field *fields, size_t *nfields);

#endif
