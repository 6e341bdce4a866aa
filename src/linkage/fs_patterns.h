/*
 * fs_patterns.h: the recon_fs_patterns type, a histogram of comparison
 * patterns (see fs_patterns_sql.c): the state of recon_fs_pattern_counts and
 * the input of m and u estimation.
 */
#ifndef RECON_LINKAGE_FS_PATTERNS_H
#define RECON_LINKAGE_FS_PATTERNS_H

#include "postgres.h"

#include "linkage/fellegi_sunter.h"

/* Open-addressing hash table in one varlena; a slot with count 0 is empty. */
typedef struct FsPatterns
{
	int32		vl_len_;
	int32		ncomparisons;	/* 0 until the first pattern */
	int32		capacity;		/* a power of two */
	int32		used;
	ReconFsPattern entries[FLEXIBLE_ARRAY_MEMBER];
} FsPatterns;

#define DatumGetFsPatterns(d) ((FsPatterns *) PG_DETOAST_DATUM(d))
#define PG_GETARG_FS_PATTERNS(n) DatumGetFsPatterns(PG_GETARG_DATUM(n))

/* The occupied entries, copied into a palloc'd array (*n of them). */
extern ReconFsPattern *fs_patterns_list(const FsPatterns *p, int *n);

#endif
