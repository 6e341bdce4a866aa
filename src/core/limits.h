/*
 * limits.h: the largest input each SQL-callable C function accepts, in one
 * place (docs/limits.md; SELECT * FROM recon_limits() lists them). Plain C.
 *
 * What happens over a limit depends on the argument (docs/limits.md):
 * - a name or code that picks a rule, a model, an array, a type's text form,
 *   the strings Jaro-Winkler compares: ERROR 54000 (program_limit_exceeded);
 * - a data value given to a function whose contract is "NULL plus a reason"
 *   (normalizers, hashing, cookie and URL parsers): the value is unusable,
 *   NULL with the reason too_long, and it is not even read (nor detoasted);
 * - a cell or row of a file: the loaders reject the row (too_long).
 */
#ifndef RECON_CORE_LIMITS_H
#define RECON_CORE_LIMITS_H

/* Names and codes that pick a rule (platform, field, currency, time zone...): the longest real one is a 32-byte zone name. */
#define RECON_MAX_NAME_BYTES 256

/* One contact value or id (email, phone, name, city, zip, external id, platform id, Meta cookie): an email is at most 254 bytes. */
#define RECON_MAX_IDENTIFIER_BYTES 4096

/* A landing-page URL read for click ids: web servers refuse more than 8-16 kB; 64 kB leaves room for long consent strings. */
#define RECON_MAX_URL_BYTES 65536

/* Strings Jaro-Winkler compares, in characters: the cost grows with the product of the two lengths (4,096 x 4,096: 6 ms). */
#define RECON_MAX_JARO_CHARS 4096

/* One cell of an export file, and the numbers, dates and times parsed from cells: HubSpot's longest text property is 65,536 characters (256 kB in UTF-8). */
#define RECON_MAX_CELL_BYTES 262144

/* One record of a file (a CSV record, a JSON row) and a line recon_csv_fields splits: 64 cells at the cell limit. */
#define RECON_MAX_ROW_BYTES 16777216

/* One value recon_sha256_hex, recon_hmac_sha256_hex or recon_internal_key hashes: cells and rows (up to the row limit); hashing is linear, this bounds one call to ~0.3 s. */
#define RECON_MAX_HASH_BYTES 67108864

/* An HMAC key: 32 to 64 bytes in practice (longer ones are hashed to 32 first). */
#define RECON_MAX_KEY_BYTES 1024

/* A Fellegi-Sunter model (jsonb): 16 comparisons of 15 levels with labels take about 20 kB. */
#define RECON_MAX_MODEL_BYTES 1048576

/* Models recon_fs_average_m averages: one per blocking rule. */
#define RECON_MAX_MODELS 1024

/* Distinct comparison patterns one recon_fs_patterns holds: EM loops over them; real data shows thousands (state: 32 MB at the limit). */
#define RECON_MAX_FS_PATTERNS 1048576

/* The text form of an aggregate state (recon_bridge_state): the real one is under 2 kB. */
#define RECON_MAX_STATE_TEXT_BYTES 65536

#endif
