/*
 * timezone.c: IANA time zone names. Ad accounts, platform reports and the
 * reporting clock each carry a zone; an abbreviation (EST) or a fixed offset
 * (+03:00) silently ignores daylight saving, so only named zones are accepted.
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "core/limits_sql.h"

PG_FUNCTION_INFO_V1(recon_timezone);
PG_FUNCTION_INFO_V1(recon_timezone_check);

#define ZONE_KEY_LEN (TZ_STRLEN_MAX + 1)

typedef struct ZoneEntry
{
	char		key[ZONE_KEY_LEN];	/* upper-cased name: lookups ignore case */
	char		name[ZONE_KEY_LEN]; /* spelling in the time zone database */
} ZoneEntry;

/* Per-backend set of known zone names, built once from the server's tz database. */
static HTAB *zone_names = NULL;

/* Upper-case a name into a fixed-size key; false when too long to be a zone. */
static bool
zone_key(const char *name, int len, char *key)
{
	if (len <= 0 || len >= ZONE_KEY_LEN)
		return false;
	for (int i = 0; i < len; i++)
		key[i] = pg_toupper((unsigned char) name[i]);
	key[len] = '\0';
	return true;
}

/*
 * The tz database keeps EST, MST and HST as fixed-offset zones for old systems;
 * users who write them almost always mean the daylight-saving regions.
 */
static bool
is_fixed_abbreviation(const char *key)
{
	return strcmp(key, "EST") == 0 || strcmp(key, "MST") == 0 || strcmp(key, "HST") == 0;
}

/* Build the name set the way pg_timezone_names does: enumerate the tz database. */
static HTAB *
load_zone_names(void)
{
	HASHCTL		ctl;
	HTAB	   *set;
	pg_tzenum  *it;
	pg_tz	   *tz;
	char		key[ZONE_KEY_LEN];

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = ZONE_KEY_LEN;
	ctl.entrysize = sizeof(ZoneEntry);
	ctl.hcxt = TopMemoryContext;
	set = hash_create("recon time zone names", 1024, &ctl,
					  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	it = pg_tzenumerate_start();
	while ((tz = pg_tzenumerate_next(it)) != NULL)
	{
		const char *name = pg_get_timezone_name(tz);
		ZoneEntry  *entry;
		bool		found;

		if (!zone_key(name, strlen(name), key) || is_fixed_abbreviation(key))
			continue;
		entry = hash_search(set, key, HASH_ENTER, &found);
		if (!found)
			strlcpy(entry->name, name, ZONE_KEY_LEN);
	}
	pg_tzenumerate_end(it);

	/* The enumeration skips the database's aliases for UTC only on some builds. */
	if (zone_key("UTC", 3, key))
	{
		bool		found;
		ZoneEntry  *entry = hash_search(set, key, HASH_ENTER, &found);

		if (!found)
			strlcpy(entry->name, "UTC", ZONE_KEY_LEN);
	}
	return set;
}

/* Canonical spelling of a zone name, ignoring case and surrounding blanks; NULL when unknown. */
static const char *
zone_lookup(const text *value)
{
	const char *s = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	char		key[ZONE_KEY_LEN];
	ZoneEntry  *entry;

	while (len > 0 && isspace((unsigned char) *s))
		s++, len--;
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	if (!zone_key(s, len, key))
		return NULL;
	if (zone_names == NULL)
		zone_names = load_zone_names();
	entry = hash_search(zone_names, key, HASH_FIND, NULL);
	return entry ? entry->name : NULL;
}

/* Raise the one error every caller gives for an unknown zone. */
static void
report_unknown_zone(const text *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("time zone \"%s\" is not a known IANA time zone name", text_to_cstring(value)),
			 errdetail("Abbreviations (EST, PST) and fixed offsets (+03:00, UTC+3) ignore daylight saving and are not accepted."),
			 errhint("Use a name from pg_timezone_names such as 'America/New_York', 'Europe/London' or 'UTC'.")));
}

/* recon_timezone(text): the database's spelling of a zone name ('america/new_york' -> 'America/New_York'). */
Datum
recon_timezone(PG_FUNCTION_ARGS)
{
	text	   *value;
	const char *name;

	recon_check_name_arg(fcinfo, 0, "time zone");
	value = PG_GETARG_TEXT_PP(0);
	name = zone_lookup(value);

	if (name == NULL)
		report_unknown_zone(value);
	PG_RETURN_TEXT_P(cstring_to_text(name));
}

/* recon_timezone_check(text): domain check; raises for an unknown or non-canonical zone. */
Datum
recon_timezone_check(PG_FUNCTION_ARGS)
{
	text	   *value;
	const char *name;
	int			len;

	recon_check_name_arg(fcinfo, 0, "time zone");
	value = PG_GETARG_TEXT_PP(0);
	name = zone_lookup(value);
	len = VARSIZE_ANY_EXHDR(value);

	if (name == NULL)
		report_unknown_zone(value);
	if (strlen(name) != (size_t) len || memcmp(name, VARDATA_ANY(value), len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" must be written as \"%s\"", text_to_cstring(value), name),
				 errhint("Wrap the value in recon_timezone(...) when loading.")));
	PG_RETURN_BOOL(true);
}
