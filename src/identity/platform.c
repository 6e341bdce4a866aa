/*
 * platform.c: platform names (see platform.h).
 */
#include "identity/platform.h"

#include <string.h>
#include <strings.h>

static const char *const platform_names[RECON_PLATFORM_COUNT] = {
	[RECON_PLATFORM_META] = "meta",
	[RECON_PLATFORM_GOOGLE] = "google",
	[RECON_PLATFORM_TIKTOK] = "tiktok",
	[RECON_PLATFORM_LINKEDIN] = "linkedin",
	[RECON_PLATFORM_SNAP] = "snap",
	[RECON_PLATFORM_GENERIC] = "generic",
};

/* The platform called name (case-insensitive, surrounding blanks ignored), or -1. */
int
recon_platform_lookup(const char *name, size_t len)
{
	while (len > 0 && (*name == ' ' || *name == '\t'))
		name++, len--;
	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	for (int p = 0; p < RECON_PLATFORM_COUNT; p++)
	{
		if (strlen(platform_names[p]) == len && strncasecmp(platform_names[p], name, len) == 0)
			return p;
	}
	return -1;
}

/* The canonical lower-case name of a platform. */
const char *
recon_platform_name(ReconPlatform platform)
{
	return platform_names[platform];
}
