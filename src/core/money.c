/*
 * money.c: exact conversions between minor units (what Stripe and most payment
 * APIs send: 1999 = 19.99 USD, 1999 = 1999 JPY) and numeric amounts, per the
 * currency's ISO 4217 exponent. Dividing every currency by 100 is the classic bug.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "core/currency.h"
#include "core/limits_sql.h"

/* numeric infinities arrived in 14. */
#if PG_VERSION_NUM >= 140000
#define NUMERIC_IS_INFINITE(n) numeric_is_inf(n)
#else
#define NUMERIC_IS_INFINITE(n) false
#endif

PG_FUNCTION_INFO_V1(recon_money_from_minor);
PG_FUNCTION_INFO_V1(recon_money_to_minor);
PG_FUNCTION_INFO_V1(recon_money_round);

/* recon_money_from_minor(bigint, currency): 1999 USD -> 19.99, 1999 JPY -> 1999, 1999 KWD -> 1.999. */
Datum
recon_money_from_minor(PG_FUNCTION_ARGS)
{
	int64		minor = PG_GETARG_INT64(0);
	const CurrencyInfo *info;

	recon_check_name_arg(fcinfo, 1, "currency");
	info = currency_lookup_loose(PG_GETARG_TEXT_PP(1));

#if PG_VERSION_NUM >= 140000
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(minor, info->minor_units));
#else
	{
		Datum		n = DirectFunctionCall1(int8_numeric, Int64GetDatum(minor));
		Datum		scale = DirectFunctionCall1(int4_numeric, Int32GetDatum(1));

		for (int i = 0; i < info->minor_units; i++)
			scale = DirectFunctionCall2(numeric_mul, scale, DirectFunctionCall1(int4_numeric, Int32GetDatum(10)));
		n = DirectFunctionCall2(numeric_div, n, scale);
		PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, n, Int32GetDatum(info->minor_units)));
	}
#endif
}

/*
 * recon_money_to_minor(numeric, currency): 19.99 USD -> 1999. An amount with more
 * decimals than the currency has (19.999 USD, 10.5 JPY) is an error, never rounded
 * silently; trailing zeros (19.990) are fine.
 */
Datum
recon_money_to_minor(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	const CurrencyInfo *info;
	char	   *str;
	char	   *dot;
	char	   *frac;
	int			frac_len;
	StringInfoData digits;

	recon_check_name_arg(fcinfo, 1, "currency");
	info = currency_lookup_loose(PG_GETARG_TEXT_PP(1));

	if (numeric_is_nan(amount) || NUMERIC_IS_INFINITE(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount \"%s\" is not a finite number",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(amount))))));

	str = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(amount)));
	dot = strchr(str, '.');
	frac = dot ? dot + 1 : "";
	frac_len = strlen(frac);
	while (frac_len > 0 && frac[frac_len - 1] == '0')
		frac_len--;
	if (frac_len > info->minor_units)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount %s has more decimal places than %s allows (%d)",
						str, info->code, info->minor_units),
				 errhint("Round the amount first, for example with recon_money_round(amount, '%s').",
						 info->code)));

	initStringInfo(&digits);
	if (dot)
		*dot = '\0';
	appendStringInfoString(&digits, str);
	for (int i = 0; i < info->minor_units; i++)
		appendStringInfoChar(&digits, i < frac_len ? frac[i] : '0');

	/* int8in raises 22003 when the minor-unit amount does not fit a bigint. */
	PG_RETURN_DATUM(DirectFunctionCall1(int8in, CStringGetDatum(digits.data)));
}

/* recon_money_round(numeric, currency): round half away from zero to the currency's minor units. */
Datum
recon_money_round(PG_FUNCTION_ARGS)
{
	Datum		amount = PG_GETARG_DATUM(0);
	const CurrencyInfo *info;

	recon_check_name_arg(fcinfo, 1, "currency");
	info = currency_lookup_loose(PG_GETARG_TEXT_PP(1));

	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, amount, Int32GetDatum(info->minor_units)));
}
