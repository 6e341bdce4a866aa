/*
 * phone_sql.c: the SQL functions of phone normalization (phone.sql).
 *
 * Each value goes to the pure-C fast path first (phone_fast.c) and to
 * libphonenumber (phone_lib.cpp) only when the fast path is unsure; both give
 * the same PhoneResult, so the SQL functions cannot tell which one answered.
 * libphonenumber is loaded, and the fast path's tables built from its
 * metadata, on the first call in a backend.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "core/compat.h"
#include "core/limits_sql.h"
#include "identity/phone.h"
#include "identity/platform.h"
#include "identity/phone_fast.h"
#include "identity/phone_lib.h"

PG_FUNCTION_INFO_V1(recon_normalize_phone);
PG_FUNCTION_INFO_V1(recon_normalize_phone_reason);
PG_FUNCTION_INFO_V1(recon_normalize_phone_reference);
PG_FUNCTION_INFO_V1(recon_phone_is_valid);
PG_FUNCTION_INFO_V1(recon_phone_outcome);
PG_FUNCTION_INFO_V1(recon_phone_regions);
PG_FUNCTION_INFO_V1(recon_phone_test_corpus);
PG_FUNCTION_INFO_V1(recon_phone_typical_sample);

/* Load libphonenumber and the fast-path tables once per backend. */
static const PhoneFastTables *
phone_tables(void)
{
	const PhoneFastTables *tables = recon_phone_tables();

	if (tables == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not load libphonenumber's metadata")));
	return tables;
}

/* The default_region argument as a region index: -1 for NULL (only '+' numbers parse), ERROR when unknown. */
static int
region_argument(FunctionCallInfo fcinfo, int argno)
{
	text	   *region;
	int			index;

	phone_tables();
	if (PG_ARGISNULL(argno))
		return -1;
	recon_check_name_arg(fcinfo, argno, "default_region");
	region = PG_GETARG_TEXT_PP(argno);
	index = phone_lib_region_index(VARDATA_ANY(region), VARSIZE_ANY_EXHDR(region));
	if (index < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown region \"%s\"", text_to_cstring(region)),
				 errhint("Use one of the %d ISO 3166-1 alpha-2 codes libphonenumber supports (any case; recon_phone_regions() lists them), or NULL when every number is written with +.",
						 phone_lib_region_count())));
	return index;
}

/* True when the len bytes of name spell word, in any case. */
static bool
name_is(const char *name, size_t len, const char *word)
{
	return strlen(word) == len && pg_strncasecmp(name, word, len) == 0;
}

/*
 * The platform argument: true for the '+' form (e164, generic, google, tiktok),
 * false for digits only (meta, snap). Compared in place: this runs on every row.
 */
static bool
platform_wants_plus(FunctionCallInfo fcinfo, int argno)
{
	text	   *arg;
	const char *name;
	size_t		len;
	char	   *platform;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("platform must not be NULL"),
				 errhint("Accepted platforms: e164, generic, google, tiktok (E.164 with +), meta, snap (digits only).")));
	recon_check_name_arg(fcinfo, argno, "platform");
	arg = PG_GETARG_TEXT_PP(argno);
	name = VARDATA_ANY(arg);
	len = VARSIZE_ANY_EXHDR(arg);
	if (name_is(name, len, "e164") || name_is(name, len, "google") ||
		name_is(name, len, "tiktok") || name_is(name, len, "generic"))
		return true;
	if (name_is(name, len, "meta") || name_is(name, len, "snap"))
		return false;
	/* the same wording as recon_platform_arg: a known platform without a phone rule is not "unknown" */
	platform = text_to_cstring(arg);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 recon_platform_lookup(platform, strlen(platform)) >= 0 ?
			 errmsg("platform \"%s\" has no rule for phone", platform) :
			 errmsg("unknown platform \"%s\" for phone", platform),
			 errhint("Accepted platforms: e164, generic, google, tiktok (E.164 with +), meta, snap (digits only).")));
	return false;				/* not reached */
}

/*
 * Normalize argument argno (not NULL) by the given method. Returns false only
 * for RECON_PHONE_FAST_ONLY when the fast path is unsure. A value over the
 * limit is too_long, like any input too long for a phone, and never detoasted.
 */
static bool
phone_answer(FunctionCallInfo fcinfo, int argno, int region, ReconPhoneMethod method, PhoneResult *result)
{
	text	   *phone;
	ReconPhoneAnswer answer;

	if (recon_arg_too_long(fcinfo, argno, RECON_MAX_IDENTIFIER_BYTES))
	{
		memset(result, 0, sizeof(*result));
		result->reason = PHONE_TOO_LONG;
		return true;
	}
	phone = PG_GETARG_TEXT_PP(argno);
	answer = recon_phone_answer(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone), region, method, result);

	if (answer == RECON_PHONE_LIBRARY_FAILED)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("libphonenumber failed on a phone number")));
	return answer == RECON_PHONE_ANSWERED;
}

/* "+<country code><national number>" (with_plus) or the same digits without '+'. */
static text *
e164_text(const PhoneResult *result, bool with_plus)
{
	char		buf[RECON_PHONE_E164_MAX];
	size_t		n = recon_phone_format(result, with_plus, buf);

	return cstring_to_text_with_len(buf, (int) n);
}

