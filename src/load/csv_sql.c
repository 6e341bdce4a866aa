/*
 * csv_sql.c: SQL functions over csv.c: a CSV record as a text array, and why
 * a record does not split.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "load/csv.h"

PG_FUNCTION_INFO_V1(recon_csv_fields_sql);
PG_FUNCTION_INFO_V1(recon_csv_problem_sql);

/* The delimiter argument: exactly one ASCII character other than a quote or line break. */
static char
delimiter_arg(text *arg)
{
	char	   *d = VARDATA_ANY(arg);

	if (VARSIZE_ANY_EXHDR(arg) != 1 || (unsigned char) d[0] >= 0x80 ||
		d[0] == '"' || d[0] == '\n' || d[0] == '\r')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("CSV delimiter \"%s\" is not usable",
						text_to_cstring(arg)),
				 errdetail("The delimiter must be one ASCII character other than a quote or a line break, e.g. ',', ';' or a tab.")));
	return d[0];
}

/* Split the record; returns the status, with fields and their bytes in palloc'd memory. */
static recon_csv_status
split_arg(text *line, char delimiter, char **out, recon_csv_field **fields, size_t *nfields)
{
	const char *s = VARDATA_ANY(line);
	size_t		len = VARSIZE_ANY_EXHDR(line);

	*out = palloc(len + 1);
	*fields = palloc(sizeof(recon_csv_field) * recon_csv_max_fields(s, len, delimiter));
	return recon_csv_split(s, len, delimiter, *out, *fields, nfields);
}

/* recon_csv_fields(line text, delimiter text): the fields, empty ones as NULL; NULL when the record is malformed. */
Datum
recon_csv_fields_sql(PG_FUNCTION_ARGS)
{
	char		delimiter;
	char	   *out;
	recon_csv_field *fields;
	size_t		n;
	Datum	   *values;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};

	recon_check_name_arg(fcinfo, 1, "delimiter");
	delimiter = delimiter_arg(PG_GETARG_TEXT_PP(1));
	/* a line over the limit does not split, like a malformed one: recon_csv_problem says too_long */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_ROW_BYTES))
		PG_RETURN_NULL();
	if (split_arg(PG_GETARG_TEXT_PP(0), delimiter, &out, &fields, &n) != RECON_CSV_OK)
		PG_RETURN_NULL();
	values = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	for (size_t i = 0; i < n; i++)
	{
		nulls[i] = fields[i].len == 0;
		if (!nulls[i])
			values[i] = PointerGetDatum(cstring_to_text_with_len(out + fields[i].offset, (int) fields[i].len));
	}
	dims[0] = (int) n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(values, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

/* recon_csv_problem(line text, delimiter text): why the record does not split; NULL when it does. */
Datum
recon_csv_problem_sql(PG_FUNCTION_ARGS)
{
	char		delimiter;
	char	   *out;
	recon_csv_field *fields;
	size_t		n;
	recon_csv_status status;

	recon_check_name_arg(fcinfo, 1, "delimiter");
	delimiter = delimiter_arg(PG_GETARG_TEXT_PP(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_ROW_BYTES))
		PG_RETURN_TEXT_P(cstring_to_text("too_long"));
	status = split_arg(PG_GETARG_TEXT_PP(0), delimiter, &out, &fields, &n);
	if (status == RECON_CSV_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(recon_csv_status_names[status]));
}
