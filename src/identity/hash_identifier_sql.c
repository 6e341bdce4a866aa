/*
 * hash_identifier_sql.c: recon_hash_identifier and its reason companion.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "identity/hash_identifier.h"
#include "identity/identity_sql.h"

PG_FUNCTION_INFO_V1(recon_hash_identifier);
PG_FUNCTION_INFO_V1(recon_hash_identifier_reason);

/* The outcome of hashing one row, with the pieces both SQL functions need. */
typedef struct HashCall
{
	ReconHashOutcome outcome;
	char		hex[64];
	size_t		offset;
	size_t		len;
	const char *reason;
} HashCall;

/*
 * The field and platform of a call site, resolved once: analysts pass them as
 * constants, and looking names up on every one of a million rows would cost
 * more than the hash.
 */
typedef struct ResolvedArgs
{
	text	   *field_name;		/* copies in fn_mcxt, compared byte for byte */
	text	   *platform_name;
	const ReconHashField *field;
	ReconPlatform platform;
} ResolvedArgs;

/* True when two texts hold the same bytes. */
static bool
same_text(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* Copy a text into the function's memory context, to keep across rows. */
static text *
keep_text(FunctionCallInfo fcinfo, text *t)
{
	MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	text	   *copy = recon_text_from(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	MemoryContextSwitchTo(old);
	return copy;
}

/* Resolve field and platform (ERROR 22023 on misuse), from the call site's cache when they did not change. */
static ResolvedArgs *
resolve_args(FunctionCallInfo fcinfo)
{
	ResolvedArgs *cache = (ResolvedArgs *) fcinfo->flinfo->fn_extra;
	text	   *field_name;
	text	   *platform_name;
	const char *refusal;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("field and platform must not be NULL")));
	recon_check_name_arg(fcinfo, 1, "field");
	recon_check_name_arg(fcinfo, 2, "platform");
	field_name = PG_GETARG_TEXT_PP(1);
	platform_name = PG_GETARG_TEXT_PP(2);
	if (cache != NULL && same_text(cache->field_name, field_name) && same_text(cache->platform_name, platform_name))
		return cache;

	if (cache == NULL)
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ResolvedArgs));
	else
	{
		pfree(cache->field_name);
		pfree(cache->platform_name);
		cache->field_name = cache->platform_name = NULL;
		fcinfo->flinfo->fn_extra = NULL;
	}
	cache->platform = recon_platform_arg(platform_name, RECON_PLATFORMS_ALL, "hashing");
	refusal = recon_hash_field_refusal(VARDATA_ANY(field_name), VARSIZE_ANY_EXHDR(field_name), cache->platform);
	if (refusal != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("field \"%s\" must not be hashed for %s", text_to_cstring(field_name),
						recon_platform_name(cache->platform)),
				 errdetail("%s.", refusal)));
	cache->field = recon_hash_field_lookup(VARDATA_ANY(field_name), VARSIZE_ANY_EXHDR(field_name));
	if (cache->field == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown field \"%s\" for hashing", text_to_cstring(field_name)),
				 errhint("Accepted fields: %s (or the platforms' keys such as em, ph, fn).", recon_hash_field_list())));
	if ((recon_hash_field_platforms(cache->field) & RECON_PLATFORM_BIT(cache->platform)) == 0)
		(void) recon_platform_arg(platform_name, recon_hash_field_platforms(cache->field), recon_hash_field_name(cache->field));
	cache->field_name = keep_text(fcinfo, field_name);
	cache->platform_name = keep_text(fcinfo, platform_name);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* Check the field and platform arguments (ERROR 22023 on misuse), then hash the value. */
static void
hash_call(FunctionCallInfo fcinfo, HashCall *call)
{
	ResolvedArgs *args = resolve_args(fcinfo);
	text	   *value;
	const char *country = NULL;
	size_t		country_len = 0;

	/* misuse is refused above even on NULL rows, so a wrong field name fails on the first row */
	if (PG_ARGISNULL(0))
	{
		call->outcome = RECON_HASH_UNUSABLE;
		call->reason = "missing";
		return;
	}
	/* over the limit: unusable, like a value too long for its field, and never detoasted */
	if (recon_arg_too_long(fcinfo, 0, RECON_MAX_IDENTIFIER_BYTES))
	{
		call->outcome = RECON_HASH_UNUSABLE;
		call->reason = "too_long";
		return;
	}
	value = PG_GETARG_TEXT_PP(0);
	/* a country hint that long names no country: hashed as if unknown */
	if (!PG_ARGISNULL(3) && !recon_arg_too_long(fcinfo, 3, RECON_MAX_IDENTIFIER_BYTES))
	{
		text	   *c = PG_GETARG_TEXT_PP(3);

		country = VARDATA_ANY(c);
		country_len = VARSIZE_ANY_EXHDR(c);
	}
	call->outcome = recon_hash_identify(args->field, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), args->platform,
										country, country_len, call->hex, &call->offset, &call->len,
										&call->reason);
	if (call->outcome == RECON_HASH_LIBRARY_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("libphonenumber failed while normalizing a %s", recon_hash_field_name(args->field))));
	if (call->outcome == RECON_HASH_OUT_OF_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory hashing a %s", recon_hash_field_name(args->field))));
}

/*
 * recon_hash_identifier(value, field, platform, country): the normalized value's
 * SHA-256 as lower-case hex; a value that already is a digest comes back as is;
 * NULL when the value is missing or unusable.
 */
Datum
recon_hash_identifier(PG_FUNCTION_ARGS)
{
	HashCall	call;

	hash_call(fcinfo, &call);
	if (call.outcome == RECON_HASH_HASHED)
		PG_RETURN_TEXT_P(recon_text_from(call.hex, 64));
	if (call.outcome == RECON_HASH_PASSED_THROUGH)
		PG_RETURN_TEXT_P(recon_text_from(VARDATA_ANY(PG_GETARG_TEXT_PP(0)) + call.offset, call.len));
	PG_RETURN_NULL();
}

/* recon_hash_identifier_reason(...): why recon_hash_identifier returns NULL; NULL when it returns a digest. */
Datum
recon_hash_identifier_reason(PG_FUNCTION_ARGS)
{
	HashCall	call;

	hash_call(fcinfo, &call);
	if (call.outcome == RECON_HASH_UNUSABLE)
		PG_RETURN_TEXT_P(cstring_to_text(call.reason));
	PG_RETURN_NULL();
}
