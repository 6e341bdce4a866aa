/*
 * currency.c: the ISO 4217 table and the SQL functions that expose it.
 *
 * The table is compiled in rather than kept in a SQL table so that the domain
 * check on every money column and the minor-unit arithmetic in money.c stay
 * IMMUTABLE and cost a binary search, not a query.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "core/compat.h"
#include "core/currency.h"
#include "core/limits_sql.h"

PG_FUNCTION_INFO_V1(recon_currency);
PG_FUNCTION_INFO_V1(recon_currency_minor_units);
PG_FUNCTION_INFO_V1(recon_currency_is_known);
PG_FUNCTION_INFO_V1(recon_currency_check);
PG_FUNCTION_INFO_V1(recon_currencies);

/*
 * Active ISO 4217 codes (list of 2024-2025, including XCG and ZWG), sorted by
 * code for bsearch. Fund codes kept where a country reports in them (BOV, CLF,
 * COU, MXV, UYI, UYW, CHE, CHW, USN); precious metals and test codes have no
 * minor unit and are left out on purpose.
 */
static const CurrencyInfo currencies[] = {
	{"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
	{"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
	{"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
	{"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
	{"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2},
	{"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2},
	{"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
	{"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
	{"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2},
	{"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
	{"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3},
	{"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
	{"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3},
	{"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
	{"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
	{"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
	{"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
	{"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3},
	{"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
	{"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
	{"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
	{"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
	{"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
	{"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
	{"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2},
	{"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0},
	{"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0},
	{"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
};

#define N_CURRENCIES (sizeof(currencies) / sizeof(currencies[0]))

/* bsearch comparator: a 3-letter key against a table entry. */
static int
currency_cmp(const void *key, const void *entry)
{
	return strncmp((const char *) key, ((const CurrencyInfo *) entry)->code, 3);
}

/* Exact, case-sensitive lookup of a 3-byte code. */
const CurrencyInfo *
currency_lookup(const char *code, int len)
{
	if (len != 3)
		return NULL;
	return bsearch(code, currencies, N_CURRENCIES, sizeof(CurrencyInfo), currency_cmp);
}

/* Copy a code without surrounding blanks, upper-cased, into buf; false when it cannot be a code. */
static bool
currency_fold(const text *code, char buf[4])
{
	const char *s = VARDATA_ANY(code);
	int			len = VARSIZE_ANY_EXHDR(code);

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len != 3)
		return false;
	for (int i = 0; i < 3; i++)
	{
		char		c = s[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c < 'A' || c > 'Z')
			return false;
		buf[i] = c;
	}
	buf[3] = '\0';
	return true;
}

/* Lenient lookup (blanks, lower case); raises 22023 naming the value when unknown. */
const CurrencyInfo *
currency_lookup_loose(const text *code)
{
	char		buf[4];
	const CurrencyInfo *info = NULL;

	if (currency_fold(code, buf))
		info = currency_lookup(buf, 3);
	if (info == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown currency \"%s\"", text_to_cstring(code)),
				 errdetail("A currency must be an active ISO 4217 alphabetic code such as USD, EUR or JPY."),
				 errhint("SELECT * FROM recon_currencies() lists the codes recon knows.")));
	return info;
}

/* recon_currency(text): the canonical upper-case code, or an error. */
Datum
recon_currency(PG_FUNCTION_ARGS)
{
	const CurrencyInfo *info;

	recon_check_name_arg(fcinfo, 0, "currency");
	info = currency_lookup_loose(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(info->code));
}

/* recon_currency_minor_units(text): decimal places of a currency (JPY 0, USD 2, KWD 3). */
Datum
recon_currency_minor_units(PG_FUNCTION_ARGS)
{
	const CurrencyInfo *info;

	recon_check_name_arg(fcinfo, 0, "currency");
	info = currency_lookup_loose(PG_GETARG_TEXT_PP(0));

	PG_RETURN_INT32(info->minor_units);
}

/* recon_currency_is_known(text): true for a canonical upper-case ISO 4217 code. */
Datum
recon_currency_is_known(PG_FUNCTION_ARGS)
{
	text	   *code;

	/* never raises: a value that long is no code, and is not detoasted */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_NAME_BYTES))
		PG_RETURN_BOOL(false);
	code = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(currency_lookup(VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code)) != NULL);
}

/*
 * recon_currency_check(text): the domain check behind recon_currency_code.
 * Raises (rather than returning false) so the user sees which value failed and why.
 */
Datum
recon_currency_check(PG_FUNCTION_ARGS)
{
	text	   *code;
	char		buf[4];

	recon_check_name_arg(fcinfo, 0, "currency");
	code = PG_GETARG_TEXT_PP(0);

	if (currency_lookup(VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code)) != NULL)
		PG_RETURN_BOOL(true);
	if (currency_fold(code, buf) && currency_lookup(buf, 3) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("currency \"%s\" must be written as \"%s\"", text_to_cstring(code), buf),
				 errdetail("Stored currency codes are upper-case ISO 4217 codes without blanks, so that joins and GROUP BY see one spelling."),
				 errhint("Wrap the value in recon_currency(...) when loading.")));
	(void) currency_lookup_loose(code);		/* raises the unknown-currency error */
	PG_RETURN_BOOL(false);
}

/* recon_currencies(): every known code with its minor units, for lookups and docs. */
Datum
recon_currencies(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	recon_init_materialized_srf(fcinfo);
	for (size_t i = 0; i < N_CURRENCIES; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(currencies[i].code);
		values[1] = Int32GetDatum(currencies[i].minor_units);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
