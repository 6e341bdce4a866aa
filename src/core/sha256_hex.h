/*
 * sha256_hex.h: digests as SQL text values (see sha256_hex.c).
 */
#ifndef RECON_CORE_SHA256_HEX_H
#define RECON_CORE_SHA256_HEX_H

#include "postgres.h"

/* A 32-byte digest as a palloc'd text of 64 lower-case hex characters. */
extern text *recon_digest_text(const unsigned char *digest);

#endif
