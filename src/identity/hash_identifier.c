/*
 * hash_identifier.c: one entry point that normalizes a customer field the way
 * the platform requires and hashes it (SHA-256, lower-case hex).
 *
 * The platforms match on hashes, so a value hashed without its normalization,
 * hashed twice, or hashed when the platform wants it in clear (Meta's fbc, fbp,
 * IP address, user agent; Google's country and postal code) silently never
 * matches. This table is where those rules meet.
 */
#include "identity/hash_identifier.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sha256.h"
#include "core/text.h"
#include "identity/country.h"
#include "identity/date_of_birth.h"
#include "identity/email.h"
#include "identity/external_id.h"
#include "identity/field_kind.h"
#include "identity/gender.h"
#include "identity/location.h"
#include "identity/name.h"
#include "identity/phone.h"
#include "identity/phone_lib.h"

/*
 * A normalizer in the common shape: status 0 means *out and *out_len hold the
 * result. country is the record's alpha-2 code in lower case, or NULL.
 */
typedef int (*FieldNormalizer) (const char *s, size_t len, ReconPlatform platform, const char *country,
								char *work, char **out, size_t *out_len);
typedef const char *(*FieldReason) (int status);

struct ReconHashField
{
	const char *name;
	const char *keys[4];		/* other spellings: the platforms' parameter names */
	int			kind;			/* a ReconFieldKind run by recon_field_normalize, or -1 ... */
	FieldNormalizer normalize;	/* ... and this normalizer instead */
	FieldReason reason;
	unsigned	platforms;		/* platforms with a normalization rule for it */
	unsigned	clear_for;		/* platforms that want it unhashed */
};

/* recon_email_normalize in the common shape. */
static int
email_normalizer(const char *s, size_t len, ReconPlatform platform, const char *country,
				 char *work, char **out, size_t *out_len)
{
	return (int) recon_email_normalize(s, len, platform, work, out, out_len);
}

/* recon_email_status_reason in the common shape. */
static const char *
email_reason(int status)
{
	return recon_email_status_reason((ReconEmailStatus) status);
}

/* Status of phone_normalizer when libphonenumber cannot be loaded or fails (beyond PhoneReason). */
#define PHONE_LIBRARY_ERROR 1000

/*
 * Phones in the common shape, fast path first: E.164 digits without '+' for
 * Meta and Snap, with '+' for the others. country is the default region for
 * numbers written without their country code.
 */
static int
phone_normalizer(const char *s, size_t len, ReconPlatform platform, const char *country,
				 char *work, char **out, size_t *out_len)
{
	PhoneResult result;
	int			region = -1;
	char	   *e164;

	if (recon_phone_tables() == NULL)
		return PHONE_LIBRARY_ERROR;
	if (country != NULL)
		region = phone_lib_region_index(country, 2);
	if (recon_phone_answer(s, len, region, RECON_PHONE_AUTO, &result) != RECON_PHONE_ANSWERED)
		return PHONE_LIBRARY_ERROR;
	if (result.reason != PHONE_OK)
		return (int) result.reason;
	/* E.164 can be longer than the input (a national number gains its country code) */
	if ((e164 = malloc(RECON_PHONE_E164_MAX)) == NULL)
		return PHONE_LIBRARY_ERROR;
	*out_len = recon_phone_format(&result, !(platform == RECON_PLATFORM_META || platform == RECON_PLATFORM_SNAP), e164);
	*out = e164;
	return 0;
}

/* phone_reason_code in the common shape. */
static const char *
phone_reason(int status)
{
	return status == PHONE_LIBRARY_ERROR ? "library_error" : phone_reason_code((PhoneReason) status);
}

/* The customer-field normalizers share one status enum and reason table. */
static const char *
field_reason(int status)
{
	return recon_field_status_reason((ReconFieldStatus) status);
}

#define CLEAR_FOR_GOOGLE RECON_PLATFORM_BIT(RECON_PLATFORM_GOOGLE)

