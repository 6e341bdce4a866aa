/*
 * value_sql.c: SQL functions over value.c: numbers, dates and times of export
 * files, NULL when blank or not in the expected spelling.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "core/limits_sql.h"
#include "load/value.h"

#include <ctype.h>

PG_FUNCTION_INFO_V1(recon_parse_decimal_sql);
PG_FUNCTION_INFO_V1(recon_parse_date_sql);
PG_FUNCTION_INFO_V1(recon_parse_timestamp_sql);

/* True when the text holds nothing but ASCII blanks. */
static bool
is_blank(text *value)
{
	const char *s = VARDATA_ANY(value);
	size_t		len = VARSIZE_ANY_EXHDR(value);

	for (size_t i = 0; i < len; i++)
		if (!(s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
			return false;
	return true;
}

/* The date style argument: iso, mdy or dmy. */
static recon_date_style
date_style_arg(text *arg, bool *epoch_seconds, bool *epoch_ms)
{
	char	   *style = text_to_cstring(arg);

	if (epoch_seconds)
		*epoch_seconds = *epoch_ms = false;
	if (strcmp(style, "iso") == 0)
		return RECON_DATE_ISO;
	if (strcmp(style, "mdy") == 0)
		return RECON_DATE_MDY;
	if (strcmp(style, "dmy") == 0)
		return RECON_DATE_DMY;
	if (epoch_seconds && strcmp(style, "epoch") == 0)
	{
		*epoch_seconds = true;
		return RECON_DATE_ISO;
	}
	if (epoch_seconds && strcmp(style, "epoch_ms") == 0)
	{
		*epoch_ms = true;
		return RECON_DATE_ISO;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("date style \"%s\" is not known", style),
			 errhint(epoch_seconds ? "Use iso (2026-03-01 10:15), mdy (3/1/2026 10:15 AM), dmy (1.3.2026 10:15), epoch (Unix seconds) or epoch_ms."
					 : "Use iso (2026-03-01), mdy (3/1/2026) or dmy (1/3/2026, 1.3.2026).")));
	return RECON_DATE_ISO;		/* not reached */
}

/* The hint of the cell limit, shared by the value parsers. */
#define CELL_HINT "The loaders reject a row with a cell this long (too_long) before parsing it; check the value's column."

/* recon_parse_decimal(value text, decimal_mark text): the number, or NULL when blank or malformed. */
Datum
recon_parse_decimal_sql(PG_FUNCTION_ARGS)
{
	text	   *value;
	text	   *mark;
	char	   *m;
	size_t		len;
	char	   *out;
	size_t		out_len;

	recon_check_arg_bytes(fcinfo, 0, RECON_MAX_CELL_BYTES, "value", CELL_HINT);
	recon_check_name_arg(fcinfo, 1, "decimal mark");
	value = PG_GETARG_TEXT_PP(0);
	mark = PG_GETARG_TEXT_PP(1);
	m = VARDATA_ANY(mark);
	len = VARSIZE_ANY_EXHDR(value);

	if (VARSIZE_ANY_EXHDR(mark) != 1 || (m[0] != '.' && m[0] != ','))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decimal mark \"%s\" is not usable", text_to_cstring(mark)),
				 errhint("Use '.' (1,234.56) or ',' (1.234,56).")));
	out = palloc(len + 3);
	if (!recon_parse_decimal_text(VARDATA_ANY(value), len, m[0], out, &out_len))
		PG_RETURN_NULL();
	out[out_len] = '\0';
	PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(out),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

/* recon_parse_date(value text, style text): the date, or NULL when blank or not a real date in the style. */
Datum
recon_parse_date_sql(PG_FUNCTION_ARGS)
{
	text	   *value;
	recon_date_style style;
	recon_parsed_time t;

	recon_check_arg_bytes(fcinfo, 0, RECON_MAX_CELL_BYTES, "value", CELL_HINT);
	recon_check_name_arg(fcinfo, 1, "date style");
	value = PG_GETARG_TEXT_PP(0);
	style = date_style_arg(PG_GETARG_TEXT_PP(1), NULL, NULL);

	if (!recon_parse_date_text(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), style, &t))
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(date2j(t.year, t.month, t.day) - POSTGRES_EPOCH_JDATE);
}

/* Unix time (seconds, or milliseconds; a fraction allowed) as a timestamptz, in integer arithmetic; false when not a plain number from 1970 to 9999. */
static bool
parse_epoch(text *value, bool milliseconds, TimestampTz *result)
{
	const char *s = VARDATA_ANY(value);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	size_t		i = 0;
	int64		whole = 0;
	int64		micro = 0;
	int64		scale = milliseconds ? 1000 : 1000000;	/* microseconds per unit */
	int			digits = 0;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	while (i < len && s[i] == ' ')
		i++;
	for (; i < len && isdigit((unsigned char) s[i]); i++)
	{
		if (++digits > 15)
			return false;
		whole = whole * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return false;
	if (i < len && s[i] == '.')
	{
		int64		unit = scale;

		for (i++; i < len && isdigit((unsigned char) s[i]); i++)
		{
			unit /= 10;
			micro += (s[i] - '0') * unit;
		}
	}
	if (i != len)
		return false;
	micro += whole * scale;
	if (micro > INT64CONST(253402300799) * USECS_PER_SEC)
		return false;
	*result = micro - (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC;
	return true;
}

/*
 * recon_parse_timestamp(value text, zone text, style text): the instant; a time
 * written without an offset is local time in zone. NULL when blank or malformed.
 */
Datum
recon_parse_timestamp_sql(PG_FUNCTION_ARGS)
{
	text	   *value;
	text	   *zone;
	bool		epoch_seconds,
				epoch_ms;
	recon_date_style style;
	recon_parsed_time t;
	struct pg_tm tm;
	Timestamp	local;

	recon_check_arg_bytes(fcinfo, 0, RECON_MAX_CELL_BYTES, "value", CELL_HINT);
	recon_check_name_arg(fcinfo, 1, "time zone");
	recon_check_name_arg(fcinfo, 2, "date style");
	value = PG_GETARG_TEXT_PP(0);
	zone = PG_GETARG_TEXT_PP(1);
	style = date_style_arg(PG_GETARG_TEXT_PP(2), &epoch_seconds, &epoch_ms);

	if (is_blank(value))
		PG_RETURN_NULL();
	if (epoch_seconds || epoch_ms)
	{
		TimestampTz result;

		if (!parse_epoch(value, epoch_ms, &result))
			PG_RETURN_NULL();
		PG_RETURN_TIMESTAMPTZ(result);
	}
	if (!recon_parse_timestamp_text(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), style, &t))
		PG_RETURN_NULL();
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t.year;
	tm.tm_mon = t.month;
	tm.tm_mday = t.day;
	tm.tm_hour = t.hour;
	tm.tm_min = t.minute;
	tm.tm_sec = t.second;
	if (tm2timestamp(&tm, t.microsecond, NULL, &local) != 0)
		PG_RETURN_NULL();
	if (t.has_offset)
		PG_RETURN_TIMESTAMPTZ(local - (TimestampTz) t.offset_seconds * USECS_PER_SEC);
	/* local time in the zone: what "timestamp AT TIME ZONE zone" does */
	PG_RETURN_DATUM(DirectFunctionCall2(timestamp_zone, PointerGetDatum(zone), TimestampGetDatum(local)));
}
