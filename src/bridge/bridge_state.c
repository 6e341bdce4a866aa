/*
 * bridge_state.c: recon_bridge_state, the running totals of recon_bridge:
 * creating, merging (the combine step of parallel and distributed plans) and
 * the text form Citus ships between nodes.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "bridge/bridge.h"
#include "core/limits_sql.h"

PG_FUNCTION_INFO_V1(recon_bridge_state_in);
PG_FUNCTION_INFO_V1(recon_bridge_state_out);

const char *const bridge_line_names[BRIDGE_NLINES] = {
	"platform_value", "matched_value", "unmatched_revenue", "invalid_duplicate", "lost_cancelled",
	"value_difference", "refunds", "written_off", "timing", "collected", "booked", "invoiced",
	"recognized"
};

/* An empty state in the current memory context. */
BridgeState *
bridge_state_new(void)
{
	BridgeState *state = palloc0(sizeof(BridgeState));

	SET_VARSIZE(state, sizeof(BridgeState));
	state->version = BRIDGE_STATE_VERSION;
	state->youngest = DT_NOBEGIN;
	state->oldest = DT_NOEND;
	state->as_of = DT_NOBEGIN;
	return state;
}

/* The state in d, checked; detoasted (never modify it: it may be a table's copy). */
BridgeState *
bridge_state_from_datum(Datum d)
{
	BridgeState *state = (BridgeState *) PG_DETOAST_DATUM(d);

	if (VARSIZE(state) != sizeof(BridgeState) || state->version != BRIDGE_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("recon_bridge_state of %u bytes, version %d, is not one this build reads (%zu bytes, version %d)",
						(unsigned) VARSIZE(state), state->version, sizeof(BridgeState), BRIDGE_STATE_VERSION)));
	return state;
}

/* Add an amount and a quantity to one line, refusing overflow. */
void
bridge_line_add(BridgeSum *line, FixedDecimal amount, int amount_dscale,
				FixedDecimal quantity, int quantity_dscale, const char *line_name)
{
	if (!fixed_add(&line->amount, amount) || !fixed_add(&line->quantity, quantity))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("recon_bridge line %s is out of range: its total reached 1.7e30", line_name)));
	line->amount_dscale = Max(line->amount_dscale, amount_dscale);
	line->quantity_dscale = Max(line->quantity_dscale, quantity_dscale);
}

/* Fix the group's currency, or refuse a second one. */
void
bridge_state_set_currency(BridgeState *state, const char *code, int len)
{
	if (state->currency[0] == '\0')
	{
		if (len != 3 || !(code[0] >= 'A' && code[0] <= 'Z') || !(code[1] >= 'A' && code[1] <= 'Z') ||
			!(code[2] >= 'A' && code[2] <= 'Z'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("recon_bridge currency \"%.*s\" is not an ISO 4217 code", len, code),
					 errhint("Pass three upper-case letters, for example recon_currency('usd') = 'USD'.")));
		memcpy(state->currency, code, 3);
	}
	else if (len != 3 || memcmp(state->currency, code, 3) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recon_bridge cannot add %.*s to %s in one group", len, code, state->currency),
				 errdetail("Every amount of a bridge must be in one currency."),
				 errhint("Group by currency, or bridge the amounts converted to the reporting currency (recon.bridge_ledger.amount_reporting and reporting_currency).")));
}

/* Fix the group's maturity points, or refuse different ones. */
void
bridge_state_set_points(BridgeState *state, const int32 *points, int npoints)
{
	if (state->npoints == 0)
	{
		memcpy(state->points, points, sizeof(int32) * npoints);
		state->npoints = npoints;
	}
	else if (state->npoints != npoints || memcmp(state->points, points, sizeof(int32) * npoints) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recon_bridge got different maturity points within one group"),
				 errhint("Pass the same maturity_days to every row, for example the maturity_days setting.")));
}

