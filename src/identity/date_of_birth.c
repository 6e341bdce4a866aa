/*
 * date_of_birth.c: dates of birth to YYYYMMDD (Meta's db).
 *
 * Only the orders people really write are read: year first (ISO), month or day
 * first with a four-digit year, and English month names. 2/3/1997 is March 2
 * in most of the world and February 3 in the US: the caller's date order
 * decides such values (or, strictly, refuses them); a value that can be read
 * only one way (16/2/1997) is read that way. Two-digit years are refused
 * rather than guessed, and so are dates that do not exist (Feb 29, 1999) and
 * years outside 1900-2099. The function cannot know today's date and stay
 * IMMUTABLE, so a birth date in the future is a check for the caller.
 */
#include "identity/date_of_birth.h"

#include <string.h>
#include <strings.h>

#include "core/text.h"

static const char *const date_order_names[RECON_DATE_ORDER_COUNT] = {
	[RECON_DATE_ORDER_MDY] = "mdy",
	[RECON_DATE_ORDER_DMY] = "dmy",
	[RECON_DATE_ORDER_STRICT] = "strict",
};

/* English month names and abbreviations, by month number. */
static const struct
{
	const char *name;
	int			month;
}			month_names[] = {
	{"jan", 1}, {"january", 1}, {"feb", 2}, {"february", 2}, {"mar", 3}, {"march", 3},
	{"apr", 4}, {"april", 4}, {"may", 5}, {"jun", 6}, {"june", 6}, {"jul", 7}, {"july", 7},
	{"aug", 8}, {"august", 8}, {"sep", 9}, {"sept", 9}, {"september", 9}, {"oct", 10},
	{"october", 10}, {"nov", 11}, {"november", 11}, {"dec", 12}, {"december", 12},
};

/* A run of digits or of letters inside the value. */
typedef struct DateToken
{
	const char *start;
	size_t		len;
	bool		digits;
} DateToken;

/* The snake_case reason code for a status; NULL for OK. */
const char *
recon_date_of_birth_status_reason(ReconDateOfBirthStatus status)
{
	return recon_field_status_reason(status);
}

/* The order called name, or -1. */
int
recon_date_order_lookup(const char *name, size_t len)
{
	for (int o = 0; o < RECON_DATE_ORDER_COUNT; o++)
	{
		if (strlen(date_order_names[o]) == len && strncasecmp(date_order_names[o], name, len) == 0)
			return o;
	}
	return -1;
}

/* The canonical name of an order. */
const char *
recon_date_order_name(ReconDateOrder order)
{
	return date_order_names[order];
}

/* The value of a run of digits (at most 8 of them, so no overflow). */
static int
digits_value(const char *s, size_t len)
{
	int			v = 0;

	for (size_t i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* The month number of a lower-case English month name, or 0. */
static int
month_of(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(month_names) / sizeof(month_names[0]); i++)
	{
		if (strlen(month_names[i].name) == len && memcmp(month_names[i].name, s, len) == 0)
			return month_names[i].month;
	}
	return 0;
}

/* Days in month m of year y (Gregorian leap years). */
static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Copy the value to buf as lower-case ASCII with non-ASCII white space as ' ',
 * and cut a time of day ("T00:00:00Z", " 0:00:00") off the end.
 */
static ReconFieldStatus
ascii_date_part(const char *s, size_t len, char *buf, size_t *buf_len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		n = 0;
	char	   *colon;

	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		int			k = recon_utf8_decode(p + i, len - i, &cp);

		i += k;
		if (recon_cp_is_space(cp))
			buf[n++] = ' ';
		else if (recon_cp_is_control(cp))
			return RECON_FIELD_CONTROL_CHARACTER;
		else if (cp >= 0x80)
			return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
		else
			buf[n++] = (cp >= 'A' && cp <= 'Z') ? (char) (cp + 32) : (char) cp;
	}
	colon = memchr(buf, ':', n);
	if (colon != NULL)
	{
		size_t		cut = (size_t) (colon - buf);

		/* the time starts after the last blank, or at a 't' that follows a digit */
		while (cut > 0 && buf[cut - 1] != ' ' &&
			   !(buf[cut - 1] == 't' && cut >= 2 && RECON_IS_ASCII_DIGIT(buf[cut - 2])))
			cut--;
		if (cut == 0)
			return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
		for (size_t i = cut; i < n; i++)
		{
			if (strchr("0123456789:. +-zapm", buf[i]) == NULL)
				return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
		}
		n = cut - 1;
	}
	*buf_len = n;
	return RECON_FIELD_OK;
}

/* Split buf into at most max runs of digits or letters; false on any other character or too many runs. */
static bool
tokenize(const char *buf, size_t len, DateToken *tokens, int max, int *count)
{
	int			n = 0;

	for (size_t i = 0; i < len;)
	{
		char		c = buf[i];
		bool		digit = RECON_IS_ASCII_DIGIT(c);
		size_t		start = i;

		if (c == ' ' || c == '-' || c == '/' || c == '.' || c == ',')
		{
			i++;
			continue;
		}
		if (!digit && !(c >= 'a' && c <= 'z'))
			return false;
		while (i < len && (digit ? RECON_IS_ASCII_DIGIT(buf[i]) : (buf[i] >= 'a' && buf[i] <= 'z')))
			i++;
		if (n == max)
			return false;
		tokens[n].start = buf + start;
		tokens[n].len = i - start;
		tokens[n].digits = digit;
		n++;
	}
	*count = n;
	return true;
}

