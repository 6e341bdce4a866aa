/*
 * sha256.c: SHA-256 (FIPS 180-4) written as 64 lower-case hex characters, in
 * plain C with no server dependency, so identity code and the fuzz harnesses
 * can hash without a per-row context or allocation.
 */
#include "core/sha256.h"

#include <stdlib.h>
#include <string.h>

/* Round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Mix one 64-byte block into the running state. */
static void
sha256_block(uint32_t state[8], const unsigned char *block)
{
	uint32_t		w[64];
	uint32_t		a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t		e = state[4], f = state[5], g = state[6], h = state[7];

	for (int i = 0; i < 16; i++)
		w[i] = ((uint32_t) block[4 * i] << 24) | ((uint32_t) block[4 * i + 1] << 16) |
			((uint32_t) block[4 * i + 2] << 8) | (uint32_t) block[4 * i + 3];
	for (int i = 16; i < 64; i++)
	{
		uint32_t		s0 = ROTR32(w[i - 15], 7) ^ ROTR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t		s1 = ROTR32(w[i - 2], 17) ^ ROTR32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i++)
	{
		uint32_t		t1 = h + (ROTR32(e, 6) ^ ROTR32(e, 11) ^ ROTR32(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		uint32_t		t2 = (ROTR32(a, 2) ^ ROTR32(a, 13) ^ ROTR32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RECON_HAVE_SHANI_PATH 1
#include <cpuid.h>
#include <immintrin.h>

/*
 * The same compression with the x86 SHA extensions (SHA-NI): one instruction
 * does two rounds, about four times faster than the portable loop. The state is
 * kept as the ABEF / CDGH register pair those instructions expect.
 */
__attribute__((target("sha,sse4.1")))
static void
sha256_blocks_shani(uint32_t state[8], const unsigned char *data, size_t nblocks)
{
	const __m128i byte_swap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i		dcba = _mm_loadu_si128((const __m128i *) &state[0]);
	__m128i		hgfe = _mm_loadu_si128((const __m128i *) &state[4]);
	__m128i		cdab = _mm_shuffle_epi32(dcba, 0xB1);
	__m128i		efgh = _mm_shuffle_epi32(hgfe, 0x1B);
	__m128i		abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i		cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

	for (; nblocks > 0; nblocks--, data += 64)
	{
		__m128i		abef_in = abef,
					cdgh_in = cdgh;
		__m128i		w[4];

		for (int g = 0; g < 4; g++)
			w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (data + 16 * g)), byte_swap);
		for (int g = 0; g < 16; g++)
		{
			__m128i		msg;

			/* w[g % 4] holds W[4g-16..4g-13] here; extend the schedule by four words */
			if (g >= 4)
				w[g % 4] = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]),
								  _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4)),
					w[(g + 3) % 4]);
			msg = _mm_add_epi32(w[g % 4], _mm_loadu_si128((const __m128i *) &sha256_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	{
		__m128i		feba = _mm_shuffle_epi32(abef, 0x1B);
		__m128i		dchg = _mm_shuffle_epi32(cdgh, 0xB1);

		_mm_storeu_si128((__m128i *) &state[0], _mm_blend_epi16(feba, dchg, 0xF0));
		_mm_storeu_si128((__m128i *) &state[4], _mm_alignr_epi8(dchg, feba, 8));
	}
}

/* True when this CPU has the SHA extensions and the SSSE3/SSE4.1 shuffles the path uses. */
static bool
cpu_has_shani(void)
{
	unsigned int a,
				b,
				c,
				d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & bit_SHA) != 0;
}
#endif

/* The portable compression over nblocks consecutive blocks. */
static void
sha256_blocks_portable(uint32_t state[8], const unsigned char *data, size_t nblocks)
{
	for (; nblocks > 0; nblocks--, data += 64)
		sha256_block(state, data);
}

typedef void (*Sha256Blocks) (uint32_t state[8], const unsigned char *data, size_t nblocks);

/* The compression this CPU runs fastest, chosen on first use (RECON_SHA256_PORTABLE=1 in the environment forces the portable one). */
static Sha256Blocks
sha256_blocks_impl(void)
{
	static Sha256Blocks chosen = NULL;

	if (chosen == NULL)
	{
		chosen = sha256_blocks_portable;
#ifdef RECON_HAVE_SHANI_PATH
		{
			const char *force = getenv("RECON_SHA256_PORTABLE");

			if (cpu_has_shani() && !(force != NULL && force[0] == '1'))
				chosen = sha256_blocks_shani;
		}
#endif
	}
	return chosen;
}

/* Which compression recon_sha256_to_hex uses on this machine: "sha-ni" or "portable". */
const char *
recon_sha256_implementation(void)
{
	return sha256_blocks_impl() == sha256_blocks_portable ? "portable" : "sha-ni";
}

/* SHA-256 of len bytes as the 32-byte binary digest (HMAC needs it raw). */
void
recon_sha256_to_bytes(const unsigned char *data, size_t len, unsigned char *out)
{
	uint32_t	state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
							0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	unsigned char tail[128];
	size_t		full = len - len % 64;
	size_t		rest = len - full;
	size_t		tail_len = rest < 56 ? 64 : 128;
	uint64_t	bits = (uint64_t) len * 8;
	Sha256Blocks blocks = sha256_blocks_impl();

	blocks(state, data, full / 64);

	/* padding: the last bytes, a 1 bit, zeros, and the message length in bits */
	memset(tail, 0, sizeof(tail));
	memcpy(tail, data + full, rest);
	tail[rest] = 0x80;
	for (int i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (unsigned char) (bits >> (8 * i));
	blocks(state, tail, tail_len / 64);

	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char) (state[i] >> (24 - 8 * j));
}

/* 32 digest bytes as 64 lower-case hex characters into out (no NUL). */
void
recon_digest_to_hex(const unsigned char *digest, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
}

/* SHA-256 of len bytes, written as 64 lower-case hex characters into out (no NUL). */
void
recon_sha256_to_hex(const unsigned char *data, size_t len, char *out)
{
	unsigned char digest[32];

	recon_sha256_to_bytes(data, len, digest);
	recon_digest_to_hex(digest, out);
}

/* 1 for the characters of a lower-case hex digest. */
static const uint8_t is_lower_hex_char[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
};

/* True when s is exactly 64 lower-case hex characters: a table lookup per byte, no branches to mispredict. */
bool
recon_is_lower_hex64(const char *s, size_t len)
{
	unsigned int hits = 0;

	if (len != 64)
		return false;
	for (int i = 0; i < 64; i++)
		hits += is_lower_hex_char[(unsigned char) s[i]];
	return hits == 64;
}
