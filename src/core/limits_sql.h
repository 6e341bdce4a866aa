/*
 * limits_sql.h: checking SQL arguments against the limits of core/limits.h.
 * Sizes are read from the datum's header, so an oversized value is refused
 * before it is detoasted or decompressed.
 */
#ifndef RECON_CORE_LIMITS_SQL_H
#define RECON_CORE_LIMITS_SQL_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "core/limits.h"

/* Bytes of the data of varlena argument argno (not NULL), without detoasting it. */
extern Size recon_arg_bytes(FunctionCallInfo fcinfo, int argno);

/* True when varlena argument argno (not NULL) holds more than limit bytes. */
extern bool recon_arg_too_long(FunctionCallInfo fcinfo, int argno, Size limit);

/*
 * ERROR 54000 when varlena argument argno (NULL passes) holds more than limit
 * bytes: "<function>: <what> is N bytes, more than the limit of L", with hint.
 */
extern void recon_check_arg_bytes(FunctionCallInfo fcinfo, int argno, Size limit, const char *what,
								  const char *hint);

/* The same check for a size already known (a cstring, a value read elsewhere). */
extern void recon_check_bytes(FunctionCallInfo fcinfo, Size bytes, Size limit, const char *what,
							  const char *hint);

/* ERROR 54000 when an array has more than limit elements (checked before deconstructing it). */
extern void recon_check_array_items(FunctionCallInfo fcinfo, ArrayType *array, int limit, const char *what,
									const char *hint);

/* ERROR 54000 when name argument argno (a platform, field, code...) is over RECON_MAX_NAME_BYTES. */
#define recon_check_name_arg(fcinfo, argno, what) \
	recon_check_arg_bytes((fcinfo), (argno), RECON_MAX_NAME_BYTES, (what), \
						  "No name or code recon knows comes near that length; check the order of the arguments.")

#endif