/* into += from: sums line by line, the later as_of and record times, one currency. */
void
bridge_state_merge(BridgeState *into, const BridgeState *from)
{
	if (from->currency[0] != '\0')
		bridge_state_set_currency(into, from->currency, 3);
	if (from->npoints > 0)
		bridge_state_set_points(into, from->points, from->npoints);
	for (int i = 0; i < BRIDGE_NLINES; i++)
		bridge_line_add(&into->lines[i], from->lines[i].amount, from->lines[i].amount_dscale,
						from->lines[i].quantity, from->lines[i].quantity_dscale, bridge_line_names[i]);
	into->youngest = Max(into->youngest, from->youngest);
	into->oldest = Min(into->oldest, from->oldest);
	into->as_of = Max(into->as_of, from->as_of);
}

/*
 * Text form, for shipping between nodes (not for people: times are microseconds
 * since 2000-01-01 UTC so that no DateStyle or TimeZone can change them):
 * "v1 currency=USD as_of=... youngest=... oldest=... points=7,30,60,90 <line>=<amount>/<quantity> ..."
 * with only the lines that are not zero.
 */
Datum
recon_bridge_state_out(PG_FUNCTION_ARGS)
{
	BridgeState *state = bridge_state_from_datum(PG_GETARG_DATUM(0));
	StringInfoData out;

	initStringInfo(&out);
	appendStringInfo(&out, "v%d", BRIDGE_STATE_VERSION);
	if (state->currency[0] != '\0')
		appendStringInfo(&out, " currency=%s", state->currency);
	if (state->as_of != DT_NOBEGIN)
		appendStringInfo(&out, " as_of=" INT64_FORMAT, (int64) state->as_of);
	if (state->youngest != DT_NOBEGIN)
		appendStringInfo(&out, " youngest=" INT64_FORMAT " oldest=" INT64_FORMAT,
						 (int64) state->youngest, (int64) state->oldest);
	for (int i = 0; i < state->npoints; i++)
		appendStringInfo(&out, i == 0 ? " points=%d" : ",%d", state->points[i]);
	for (int i = 0; i < BRIDGE_NLINES; i++)
	{
		const BridgeSum *line = &state->lines[i];

		if (line->amount == 0 && line->quantity == 0 && line->amount_dscale == 0 && line->quantity_dscale == 0)
			continue;
		appendStringInfo(&out, " %s=%s/%s", bridge_line_names[i],
						 fixed_to_cstring(line->amount, line->amount_dscale),
						 fixed_to_cstring(line->quantity, line->quantity_dscale));
	}
	PG_RETURN_CSTRING(out.data);
}

/* Syntax error in the text form. */
static void
bad_state_text(const char *input, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type recon_bridge_state: \"%s\"", input),
			 errdetail("%s", why),
			 errhint("The form is v1 [currency=<code>] [as_of=N] [youngest=N oldest=N] [points=7,30,...] [<line>=<amount>/<quantity> ...], as recon_bridge_state_out writes it.")));
}

/* A 64-bit integer field at s; advances s. */
static int64
parse_int64_field(const char *input, const char **s)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(*s, &end, 10);
	if (end == *s || errno != 0)
		bad_state_text(input, "A time must be a whole number of microseconds.");
	*s = end;
	return (int64) v;
}

/*
 * Index of the line called name (len bytes), or -1. Called once per ledger
 * row: the length and first letter pick the only candidate, one compare
 * confirms it.
 */
int
bridge_line_index(const char *name, int len)
{
	int			candidate = -1;

	if (len < 6)
		return -1;
	switch (len)
	{
		case 14:
			candidate = name[0] == 'p' ? LINE_PLATFORM_VALUE : LINE_LOST_CANCELLED;
			break;
		case 13:
			candidate = LINE_MATCHED_VALUE;
			break;
		case 17:
			candidate = name[0] == 'u' ? LINE_UNMATCHED_REVENUE : LINE_INVALID_DUPLICATE;
			break;
		case 16:
			candidate = LINE_VALUE_DIFFERENCE;
			break;
		case 7:
			candidate = LINE_REFUNDS;
			break;
		case 11:
			candidate = LINE_WRITTEN_OFF;
			break;
		case 6:
			candidate = name[0] == 't' ? LINE_TIMING : LINE_BOOKED;
			break;
		case 9:
			candidate = LINE_COLLECTED;
			break;
		case 8:
			candidate = LINE_INVOICED;
			break;
		case 10:
			candidate = LINE_RECOGNIZED;
			break;
		default:
			return -1;
	}
	return memcmp(bridge_line_names[candidate], name, len) == 0 ? candidate : -1;
}