/* Shared body of recon_normalize_phone and its reference twin. */
static Datum
normalize_phone(FunctionCallInfo fcinfo, ReconPhoneMethod method)
{
	int			region = region_argument(fcinfo, 1);
	bool		with_plus = platform_wants_plus(fcinfo, 2);
	PhoneResult result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	phone_answer(fcinfo, 0, region, method, &result);
	if (result.reason != PHONE_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(e164_text(&result, with_plus));
}

/*
 * recon_normalize_phone(phone, default_region, platform): E.164 with '+' (e164,
 * google, tiktok) or its digits (meta, snap); NULL when libphonenumber does not
 * parse it or finds its length impossible.
 */
Datum
recon_normalize_phone(PG_FUNCTION_ARGS)
{
	return normalize_phone(fcinfo, RECON_PHONE_AUTO);
}

/* recon_normalize_phone_reference: the same answer from libphonenumber alone (the oracle). */
Datum
recon_normalize_phone_reference(PG_FUNCTION_ARGS)
{
	return normalize_phone(fcinfo, RECON_PHONE_REFERENCE);
}

/* recon_normalize_phone_reason: NULL when the value normalizes, else why not. */
Datum
recon_normalize_phone_reason(PG_FUNCTION_ARGS)
{
	int			region = region_argument(fcinfo, 1);
	PhoneResult result;

	(void) platform_wants_plus(fcinfo, 2);
	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text(phone_reason_code(PHONE_MISSING)));
	phone_answer(fcinfo, 0, region, RECON_PHONE_AUTO, &result);
	if (result.reason == PHONE_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(phone_reason_code(result.reason)));
}

/* recon_phone_is_valid(phone, default_region): libphonenumber's full validation (assigned ranges). */
Datum
recon_phone_is_valid(PG_FUNCTION_ARGS)
{
	int			region = region_argument(fcinfo, 1);
	text	   *phone;
	int			valid;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* a value that long is no phone number */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
		PG_RETURN_BOOL(false);
	phone = PG_GETARG_TEXT_PP(0);
	if (phone_lib_is_valid(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone), region, &valid) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("libphonenumber failed on a phone number")));
	PG_RETURN_BOOL(valid != 0);
}

/*
 * recon_phone_outcome(phone, default_region, method): the answer as one text,
 * '+E164' or the reason code, by method 'auto', 'fast' (NULL when the fast
 * path is unsure) or 'reference'. For the agreement test and the bench.
 */
Datum
recon_phone_outcome(PG_FUNCTION_ARGS)
{
	int			region = region_argument(fcinfo, 1);
	ReconPhoneMethod method;
	char	   *name;
	PhoneResult result;

	if (PG_ARGISNULL(2))
		name = "";
	else
	{
		recon_check_name_arg(fcinfo, 2, "method");
		name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	}
	if (strcmp(name, "auto") == 0)
		method = RECON_PHONE_AUTO;
	else if (strcmp(name, "fast") == 0)
		method = RECON_PHONE_FAST_ONLY;
	else if (strcmp(name, "reference") == 0)
		method = RECON_PHONE_REFERENCE;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown method \"%s\"", name),
				 errhint("Accepted methods: auto, fast, reference.")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!phone_answer(fcinfo, 0, region, method, &result))
		PG_RETURN_NULL();
	if (result.reason != PHONE_OK)
		PG_RETURN_TEXT_P(cstring_to_text(phone_reason_code(result.reason)));
	PG_RETURN_TEXT_P(e164_text(&result, true));
}

/* recon_phone_regions(): the region codes default_region accepts, with their calling codes. */
Datum
recon_phone_regions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	phone_tables();
	recon_init_materialized_srf(fcinfo);
	for (int i = 0; i < phone_lib_region_count(); i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(phone_lib_region_code(i));
		values[1] = Int32GetDatum(phone_lib_region_country_code(i));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Put the rows of a phone_lib_corpus block into the result (input, default_region, kind). */
static void
corpus_rows(FunctionCallInfo fcinfo, int typical_rows)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		n_rows = 0;
	char	   *block;

	phone_tables();
	recon_init_materialized_srf(fcinfo);
	block = phone_lib_corpus(typical_rows, &n_rows);
	if (block == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("libphonenumber failed to generate the phone corpus")));
	PG_TRY();
	{
		const char *p = block;

		for (size_t i = 0; i < n_rows; i++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};
			const char *input = p;
			const char *region = input + strlen(input) + 1;
			const char *kind = region + strlen(region) + 1;

			p = kind + strlen(kind) + 1;
			values[0] = CStringGetTextDatum(input);
			nulls[1] = region[0] == '\0';
			values[1] = nulls[1] ? (Datum) 0 : CStringGetTextDatum(region);
			values[2] = CStringGetTextDatum(kind);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_FINALLY();
	{
		phone_lib_free(block);
	}
	PG_END_TRY();
}

/* recon_phone_test_corpus(): every region's example numbers, spelled many ways (deterministic). */
Datum
recon_phone_test_corpus(PG_FUNCTION_ARGS)
{
	corpus_rows(fcinfo, 0);
	return (Datum) 0;
}

/* recon_phone_typical_sample(rows): CRM-style numbers from 20 common regions (deterministic). */
Datum
recon_phone_typical_sample(PG_FUNCTION_ARGS)
{
	int32		rows = PG_GETARG_INT32(0);

	if (rows < 1 || rows > 100000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rows must be between 1 and 100000000, not %d", rows)));
	corpus_rows(fcinfo, rows);
	return (Datum) 0;
}
