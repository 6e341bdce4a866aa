/*
 * hmac.h: HMAC-SHA-256 (RFC 2104), plain C (see hmac.c).
 */
#ifndef RECON_CORE_HMAC_H
#define RECON_CORE_HMAC_H

#include <stddef.h>

/* Bytes of scratch space recon_hmac_sha256 needs for a message of len bytes. */
#define RECON_HMAC_SCRATCH(len) ((size_t) 64 + (len))

/*
 * HMAC-SHA-256 of msg under key, as the 32-byte digest into out. scratch must hold
 * RECON_HMAC_SCRATCH(msg_len) bytes (the caller allocates: core code does not).
 */
extern void recon_hmac_sha256(const unsigned char *key, size_t key_len,
							  const unsigned char *msg, size_t msg_len,
							  unsigned char *scratch, unsigned char *out);

#endif
