/*
 * fs_model.h: a Fellegi-Sunter model as jsonb, read into and written from
 * ReconFsModel (see fs_model_sql.c). The jsonb form is what analysts keep,
 * read and version:
 *
 *   {"prior": 0.0002,
 *    "comparisons": [{"name": "surname", "labels": ["exact", "jw >= 0.92", "else"],
 *                     "m": [0.9, 0.07, 0.03], "u": [0.001, 0.004, 0.995]}, ...]}
 *
 * m[i] and u[i] belong to level i + 1; level 0 (missing) has no entry.
 */
#ifndef RECON_LINKAGE_FS_MODEL_H
#define RECON_LINKAGE_FS_MODEL_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "core/limits_sql.h"
#include "linkage/fellegi_sunter.h"

/* The hint of the model size limit (RECON_MAX_MODEL_BYTES). */
#define FS_MODEL_SIZE_HINT "A model of 16 comparisons with labels takes about 20 kB; pass the model recon_fs_estimate_u and recon_fs_estimate_m return."

typedef struct FsModelInfo
{
	ReconFsModel model;
	char	   *names[RECON_FS_MAX_COMPARISONS];
	char	   *labels[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1];	/* [k][level], NULL when unnamed */
	double		em_pairs;		/* pairs the last EM saw; < 0 when none */
	int			em_iterations;
	bool		em_converged;
} FsModelInfo;

/* Read and validate a model (errors 22023 name the key at fault). */
extern void fs_model_read(Jsonb *json, FsModelInfo *info);

/* The model as jsonb. */
extern Jsonb *fs_model_write(const FsModelInfo *info);

/* The model of a function argument, parsed once per distinct value and kept in fn_extra. */
extern const FsModelInfo *fs_model_arg(FunctionCallInfo fcinfo, int argno);

/* Index of the comparison called name, or -1. */
extern int	fs_model_find(const FsModelInfo *info, const char *name);

#endif
