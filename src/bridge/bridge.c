/*
 * bridge.c: recon_bridge, the aggregate that walks platform-attributed value
 * down to collected revenue. Each ledger row adds an amount and a quantity to
 * one line; the final step signs the lines, derives the unmatched and
 * residual lines so they always add up, and labels the cohort's maturity.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "bridge/bridge.h"
#include "core/limits_sql.h"

PG_FUNCTION_INFO_V1(recon_bridge_add);
PG_FUNCTION_INFO_V1(recon_bridge_combine);
PG_FUNCTION_INFO_V1(recon_bridge_final);

/* Arguments of recon_bridge_add (0 is the state). */
#define ARG_LINE		1
#define ARG_AMOUNT		2
#define ARG_QUANTITY	3
#define ARG_CURRENCY	4
#define ARG_RECORD_AT	5
#define ARG_AS_OF		6
#define ARG_MATURITY	7

/* The maturity points when none are given: the maturity_days setting's default. */
static const int32 default_points[] = {7, 30, 60, 90};

/* The aggregate's memory context; refuses calls from outside an aggregate. */
static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *function)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of the recon_bridge aggregate", function)));
	return context;
}

/* A numeric argument in 1e-8 units (0 when NULL), with its display scale. */
static FixedDecimal
numeric_argument(FunctionCallInfo fcinfo, int argno, int *dscale, const char *what)
{
	FixedDecimal value = 0;
	FixedReadStatus status;

	*dscale = 0;
	if (PG_ARGISNULL(argno))
		return 0;
	status = fixed_from_numeric_datum(PG_GETARG_DATUM(argno), &value, dscale);
	if (status != FIXED_OK)
		fixed_report_read_error(status, PG_GETARG_DATUM(argno), what);
	return value;
}

/* A finite timestamp argument, or DT_NOBEGIN when NULL. */
static TimestampTz
time_argument(FunctionCallInfo fcinfo, int argno, const char *what)
{
	TimestampTz t;

	if (PG_ARGISNULL(argno))
		return DT_NOBEGIN;
	t = PG_GETARG_TIMESTAMPTZ(argno);
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recon_bridge %s must be a finite time, not %s", what,
						timestamptz_to_str(t))));
	return t;
}

/* Read maturity_days: 1 to 16 positive, strictly increasing day counts. */
static int
maturity_points(FunctionCallInfo fcinfo, ArrayType *array, int32 *points)
{
	int			n;
	Datum	   *elems;
	bool	   *elem_nulls;

	recon_check_array_items(fcinfo, array, BRIDGE_MAX_POINTS, "maturity_days",
							"Maturity points are 1 to 16 day counts, such as {7,30,60,90}.");
	if (ARR_NDIM(array) > 1 || array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recon_bridge maturity_days must be a one-dimensional array without NULLs")));
	deconstruct_array(array, INT4OID, 4, true, TYPALIGN_INT, &elems, &elem_nulls, &n);
	if (n < 1 || n > BRIDGE_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recon_bridge maturity_days has %d points; it needs 1 to %d", n, BRIDGE_MAX_POINTS)));
	for (int i = 0; i < n; i++)
	{
		int32		v = DatumGetInt32(elems[i]);

		if (v <= 0 || (i > 0 && v <= points[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("recon_bridge maturity_days point %d is %d", i + 1, v),
					 errdetail("Maturity points are positive day counts in increasing order, such as {7,30,60,90}.")));
		points[i] = v;
	}
	return n;
}

/*
 * Transition: recon_bridge_add(state, line, amount, quantity, currency,
 * record_at, as_of, maturity_days). The state lives in the aggregate's
 * context and is updated in place.
 */
Datum
recon_bridge_add(PG_FUNCTION_ARGS)
{
	MemoryContext context = aggregate_context(fcinfo, "recon_bridge_add");
	BridgeState *state;
	text	   *line_text;
	int			line,
				amount_dscale,
				quantity_dscale;
	FixedDecimal amount,
				quantity;
	TimestampTz record_at,
				as_of;

	if (PG_ARGISNULL(0))
	{
		MemoryContext caller = MemoryContextSwitchTo(context);

		state = bridge_state_new();
		MemoryContextSwitchTo(caller);
	}
	else
		state = (BridgeState *) PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(ARG_LINE))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("recon_bridge line must not be NULL")));
	recon_check_name_arg(fcinfo, ARG_LINE, "line");
	line_text = PG_GETARG_TEXT_PP(ARG_LINE);
	line = bridge_line_index(VARDATA_ANY(line_text), VARSIZE_ANY_EXHDR(line_text));
	if (line < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown recon_bridge line \"%s\"", text_to_cstring(line_text)),
				 errdetail("Lines: platform_value, matched_value, unmatched_revenue, invalid_duplicate, lost_cancelled, value_difference, refunds, written_off, timing, collected, booked, invoiced, recognized.")));

	amount = numeric_argument(fcinfo, ARG_AMOUNT, &amount_dscale, "recon_bridge amount");
	quantity = numeric_argument(fcinfo, ARG_QUANTITY, &quantity_dscale, "recon_bridge quantity");

	if (!PG_ARGISNULL(ARG_CURRENCY))
	{
		text	   *code;
		int			len;

		recon_check_name_arg(fcinfo, ARG_CURRENCY, "currency");
		code = PG_GETARG_TEXT_PP(ARG_CURRENCY);
		len = VARSIZE_ANY_EXHDR(code);

		if (!(len == 3 && memcmp(state->currency, VARDATA_ANY(code), 3) == 0))
			bridge_state_set_currency(state, VARDATA_ANY(code), len);
	}
	else if (amount != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("recon_bridge amount %s on line %s has no currency",
						fixed_to_cstring(amount, amount_dscale), bridge_line_names[line])));

	record_at = time_argument(fcinfo, ARG_RECORD_AT, "record_at");
	if (record_at != DT_NOBEGIN)
	{
		state->youngest = Max(state->youngest, record_at);
		state->oldest = Min(state->oldest, record_at);
	}
	as_of = time_argument(fcinfo, ARG_AS_OF, "as_of");
	state->as_of = Max(state->as_of, as_of);

	/* read once per group: the ledger passes the same setting on every row */
	if (state->npoints == 0 && PG_NARGS() > ARG_MATURITY && !PG_ARGISNULL(ARG_MATURITY))
	{
		int32		points[BRIDGE_MAX_POINTS];
		int			n = maturity_points(fcinfo, PG_GETARG_ARRAYTYPE_P(ARG_MATURITY), points);

		bridge_state_set_points(state, points, n);
	}

	bridge_line_add(&state->lines[line], amount, amount_dscale, quantity, quantity_dscale,
					bridge_line_names[line]);
	PG_RETURN_POINTER(state);
}

