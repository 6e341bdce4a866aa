/*
 * identity_sql.c: argument handling shared by the identity layer's SQL functions.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "identity/identity_sql.h"

/* The platform named by a SQL argument, or ERROR 22023 naming the accepted ones. */
ReconPlatform
recon_platform_arg(text *name, unsigned accepted, const char *what)
{
	int			platform = recon_platform_lookup(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	StringInfoData list;

	if (platform >= 0 && (accepted & RECON_PLATFORM_BIT(platform)) != 0)
		return (ReconPlatform) platform;

	initStringInfo(&list);
	for (int p = 0; p < RECON_PLATFORM_COUNT; p++)
	{
		if (accepted & RECON_PLATFORM_BIT(p))
			appendStringInfo(&list, "%s%s", list.len > 0 ? ", " : "", recon_platform_name(p));
	}
	if (platform >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("platform \"%s\" has no rule for %s", text_to_cstring(name), what),
				 errhint("Accepted platforms: %s.", list.data)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown platform \"%s\" for %s", text_to_cstring(name), what),
			 errhint("Accepted platforms: %s.", list.data)));
	pg_unreachable();
}

/* A text datum holding len bytes of s. */
text *
recon_text_from(const char *s, size_t len)
{
	text	   *result = (text *) palloc(VARHDRSZ + len);

	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), s, len);
	return result;
}

/* The normalizer's result as a text: reuse result when out is its data area, else copy and free out. */
text *
recon_text_adopt(text *result, char *out, size_t out_len)
{
	if (out != VARDATA(result))
	{
		text	   *copy = recon_text_from(out, out_len);

		pfree(result);
		free(out);
		return copy;
	}
	SET_VARSIZE(result, VARHDRSZ + out_len);
	return result;
}
