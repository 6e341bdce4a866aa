/*
 * text.h: UTF-8 text utilities shared by the identity normalizers: validation,
 * trimming, code point classes and Unicode folding (NFC + lower case).
 *
 * Plain C plus ICU's C API (no server headers), so the fuzz harnesses can link
 * it outside the server. Results that do not fit the caller's buffer come back
 * in memory from malloc(); the caller frees them with free().
 */
#ifndef RECON_CORE_TEXT_H
#define RECON_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one UTF-8 code point at s (len > 0); returns its byte length, 0 when the bytes are not valid UTF-8. */
extern int	recon_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF). */
extern bool recon_utf8_is_valid(const char *s, size_t len);

/* True when every byte is below 0x80. */
extern bool recon_text_is_ascii(const char *s, size_t len);

/* Unicode White_Space, plus the zero-width space and BOM that spreadsheets and web forms leave behind. */
extern bool recon_cp_is_space(uint32_t cp);

/* C0 and C1 control characters and DEL (white space ones included). */
extern bool recon_cp_is_control(uint32_t cp);

/* Letters of any script, and the combining marks that belong to them (so Devanagari and decomposed accents survive). */
extern bool recon_cp_is_letter(uint32_t cp);

/* ASCII white space: space, tab, line feed, vertical tab, form feed, carriage return (what recon_cp_is_space gives below 0x80). */
#define RECON_IS_ASCII_SPACE(c) ((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))

/* Decimal digits 0-9 (ASCII only: other scripts' digits are not postal or date digits here). */
#define RECON_IS_ASCII_DIGIT(c) ((c) >= '0' && (c) <= '9')

/* Narrow *s and *len to drop leading and trailing white space (recon_cp_is_space); input must be valid UTF-8. */
extern void recon_text_trim(const char **s, size_t *len);

/*
 * Fold to NFC, then full lower case (root locale, so the result does not depend
 * on the server's locale), then NFC again. ASCII input is lower-cased into
 * out_buf (which must hold len bytes) and *out points there; other input goes
 * through ICU and *out is a malloc'd buffer the caller must free() when it is
 * not out_buf. Returns false when ICU fails (memory); input must be valid UTF-8.
 */
extern bool recon_text_fold(const char *s, size_t len, char *out_buf,
							char **out, size_t *out_len);

#endif