static const ReconHashField hash_fields[] = {
	{"email", {"em", "hashed_email"}, -1, email_normalizer, email_reason, RECON_EMAIL_PLATFORMS, 0},
	{"phone", {"ph", "phone_number", "hashed_phone_number"}, -1, phone_normalizer, phone_reason,
	RECON_PLATFORMS_ALL & ~RECON_PLATFORM_BIT(RECON_PLATFORM_LINKEDIN), 0},
	{"first_name", {"fn", "firstname"}, RECON_FIELD_KIND_FIRST_NAME, NULL, field_reason, RECON_FIRST_NAME_PLATFORMS, 0},
	{"last_name", {"ln", "lastname"}, RECON_FIELD_KIND_LAST_NAME, NULL, field_reason, RECON_LAST_NAME_PLATFORMS, 0},
	{"city", {"ct"}, RECON_FIELD_KIND_CITY, NULL, field_reason, RECON_CITY_PLATFORMS, 0},
	{"state", {"st", "region"}, RECON_FIELD_KIND_STATE, NULL, field_reason, RECON_STATE_PLATFORMS, 0},
	{"zip", {"zp", "postal_code", "zip_code"}, RECON_FIELD_KIND_ZIP, NULL, field_reason, RECON_ZIP_PLATFORMS, CLEAR_FOR_GOOGLE},
	{"country", {"country_code"}, RECON_FIELD_KIND_COUNTRY, NULL, field_reason, RECON_COUNTRY_PLATFORMS,
	CLEAR_FOR_GOOGLE | RECON_PLATFORM_BIT(RECON_PLATFORM_LINKEDIN)},
	/* d/d/yyyy read month first, as in Meta's own example (2/16/1997) */
	{"date_of_birth", {"db", "dob", "birthdate"}, RECON_FIELD_KIND_DATE_OF_BIRTH, NULL, field_reason, RECON_DATE_OF_BIRTH_PLATFORMS, 0},
	{"gender", {"ge"}, RECON_FIELD_KIND_GENDER, NULL, field_reason, RECON_GENDER_PLATFORMS, 0},
	{"external_id", {"externalid"}, RECON_FIELD_KIND_EXTERNAL_ID, NULL, field_reason, RECON_EXTERNAL_ID_PLATFORMS, 0},
};

#define N_HASH_FIELDS (sizeof(hash_fields) / sizeof(hash_fields[0]))

/* Identifiers the platforms match as sent: hashing them destroys them. */
static const char *const never_hashed[] = {
	"fbc", "fbp", "client_ip_address", "ip", "ip_address", "client_user_agent", "user_agent",
	"lead_id", "ctwa_clid", "fbclid", "gclid", "gbraid", "wbraid", "msclkid", "ttclid", "li_fat_id",
};

/* True when name (len bytes, any case) equals word. */
static bool
name_is(const char *name, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(word, name, len) == 0;
}

/* The field called name (or one of its platform keys such as "em"), or NULL. */
const ReconHashField *
recon_hash_field_lookup(const char *name, size_t len)
{
	for (size_t f = 0; f < N_HASH_FIELDS; f++)
	{
		if (name_is(name, len, hash_fields[f].name))
			return &hash_fields[f];
		for (int k = 0; k < 4 && hash_fields[f].keys[k] != NULL; k++)
		{
			if (name_is(name, len, hash_fields[f].keys[k]))
				return &hash_fields[f];
		}
	}
	return NULL;
}

/* The field's canonical name. */
const char *
recon_hash_field_name(const ReconHashField *field)
{
	return field->name;
}

/* Mask of the platforms the field has a normalization rule for. */
unsigned
recon_hash_field_platforms(const ReconHashField *field)
{
	return field->platforms;
}

/* Comma-separated list of every field name that can be hashed, for error messages. */
const char *
recon_hash_field_list(void)
{
	static char list[512];

	if (list[0] == '\0')
	{
		for (size_t f = 0; f < N_HASH_FIELDS; f++)
		{
			if (f > 0)
				strcat(list, ", ");
			strcat(list, hash_fields[f].name);
		}
	}
	return list;
}