/* Combine: adds two partial states (parallel workers, Citus shards). */
Datum
recon_bridge_combine(PG_FUNCTION_ARGS)
{
	MemoryContext context = aggregate_context(fcinfo, "recon_bridge_combine");
	BridgeState *into;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		/* the second state belongs to someone else: copy it into our context */
		into = MemoryContextAlloc(context, sizeof(BridgeState));
		memcpy(into, bridge_state_from_datum(PG_GETARG_DATUM(1)), sizeof(BridgeState));
		PG_RETURN_POINTER(into);
	}
	into = (BridgeState *) PG_GETARG_POINTER(0);
	bridge_state_merge(into, bridge_state_from_datum(PG_GETARG_DATUM(1)));
	PG_RETURN_POINTER(into);
}

/* Checked a + b (or a - b when negate), for the derived lines. */
static FixedDecimal
checked_sum(FixedDecimal a, FixedDecimal b, bool negate)
{
	FixedDecimal result;

	if (negate ? __builtin_sub_overflow(a, b, &result) : __builtin_add_overflow(a, b, &result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("recon_bridge result is out of range")));
	return result;
}

/* Output columns of recon_bridge_result, in order. */
enum
{
	COL_CURRENCY,
	COL_PLATFORM_VALUE, COL_UNMATCHED, COL_INVALID_DUPLICATE, COL_LOST_CANCELLED,
	COL_VALUE_DIFFERENCE, COL_REFUNDS, COL_WRITTEN_OFF, COL_TIMING, COL_RESIDUAL, COL_COLLECTED,
	COL_PLATFORM_CONVERSIONS, COL_MATCHED_RECORDS, COL_UNMATCHED_CONVERSIONS, COL_UNMATCHED_REVENUE,
	COL_UNMATCHED_REVENUE_RECORDS, COL_INVALID_DUPLICATE_RECORDS, COL_LOST_CANCELLED_RECORDS,
	COL_WON_RECORDS, COL_REFUND_RECORDS, COL_WRITTEN_OFF_RECORDS, COL_TIMING_RECORDS,
	COL_COLLECTED_RECORDS,
	COL_BOOKED, COL_INVOICED, COL_RECOGNIZED, COL_NET_AFTER_REFUNDS, COL_MATCH_RATE,
	COL_AS_OF, COL_YOUNGEST, COL_OLDEST, COL_AGE_DAYS, COL_MATURITY_DAYS, COL_MATURITY,
	NCOLUMNS
};

