/*
 * platform.h: the ad platforms whose identifier rules recon follows, by name.
 * Plain C; each normalizer accepts a subset (a bit mask of these values).
 */
#ifndef RECON_IDENTITY_PLATFORM_H
#define RECON_IDENTITY_PLATFORM_H

#include <stddef.h>

typedef enum ReconPlatform
{
	RECON_PLATFORM_META = 0,
	RECON_PLATFORM_GOOGLE,
	RECON_PLATFORM_TIKTOK,
	RECON_PLATFORM_LINKEDIN,
	RECON_PLATFORM_SNAP,
	RECON_PLATFORM_GENERIC,
	RECON_PLATFORM_COUNT
} ReconPlatform;

#define RECON_PLATFORM_BIT(p) (1u << (p))
#define RECON_PLATFORMS_ALL ((1u << RECON_PLATFORM_COUNT) - 1)

/* The platform called name (case-insensitive, surrounding blanks ignored), or -1. */
extern int	recon_platform_lookup(const char *name, size_t len);

/* The canonical lower-case name of a platform. */
extern const char *recon_platform_name(ReconPlatform platform);

#endif
