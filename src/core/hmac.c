/*
 * hmac.c: HMAC-SHA-256 (RFC 2104 with SHA-256, checked against RFC 4231's vectors).
 * recon uses it for internal keys under a secret pepper; keys sent to the ad
 * platforms stay plain SHA-256, which is what they match on.
 */
#include <string.h>
#include <strings.h>

#include "core/hmac.h"
#include "core/sha256.h"

#define BLOCK 64

/* HMAC-SHA-256: H((K ^ opad) || H((K ^ ipad) || msg)), K padded or hashed to one block. */
void
recon_hmac_sha256(const unsigned char *key, size_t key_len,
				  const unsigned char *msg, size_t msg_len,
				  unsigned char *scratch, unsigned char *out)
{
	unsigned char block_key[BLOCK];
	unsigned char outer[BLOCK + 32];

	memset(block_key, 0, BLOCK);
	if (key_len > BLOCK)
		recon_sha256_to_bytes(key, key_len, block_key);
	else if (key_len > 0)
		memcpy(block_key, key, key_len);

	for (int i = 0; i < BLOCK; i++)
		scratch[i] = block_key[i] ^ 0x36;
	if (msg_len > 0)
		memcpy(scratch + BLOCK, msg, msg_len);
	recon_sha256_to_bytes(scratch, BLOCK + msg_len, outer + BLOCK);

	for (int i = 0; i < BLOCK; i++)
		outer[i] = block_key[i] ^ 0x5c;
	recon_sha256_to_bytes(outer, sizeof(outer), out);

	/* the key must not linger in memory (explicit_bzero: a plain memset may be elided) */
	explicit_bzero(block_key, BLOCK);
	explicit_bzero(outer, BLOCK);
	explicit_bzero(scratch, BLOCK);
}