/* Parse the text form written by recon_bridge_state_out. */
Datum
recon_bridge_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	const char *s = input;
	BridgeState *state;
	bool		seen[BRIDGE_NLINES] = {false};

	recon_check_bytes(fcinfo, strlen(input), RECON_MAX_STATE_TEXT_BYTES, "the text form",
					  "A recon_bridge_state written by recon_bridge_state_out takes under 2 kB.");
	state = bridge_state_new();

	if (strncmp(s, "v1", 2) != 0 || (s[2] != '\0' && s[2] != ' '))
		bad_state_text(input, "It must start with the version, v1.");
	s += 2;
	while (*s == ' ')
	{
		const char *key = ++s;
		int			keylen;

		while (*s && *s != '=' && *s != ' ')
			s++;
		if (*s != '=')
			bad_state_text(input, "Every field is key=value.");
		keylen = s - key;
		s++;
		if (keylen == 8 && memcmp(key, "currency", 8) == 0)
		{
			const char *code = s;

			while (*s && *s != ' ')
				s++;
			bridge_state_set_currency(state, code, s - code);
		}
		else if (keylen == 5 && memcmp(key, "as_of", 5) == 0)
			state->as_of = parse_int64_field(input, &s);
		else if (keylen == 8 && memcmp(key, "youngest", 8) == 0)
			state->youngest = parse_int64_field(input, &s);
		else if (keylen == 6 && memcmp(key, "oldest", 6) == 0)
			state->oldest = parse_int64_field(input, &s);
		else if (keylen == 6 && memcmp(key, "points", 6) == 0)
		{
			int32		points[BRIDGE_MAX_POINTS];
			int			n = 0;

			do
			{
				int64		v;

				if (n > 0)
					s++;
				v = parse_int64_field(input, &s);
				if (n == BRIDGE_MAX_POINTS || v <= 0 || v > INT_MAX || (n > 0 && v <= points[n - 1]))
					bad_state_text(input, "Maturity points are 1 to 16 positive, increasing day counts.");
				points[n++] = (int32) v;
			} while (*s == ',');
			bridge_state_set_points(state, points, n);
		}
		else
		{
			int			i = bridge_line_index(key, keylen);
			FixedDecimal amount,
						quantity;
			int			amount_dscale,
						quantity_dscale;
			const char *end;

			if (i < 0)
				bad_state_text(input, "Unknown field.");
			if (seen[i])
				bad_state_text(input, "A line appears twice.");
			seen[i] = true;
			if (!fixed_from_cstring(s, &end, &amount, &amount_dscale) || *end != '/')
				bad_state_text(input, "A line is <amount>/<quantity>, decimals with at most 8 places.");
			s = end + 1;
			if (!fixed_from_cstring(s, &end, &quantity, &quantity_dscale))
				bad_state_text(input, "A line is <amount>/<quantity>, decimals with at most 8 places.");
			s = end;
			bridge_line_add(&state->lines[i], amount, amount_dscale, quantity, quantity_dscale,
							bridge_line_names[i]);
		}
		if (*s != '\0' && *s != ' ')
			bad_state_text(input, "Fields are separated by one space.");
	}
	if (*s != '\0')
		bad_state_text(input, "Unexpected characters.");
	if ((state->youngest == DT_NOBEGIN) != (state->oldest == DT_NOEND))
		bad_state_text(input, "youngest and oldest come together.");
	PG_RETURN_POINTER(state);
}