/* Read day and month from two numbers of a x/x/yyyy date, as order says when both could be the month. */
static ReconFieldStatus
resolve_day_month(int a, int b, ReconDateOrder order, int *month, int *day)
{
	if ((a > 12 && b > 12) || a == 0 || b == 0)
		return RECON_FIELD_INVALID_DATE;
	if (a > 12 || (order == RECON_DATE_ORDER_DMY && b <= 12))
		*day = a, *month = b;
	else if (b > 12 || order == RECON_DATE_ORDER_MDY || a == b)
		*month = a, *day = b;
	else
		return RECON_FIELD_AMBIGUOUS_DATE;
	return RECON_FIELD_OK;
}

/* Year, month and day from the tokens of a date. */
static ReconFieldStatus
read_date(const DateToken *t, int count, ReconDateOrder order, int *year, int *month, int *day)
{
	if (count == 1 && t[0].digits && t[0].len == 8)
	{
		*year = digits_value(t[0].start, 4);
		*month = digits_value(t[0].start + 4, 2);
		*day = digits_value(t[0].start + 6, 2);
		return RECON_FIELD_OK;
	}
	if (count != 3)
		return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;

	for (int i = 0; i < 3; i++)
	{
		if (!t[i].digits)
		{
			/* a month name: the other two are the day and the four-digit year, in either order */
			const DateToken *x = &t[i == 0 ? 1 : 0],
					   *y = &t[i == 2 ? 1 : 2];

			if ((*month = month_of(t[i].start, t[i].len)) == 0 || !x->digits || !y->digits)
				return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
			if (y->len == 4 && x->len <= 2)
				*year = digits_value(y->start, 4), *day = digits_value(x->start, x->len);
			else if (x->len == 4 && y->len <= 2)
				*year = digits_value(x->start, 4), *day = digits_value(y->start, y->len);
			else if (x->len <= 2 && y->len <= 2)
				return RECON_FIELD_TWO_DIGIT_YEAR;
			else
				return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
			return RECON_FIELD_OK;
		}
	}
	if (t[0].len == 4 && t[1].len <= 2 && t[2].len <= 2)
	{
		*year = digits_value(t[0].start, 4);
		*month = digits_value(t[1].start, t[1].len);
		*day = digits_value(t[2].start, t[2].len);
		return RECON_FIELD_OK;
	}
	if (t[0].len <= 2 && t[1].len <= 2 && t[2].len == 4)
	{
		*year = digits_value(t[2].start, 4);
		return resolve_day_month(digits_value(t[0].start, t[0].len), digits_value(t[1].start, t[1].len),
								 order, month, day);
	}
	if (t[0].len <= 2 && t[1].len <= 2 && t[2].len == 2)
		return RECON_FIELD_TWO_DIGIT_YEAR;
	return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
}

/* Normalize a date of birth to YYYYMMDD (see date_of_birth.h). */
ReconDateOfBirthStatus
recon_date_of_birth_normalize(const char *s, size_t len, ReconDateOrder order, ReconPlatform platform,
							  char *work, char **out, size_t *out_len)
{
	char		buf[RECON_DATE_OF_BIRTH_MAX_INPUT_BYTES];
	size_t		buf_len;
	DateToken	tokens[3];
	int			count,
				year,
				month,
				day;
	char		digits[9];
	ReconFieldStatus status = recon_field_begin(&s, &len, RECON_DATE_OF_BIRTH_MAX_INPUT_BYTES);

	if (status != RECON_FIELD_OK)
		return status;
	if ((status = ascii_date_part(s, len, buf, &buf_len)) != RECON_FIELD_OK)
		return status;
	if (!tokenize(buf, buf_len, tokens, 3, &count))
		return RECON_FIELD_UNRECOGNIZED_DATE_FORMAT;
	if ((status = read_date(tokens, count, order, &year, &month, &day)) != RECON_FIELD_OK)
		return status;
	if (year < RECON_DATE_OF_BIRTH_FIRST_YEAR || year > RECON_DATE_OF_BIRTH_LAST_YEAR)
		return RECON_FIELD_YEAR_OUT_OF_RANGE;
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
		return RECON_FIELD_INVALID_DATE;
	/* every accepted form has at least 8 bytes (1/1/1997, 19970101), so work holds the result */
	digits[0] = (char) ('0' + year / 1000);
	digits[1] = (char) ('0' + year / 100 % 10);
	digits[2] = (char) ('0' + year / 10 % 10);
	digits[3] = (char) ('0' + year % 10);
	digits[4] = (char) ('0' + month / 10);
	digits[5] = (char) ('0' + month % 10);
	digits[6] = (char) ('0' + day / 10);
	digits[7] = (char) ('0' + day % 10);
	memcpy(work, digits, 8);
	*out = work;
	*out_len = 8;
	return RECON_FIELD_OK;
}
