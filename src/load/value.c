/*
 * value.c: strict parsers for the numbers, dates and times of export files.
 */
#include "load/value.h"

#include "core/text.h"

/* Days in a month of the proleptic Gregorian calendar. */
int
recon_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* Drop ASCII blanks around s. */
static void
trim_ascii(const char **s, size_t *len)
{
	while (*len > 0 && RECON_IS_ASCII_SPACE(**s))
		(*s)++, (*len)--;
	while (*len > 0 && RECON_IS_ASCII_SPACE((*s)[*len - 1]))
		(*len)--;
}

/* Read 1..max digits at s[*i] into *value; false when there are none or more than max. */
static bool
read_digits(const char *s, size_t len, size_t *i, int min, int max, int *value)
{
	int			n = 0;
	int			v = 0;

	while (*i < len && RECON_IS_ASCII_DIGIT(s[*i]))
	{
		if (++n > max)
			return false;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*value = v;
	return n >= min;
}

/* A decimal number, canonical spelling to out (see value.h). */
bool
recon_parse_decimal_text(const char *s, size_t len, char decimal_mark, char *out, size_t *out_len)
{
	size_t		i = 0;
	size_t		o = 0;
	int			group = -1;		/* digits since the last thousands separator; -1 before any */
	int			digits = 0;
	char		separator = 0;

	trim_ascii(&s, &len);
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
	{
		if (s[0] == '-')
			out[o++] = '-';
		i++;
	}
	for (; i < len; i++)
	{
		char		c = s[i];

		if (RECON_IS_ASCII_DIGIT(c))
		{
			out[o++] = c;
			if (++digits > RECON_DECIMAL_MAX_DIGITS)
				return false;
			if (group >= 0 && ++group > 3)
				return false;
		}
		else if (c != decimal_mark && (c == ',' || c == '.' || c == ' ') && digits > 0 &&
				 (separator == 0 || separator == c))
		{
			/* a thousands separator: after 1-3 digits first, then after exactly three */
			if ((group < 0 && digits > 3) || (group >= 0 && group != 3))
				return false;
			separator = c;
			group = 0;
		}
		else
			break;
	}
	if (group >= 0 && group != 3)
		return false;
	if (i < len && s[i] == decimal_mark)
	{
		int			fraction = 0;

		out[o++] = '.';
		for (i++; i < len && RECON_IS_ASCII_DIGIT(s[i]); i++, fraction++)
		{
			if (fraction == RECON_DECIMAL_MAX_DIGITS)
				return false;
			out[o++] = s[i];
		}
		if (fraction == 0 && digits == 0)
			return false;
		if (fraction == 0)
			o--;				/* "12." is 12 */
		digits += fraction;
	}
	if (i != len || digits == 0)
		return false;
	*out_len = o;
	return true;
}

/* Parse the date at s[*i] in the style; the caller checks what follows. */
static bool
parse_date_at(const char *s, size_t len, size_t *i, recon_date_style style, recon_parsed_time *t)
{
	int			a,
				b,
				c;
	char		sep;

	if (style == RECON_DATE_ISO)
	{
		if (!read_digits(s, len, i, 4, 4, &a) || *i >= len || s[*i] != '-')
			return false;
		(*i)++;
		if (!read_digits(s, len, i, 2, 2, &b) || *i >= len || s[*i] != '-')
			return false;
		(*i)++;
		if (!read_digits(s, len, i, 2, 2, &c))
			return false;
		t->year = a, t->month = b, t->day = c;
	}
	else
	{
		if (!read_digits(s, len, i, 1, 2, &a) || *i >= len)
			return false;
		sep = s[*i];
		if (sep != '/' && sep != '.' && sep != '-')
			return false;
		(*i)++;
		if (!read_digits(s, len, i, 1, 2, &b) || *i >= len || s[*i] != sep)
			return false;
		(*i)++;
		if (!read_digits(s, len, i, 4, 4, &c))
			return false;
		t->year = c;
		t->month = style == RECON_DATE_MDY ? a : b;
		t->day = style == RECON_DATE_MDY ? b : a;
	}
	return t->year >= 1 && t->month >= 1 && t->month <= 12 &&
		t->day >= 1 && t->day <= recon_days_in_month(t->year, t->month);
}

/* A calendar date in the style, whole string. */
bool
recon_parse_date_text(const char *s, size_t len, recon_date_style style, recon_parsed_time *t)
{
	size_t		i = 0;

	trim_ascii(&s, &len);
	t->hour = t->minute = t->second = t->microsecond = 0;
	t->has_offset = false;
	t->offset_seconds = 0;
	return parse_date_at(s, len, &i, style, t) && i == len;
}

/* Case-insensitive match of an ASCII word at s[*i]; advances past it. */
static bool
match_word(const char *s, size_t len, size_t *i, const char *word)
{
	size_t		j = 0;

	for (; word[j]; j++)
		if (*i + j >= len || (s[*i + j] | 0x20) != word[j])
			return false;
	*i += j;
	return true;
}

/* The time of day and offset after the date (see value.h). */
static bool
parse_time_at(const char *s, size_t len, size_t *i, recon_parsed_time *t)
{
	int			hh,
				mm,
				ss = 0;
	int			micro = 0;

	if (!read_digits(s, len, i, 1, 2, &hh) || *i >= len || s[*i] != ':')
		return false;
	(*i)++;
	if (!read_digits(s, len, i, 2, 2, &mm))
		return false;
	if (*i < len && s[*i] == ':')
	{
		(*i)++;
		if (!read_digits(s, len, i, 2, 2, &ss))
			return false;
		if (*i < len && (s[*i] == '.' || s[*i] == ','))
		{
			int			n = 0;

			for ((*i)++; *i < len && RECON_IS_ASCII_DIGIT(s[*i]); (*i)++, n++)
				if (n < 6)
					micro = micro * 10 + (s[*i] - '0');
			if (n == 0)
				return false;
			for (; n < 6; n++)
				micro *= 10;
		}
	}
	/* 12-hour clock */
	{
		size_t		j = *i;

		while (j < len && s[j] == ' ')
			j++;
		if (match_word(s, len, &j, "am") || match_word(s, len, &j, "pm"))
		{
			bool		pm = (s[j - 2] | 0x20) == 'p';

			if (hh < 1 || hh > 12)
				return false;
			hh = (hh % 12) + (pm ? 12 : 0);
			*i = j;
		}
	}
	if (hh > 23 || mm > 59 || ss > 59)
		return false;
	t->hour = hh, t->minute = mm, t->second = ss, t->microsecond = micro;

	/* offset */
	{
		size_t		j = *i;

		while (j < len && s[j] == ' ')
			j++;
		if (j < len && (s[j] == 'Z' || s[j] == 'z'))
		{
			t->has_offset = true;
			*i = j + 1;
		}
		else if (match_word(s, len, &j, "utc") || match_word(s, len, &j, "gmt"))
		{
			t->has_offset = true;
			*i = j;
		}
		else if (j < len && (s[j] == '+' || s[j] == '-'))
		{
			int			sign = s[j] == '-' ? -1 : 1;
			int			oh,
						om = 0;
			size_t		start;

			j++;
			start = j;
			if (!read_digits(s, len, &j, 2, 4, &oh))
				return false;
			if (j - start == 4)
			{
				om = oh % 100;
				oh /= 100;
			}
			else if (j - start != 2)
				return false;
			else if (j < len && s[j] == ':')
			{
				j++;
				if (!read_digits(s, len, &j, 2, 2, &om))
					return false;
			}
			if (oh > 15 || om > 59)
				return false;
			t->has_offset = true;
			t->offset_seconds = sign * (oh * 3600 + om * 60);
			*i = j;
		}
	}
	return true;
}

/* A date and time (see value.h). */
bool
recon_parse_timestamp_text(const char *s, size_t len, recon_date_style style, recon_parsed_time *t)
{
	size_t		i = 0;

	trim_ascii(&s, &len);
	t->hour = t->minute = t->second = t->microsecond = 0;
	t->has_offset = false;
	t->offset_seconds = 0;
	if (!parse_date_at(s, len, &i, style, t))
		return false;
	if (i == len)
		return true;
	if (s[i] == 'T' || s[i] == ' ')
		i++;
	else if (s[i] == ',' && i + 1 < len && s[i + 1] == ' ')
		i += 2;					/* Salesforce's "3/1/2026, 10:15 AM" */
	else
		return false;
	while (i < len && s[i] == ' ')
		i++;
	return parse_time_at(s, len, &i, t) && i == len;
}
