/*
 * field_kind.c: the customer fields by name and a single entry point over
 * their normalizers (see field_kind.h).
 */
#include "identity/field_kind.h"

#include <string.h>
#include <strings.h>

#include "identity/country.h"
#include "identity/external_id.h"
#include "identity/gender.h"
#include "identity/location.h"
#include "identity/name.h"

static const struct
{
	const char *name;
	const char *meta_name;
	unsigned	platforms;
}			field_kinds[RECON_FIELD_KIND_COUNT] = {
	[RECON_FIELD_KIND_FIRST_NAME] = {"first_name", "fn", RECON_FIRST_NAME_PLATFORMS},
	[RECON_FIELD_KIND_LAST_NAME] = {"last_name", "ln", RECON_LAST_NAME_PLATFORMS},
	[RECON_FIELD_KIND_CITY] = {"city", "ct", RECON_CITY_PLATFORMS},
	[RECON_FIELD_KIND_STATE] = {"state", "st", RECON_STATE_PLATFORMS},
	[RECON_FIELD_KIND_ZIP] = {"zip", "zp", RECON_ZIP_PLATFORMS},
	[RECON_FIELD_KIND_COUNTRY] = {"country", "country", RECON_COUNTRY_PLATFORMS},
	[RECON_FIELD_KIND_DATE_OF_BIRTH] = {"date_of_birth", "db", RECON_DATE_OF_BIRTH_PLATFORMS},
	[RECON_FIELD_KIND_GENDER] = {"gender", "ge", RECON_GENDER_PLATFORMS},
	[RECON_FIELD_KIND_EXTERNAL_ID] = {"external_id", "external_id", RECON_EXTERNAL_ID_PLATFORMS},
};

/* The field called name (long or Meta name, case-insensitive), or -1. */
int
recon_field_kind_lookup(const char *name, size_t len)
{
	for (int k = 0; k < RECON_FIELD_KIND_COUNT; k++)
	{
		if ((strlen(field_kinds[k].name) == len && strncasecmp(field_kinds[k].name, name, len) == 0) ||
			(strlen(field_kinds[k].meta_name) == len && strncasecmp(field_kinds[k].meta_name, name, len) == 0))
			return k;
	}
	return -1;
}

/* The canonical long name of a field. */
const char *
recon_field_kind_name(ReconFieldKind kind)
{
	return field_kinds[kind].name;
}

/* The platforms with a rule for the field. */
unsigned
recon_field_kind_platforms(ReconFieldKind kind)
{
	return field_kinds[kind].platforms;
}

/* Run the field's normalizer. */
ReconFieldStatus
recon_field_normalize(ReconFieldKind kind, const char *s, size_t len, const ReconFieldArgs *args,
					  char *work, char **out, size_t *out_len)
{
	switch (kind)
	{
		case RECON_FIELD_KIND_FIRST_NAME:
			return recon_first_name_normalize(s, len, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_LAST_NAME:
			return recon_last_name_normalize(s, len, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_CITY:
			return recon_city_normalize(s, len, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_STATE:
			return recon_state_normalize(s, len, args->country, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_ZIP:
			return recon_zip_normalize(s, len, args->country, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_COUNTRY:
			return recon_country_normalize(s, len, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_DATE_OF_BIRTH:
			return recon_date_of_birth_normalize(s, len, args->order, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_GENDER:
			return recon_gender_normalize(s, len, args->platform, work, out, out_len);
		case RECON_FIELD_KIND_EXTERNAL_ID:
		default:				/* kinds come from recon_field_kind_lookup or the enum */
			return recon_external_id_normalize(s, len, args->platform, work, out, out_len);
	}
}