/* NULL when field may be hashed for platform; otherwise a sentence saying why not. */
const char *
recon_hash_field_refusal(const char *name, size_t len, ReconPlatform platform)
{
	const ReconHashField *field;

	for (size_t i = 0; i < sizeof(never_hashed) / sizeof(never_hashed[0]); i++)
	{
		if (name_is(name, len, never_hashed[i]))
			return "click ids, cookies, IP addresses, user agents and lead ids are matched as sent and must never be hashed";
	}
	field = recon_hash_field_lookup(name, len);
	if (field != NULL && (field->clear_for & RECON_PLATFORM_BIT(platform)))
		return "this platform takes the field unhashed (normalized only)";
	return NULL;
}

/* True when s is a digest the platforms accept as already hashed: 64 lower-case hex, optionally ".suffix". */
bool
recon_is_hashed_value(const char *s, size_t len)
{
	if (len == 64)
		return recon_is_lower_hex64(s, 64);
	/* Meta's parameter builders append ".<suffix>" (8 characters today) to hashed values */
	if (len < 66 || len > 64 + 1 + 32 || s[64] != '.' || !recon_is_lower_hex64(s, 64))
		return false;
	for (size_t i = 65; i < len; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The record's country as lower-case alpha-2 in buf (3 bytes), or NULL when it is not a known country. */
static const char *
country_alpha2(const char *country, size_t len, char *buf)
{
	char		small[RECON_COUNTRY_MAX_INPUT_BYTES];
	char	   *out;
	size_t		out_len;

	if (len > sizeof(small) ||
		recon_country_normalize(country, len, RECON_PLATFORM_META, small, &out, &out_len) != 0 ||
		out_len != 2)
		return NULL;
	buf[0] = out[0];
	buf[1] = out[1];
	buf[2] = '\0';
	return buf;
}

/* Normalize s for field and platform, then hash (see hash_identifier.h). */
ReconHashOutcome
recon_hash_identify(const ReconHashField *field, const char *s, size_t len,
					ReconPlatform platform, const char *country, size_t country_len,
					char *hex_out, size_t *passthrough_offset, size_t *passthrough_len,
					const char **reason)
{
	const char *trimmed = s;
	size_t		trimmed_len = len;
	char		small[256];
	char	   *work = small;
	char		alpha2[3];
	char	   *out;
	size_t		out_len;
	int			status;

	/* a digest from an upstream system passes unchanged: hashing it again would never match */
	while (trimmed_len > 0 && (*trimmed == ' ' || *trimmed == '\t'))
		trimmed++, trimmed_len--;
	while (trimmed_len > 0 && (trimmed[trimmed_len - 1] == ' ' || trimmed[trimmed_len - 1] == '\t'))
		trimmed_len--;
	if (recon_is_hashed_value(trimmed, trimmed_len))
	{
		*passthrough_offset = (size_t) (trimmed - s);
		*passthrough_len = trimmed_len;
		return RECON_HASH_PASSED_THROUGH;
	}

	if (country != NULL)
		country = country_alpha2(country, country_len, alpha2);
	if (len > sizeof(small) && (work = malloc(len)) == NULL)
		return RECON_HASH_OUT_OF_MEMORY;
	if (field->kind >= 0)
	{
		ReconFieldArgs args = {platform, country, RECON_DATE_ORDER_MDY};

		status = (int) recon_field_normalize((ReconFieldKind) field->kind, s, len, &args, work, &out, &out_len);
	}
	else
		status = field->normalize(s, len, platform, country, work, &out, &out_len);
	if (status != 0)
	{
		*reason = field->reason(status);
		if (work != small)
			free(work);
		if (strcmp(*reason, "out_of_memory") == 0)
			return RECON_HASH_OUT_OF_MEMORY;
		if (strcmp(*reason, "library_error") == 0)
			return RECON_HASH_LIBRARY_ERROR;
		return RECON_HASH_UNUSABLE;
	}
	recon_sha256_to_hex((const unsigned char *) out, out_len, hex_out);
	if (out != work)
		free(out);
	if (work != small)
		free(work);
	return RECON_HASH_HASHED;
}
