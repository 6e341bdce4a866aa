/*
 * fellegi_sunter.h: Fellegi-Sunter match weights and the estimation of their
 * m and u probabilities, plain C (see fellegi_sunter.c).
 *
 * A pair of records is described by its comparison levels (one per compared
 * field, see comparison.h). Level l of comparison k adds log2(m[k][l] / u[k][l])
 * to the prior weight log2(prior / (1 - prior)); level 0 (missing) adds nothing.
 * m: how often matches show level l; u: how often non-matches do.
 */
#ifndef RECON_LINKAGE_FELLEGI_SUNTER_H
#define RECON_LINKAGE_FELLEGI_SUNTER_H

#include <stdbool.h>
#include <stdint.h>

#include "linkage/comparison.h"

/* Sixteen comparisons of four-bit levels make one 64-bit pattern key. */
#define RECON_FS_MAX_COMPARISONS 16

/* Probabilities are kept away from 0 and 1 so that every weight stays finite. */
#define RECON_FS_MIN_PROBABILITY 1e-9

typedef struct ReconFsModel
{
	int			ncomparisons;
	int			nlevels[RECON_FS_MAX_COMPARISONS];	/* non-missing levels: 1..nlevels */
	double		m[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1];	/* index = level; [0] unused */
	double		u[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1];
	bool		fixed_m[RECON_FS_MAX_COMPARISONS];	/* EM leaves these m alone (a blocking rule's own fields) */
	double		prior;			/* share of matches among the pairs scored */
} ReconFsModel;

/* A distinct comparison pattern and how many pairs showed it. */
typedef struct ReconFsPattern
{
	uint64_t	key;
	double		count;
} ReconFsPattern;

/* Level of comparison k in a pattern key. */
static inline int
recon_fs_key_level(uint64_t key, int k)
{
	return (int) ((key >> (4 * k)) & 0xF);
}

/* Pack levels (each 0..15) into a pattern key. */
extern uint64_t recon_fs_key(const int *levels, int n);

/* log2(prior / (1 - prior)). */
extern double recon_fs_prior_weight(double prior);

/*
 * Weight of one comparison at a level; tf > 0 replaces u of the exact level by
 * the term frequency of the agreeing value (common names weigh less).
 */
extern double recon_fs_level_weight(const ReconFsModel *model, int k, int level, double tf);

/* Probability from a weight: 2^w / (1 + 2^w), computed without overflow. */
extern double recon_fs_probability(double weight);

/*
 * u estimated from the patterns of random pairs (nearly all non-matches):
 * per comparison, the share of non-missing pairs at each level, with half a
 * pair added to every level so that an unseen level keeps a finite weight.
 */
extern void recon_fs_u_from_random_pairs(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns);

/*
 * m from the patterns of known matches (pairs an exact id already linked):
 * per comparison, the share of non-missing pairs at each level, half a pair
 * added per level. Comparisons the matches never show keep their m.
 */
extern void recon_fs_m_from_matches(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns);

/*
 * Expectation-maximisation over patterns. With update_u false: m and the
 * prior over one blocking rule's pairs, u held fixed, comparisons with fixed_m
 * untouched. With update_u true: u and the prior over random pairs, m held
 * fixed. Returns the iterations run; *converged tells whether the largest
 * change fell below tolerance.
 */
extern int	recon_fs_em(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns,
						bool update_u, int max_iterations, double tolerance, bool *converged);

/*
 * u from random pairs with their expected true matches taken out: a level's
 * share among random pairs is prior * m + (1 - prior) * u, so
 * u = (share - prior * m) / (1 - prior), kept above half a pair and
 * renormalized. For a near-unique key (a customer id) the true matches are
 * nearly all of its random agreements; without this u would be about
 * 1 / n instead of about 0. Sets model->prior to prior.
 */
extern void recon_fs_u_without_matches(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns,
									   double prior);

#endif