/* A money or count column. */
static Datum
fixed_datum(FixedDecimal value, int dscale)
{
	return NumericGetDatum(fixed_to_numeric(value, dscale));
}

/*
 * Final: the bridge. Signed lines (deductions negative) so that
 * platform_value + every line through residual = collected, exactly.
 */
Datum
recon_bridge_final(PG_FUNCTION_ARGS)
{
	const BridgeState *s = bridge_state_from_datum(PG_GETARG_DATUM(0));
	const BridgeSum *l = s->lines;
	TupleDesc	desc;
	Datum		values[NCOLUMNS];
	bool		nulls[NCOLUMNS] = {false};
	FixedDecimal unmatched,
				walked,
				residual;
	int			unmatched_scale,
				residual_scale = 0;
	const int32 *points = s->npoints > 0 ? s->points : default_points;
	int			npoints = s->npoints > 0 ? s->npoints : (int) lengthof(default_points);
	static const struct
	{
		int			column;
		BridgeLine	line;
		bool		deduct;
	}			walk[] = {
		{COL_INVALID_DUPLICATE, LINE_INVALID_DUPLICATE, true},
		{COL_LOST_CANCELLED, LINE_LOST_CANCELLED, true},
		{COL_VALUE_DIFFERENCE, LINE_VALUE_DIFFERENCE, false},
		{COL_REFUNDS, LINE_REFUNDS, true},
		{COL_WRITTEN_OFF, LINE_WRITTEN_OFF, true},
		{COL_TIMING, LINE_TIMING, true},
	};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != NCOLUMNS)
		elog(ERROR, "recon_bridge_final must return recon_bridge_result with %d columns", NCOLUMNS);

	if (s->currency[0] != '\0')
		values[COL_CURRENCY] = CStringGetTextDatum(s->currency);
	else
		nulls[COL_CURRENCY] = true;

	/* unmatched: what the matched records are worth to the platform, minus its claim, plus orphan money */
	unmatched = checked_sum(checked_sum(l[LINE_MATCHED_VALUE].amount, l[LINE_PLATFORM_VALUE].amount, true),
							l[LINE_UNMATCHED_REVENUE].amount, false);
	unmatched_scale = Max(Max(l[LINE_MATCHED_VALUE].amount_dscale, l[LINE_PLATFORM_VALUE].amount_dscale),
						  l[LINE_UNMATCHED_REVENUE].amount_dscale);
	values[COL_PLATFORM_VALUE] = fixed_datum(l[LINE_PLATFORM_VALUE].amount, l[LINE_PLATFORM_VALUE].amount_dscale);
	values[COL_UNMATCHED] = fixed_datum(unmatched, unmatched_scale);

	walked = checked_sum(l[LINE_PLATFORM_VALUE].amount, unmatched, false);
	residual_scale = unmatched_scale;
	for (int i = 0; i < (int) lengthof(walk); i++)
	{
		const BridgeSum *line = &l[walk[i].line];
		FixedDecimal signed_amount = walk[i].deduct ? -line->amount : line->amount;

		values[walk[i].column] = fixed_datum(signed_amount, line->amount_dscale);
		walked = checked_sum(walked, signed_amount, false);
		residual_scale = Max(residual_scale, line->amount_dscale);
	}
	residual = checked_sum(l[LINE_COLLECTED].amount, walked, true);
	residual_scale = Max(residual_scale, l[LINE_COLLECTED].amount_dscale);
	values[COL_RESIDUAL] = fixed_datum(residual, residual_scale);
	values[COL_COLLECTED] = fixed_datum(l[LINE_COLLECTED].amount, l[LINE_COLLECTED].amount_dscale);

	values[COL_PLATFORM_CONVERSIONS] = fixed_datum(l[LINE_PLATFORM_VALUE].quantity, l[LINE_PLATFORM_VALUE].quantity_dscale);
	values[COL_MATCHED_RECORDS] = fixed_datum(l[LINE_MATCHED_VALUE].quantity, l[LINE_MATCHED_VALUE].quantity_dscale);
	values[COL_UNMATCHED_CONVERSIONS] =
		fixed_datum(checked_sum(l[LINE_PLATFORM_VALUE].quantity, l[LINE_MATCHED_VALUE].quantity, true),
					Max(l[LINE_PLATFORM_VALUE].quantity_dscale, l[LINE_MATCHED_VALUE].quantity_dscale));
	values[COL_UNMATCHED_REVENUE] = fixed_datum(l[LINE_UNMATCHED_REVENUE].amount, l[LINE_UNMATCHED_REVENUE].amount_dscale);
	values[COL_UNMATCHED_REVENUE_RECORDS] = fixed_datum(l[LINE_UNMATCHED_REVENUE].quantity, l[LINE_UNMATCHED_REVENUE].quantity_dscale);
	values[COL_INVALID_DUPLICATE_RECORDS] = fixed_datum(l[LINE_INVALID_DUPLICATE].quantity, l[LINE_INVALID_DUPLICATE].quantity_dscale);
	values[COL_LOST_CANCELLED_RECORDS] = fixed_datum(l[LINE_LOST_CANCELLED].quantity, l[LINE_LOST_CANCELLED].quantity_dscale);
	values[COL_WON_RECORDS] = fixed_datum(l[LINE_VALUE_DIFFERENCE].quantity, l[LINE_VALUE_DIFFERENCE].quantity_dscale);
	values[COL_REFUND_RECORDS] = fixed_datum(l[LINE_REFUNDS].quantity, l[LINE_REFUNDS].quantity_dscale);
	values[COL_WRITTEN_OFF_RECORDS] = fixed_datum(l[LINE_WRITTEN_OFF].quantity, l[LINE_WRITTEN_OFF].quantity_dscale);
	values[COL_TIMING_RECORDS] = fixed_datum(l[LINE_TIMING].quantity, l[LINE_TIMING].quantity_dscale);
	values[COL_COLLECTED_RECORDS] = fixed_datum(l[LINE_COLLECTED].quantity, l[LINE_COLLECTED].quantity_dscale);

	values[COL_BOOKED] = fixed_datum(l[LINE_BOOKED].amount, l[LINE_BOOKED].amount_dscale);
	values[COL_INVOICED] = fixed_datum(l[LINE_INVOICED].amount, l[LINE_INVOICED].amount_dscale);
	values[COL_RECOGNIZED] = fixed_datum(l[LINE_RECOGNIZED].amount, l[LINE_RECOGNIZED].amount_dscale);
	values[COL_NET_AFTER_REFUNDS] = fixed_datum(checked_sum(l[LINE_BOOKED].amount, l[LINE_REFUNDS].amount, true),
												Max(l[LINE_BOOKED].amount_dscale, l[LINE_REFUNDS].amount_dscale));

	/* matched records per platform conversion; NULL when the platform claims none */
	if (l[LINE_PLATFORM_VALUE].quantity == 0)
		nulls[COL_MATCH_RATE] = true;
	else
		values[COL_MATCH_RATE] =
			DirectFunctionCall2(numeric_round,
								DirectFunctionCall2(numeric_div, values[COL_MATCHED_RECORDS],
													values[COL_PLATFORM_CONVERSIONS]),
								Int32GetDatum(4));

	nulls[COL_AS_OF] = s->as_of == DT_NOBEGIN;
	values[COL_AS_OF] = TimestampTzGetDatum(s->as_of);
	nulls[COL_YOUNGEST] = nulls[COL_OLDEST] = s->youngest == DT_NOBEGIN;
	values[COL_YOUNGEST] = TimestampTzGetDatum(s->youngest);
	values[COL_OLDEST] = TimestampTzGetDatum(s->oldest);
	if (s->as_of == DT_NOBEGIN || s->youngest == DT_NOBEGIN)
	{
		nulls[COL_AGE_DAYS] = nulls[COL_MATURITY_DAYS] = true;
		values[COL_MATURITY] = CStringGetTextDatum("unknown");
	}
	else
	{
		/* the youngest record's age, in whole days (floor: a cohort is 30 days old only after 30 full days) */
		int64		age_usec = s->as_of - s->youngest;
		int64		age = age_usec >= 0 ? age_usec / USECS_PER_DAY : -((-age_usec + USECS_PER_DAY - 1) / USECS_PER_DAY);
		int32		reached = 0;

		for (int i = 0; i < npoints; i++)
			if (age >= points[i])
				reached = points[i];
		values[COL_AGE_DAYS] = Int32GetDatum((int32) Max(Min(age, PG_INT32_MAX), PG_INT32_MIN));
		values[COL_MATURITY_DAYS] = Int32GetDatum(reached);
		values[COL_MATURITY] = CStringGetTextDatum(age >= points[npoints - 1] ? "mature" : "incomplete");
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
