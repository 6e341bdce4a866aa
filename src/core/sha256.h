/*
 * sha256.h: SHA-256 as lower-case hex, plain C (see sha256.c).
 */
#ifndef RECON_CORE_SHA256_H
#define RECON_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256 of len bytes, written as 64 lower-case hex characters into out (no NUL). */
extern void recon_sha256_to_hex(const unsigned char *data, size_t len, char *out);

/* SHA-256 of len bytes as the 32-byte binary digest. */
extern void recon_sha256_to_bytes(const unsigned char *data, size_t len, unsigned char *out);

/* 32 digest bytes as 64 lower-case hex characters into out (no NUL). */
extern void recon_digest_to_hex(const unsigned char *digest, char *out);

/* Which compression recon_sha256_to_hex uses on this machine: "sha-ni" or "portable". */
extern const char *recon_sha256_implementation(void);

/* True when s is exactly 64 lower-case hex characters (an already hashed value). */
extern bool recon_is_lower_hex64(const char *s, size_t len);

#endif
