/*
 * fellegi_sunter.c: match weights and their estimation (see fellegi_sunter.h).
 *
 * EM works on distinct patterns with counts, never on pairs: a million
 * candidate pairs show a few hundred patterns, so each iteration is cheap.
 */
#include "linkage/fellegi_sunter.h"

#include <math.h>

/* Pack levels into a key, four bits each. */
uint64_t
recon_fs_key(const int *levels, int n)
{
	uint64_t	key = 0;

	for (int k = 0; k < n; k++)
		key |= (uint64_t) (levels[k] & 0xF) << (4 * k);
	return key;
}

/* Keep a probability inside (0, 1). */
static double
clamp_probability(double p)
{
	if (!(p > RECON_FS_MIN_PROBABILITY))
		return RECON_FS_MIN_PROBABILITY;
	if (p > 1 - RECON_FS_MIN_PROBABILITY)
		return 1 - RECON_FS_MIN_PROBABILITY;
	return p;
}

/* Prior odds as a weight. */
double
recon_fs_prior_weight(double prior)
{
	prior = clamp_probability(prior);
	return log2(prior / (1 - prior));
}

/* log2(m / u) of one level; missing adds nothing. */
double
recon_fs_level_weight(const ReconFsModel *model, int k, int level, double tf)
{
	double		u;

	if (level == RECON_LEVEL_NULL)
		return 0;
	u = (level == RECON_LEVEL_EXACT && tf > 0) ? tf : model->u[k][level];
	return log2(clamp_probability(model->m[k][level]) / clamp_probability(u));
}

/* 2^w / (1 + 2^w), written as 1 / (1 + 2^-w) so that large weights do not overflow. */
double
recon_fs_probability(double weight)
{
	if (weight > 1000)
		return 1;
	if (weight < -1000)
		return 0;
	return 1 / (1 + exp2(-weight));
}

/* Pairs at each non-missing level of comparison k (counts[1..nlevels]); returns their total. */
static double
level_counts(const ReconFsModel *model, int k, const ReconFsPattern *patterns, int npatterns, double *counts)
{
	double		total = 0;

	for (int l = 0; l <= RECON_LEVEL_MAX; l++)
		counts[l] = 0;
	for (int p = 0; p < npatterns; p++)
	{
		int			level = recon_fs_key_level(patterns[p].key, k);

		if (level != RECON_LEVEL_NULL && level <= model->nlevels[k])
		{
			counts[level] += patterns[p].count;
			total += patterns[p].count;
		}
	}
	return total;
}

/* Level shares of comparison k among non-missing pairs, half a pair added per level; false when none. */
static bool
level_shares(const ReconFsModel *model, int k, const ReconFsPattern *patterns, int npatterns, double *shares)
{
	double		counts[RECON_LEVEL_MAX + 1];
	double		seen = level_counts(model, k, patterns, npatterns, counts);
	double		total = seen + 0.5 * model->nlevels[k];

	for (int l = 1; l <= model->nlevels[k]; l++)
		shares[l] = (counts[l] + 0.5) / total;
	return seen > 0;
}

/* u from random pairs: level shares among non-missing pairs, half a pair added per level. */
void
recon_fs_u_from_random_pairs(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns)
{
	for (int k = 0; k < model->ncomparisons; k++)
		(void) level_shares(model, k, patterns, npatterns, model->u[k]);
}

/* m from known matches: the same shares; comparisons never seen keep their m. */
void
recon_fs_m_from_matches(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns)
{
	for (int k = 0; k < model->ncomparisons; k++)
	{
		double		shares[RECON_LEVEL_MAX + 1];

		if (level_shares(model, k, patterns, npatterns, shares))
			for (int l = 1; l <= model->nlevels[k]; l++)
				model->m[k][l] = shares[l];
	}
}

/* Log-likelihood of a pattern under m (match) or u (non-match), missing levels skipped. */
static double
pattern_log2(const ReconFsModel *model, uint64_t key, bool match)
{
	double		sum = 0;

	for (int k = 0; k < model->ncomparisons; k++)
	{
		int			level = recon_fs_key_level(key, k);

		if (level == RECON_LEVEL_NULL || level > model->nlevels[k])
			continue;
		sum += log2(clamp_probability(match ? model->m[k][level] : model->u[k][level]));
	}
	return sum;
}

/* EM for m and the prior (see fellegi_sunter.h). */
int
recon_fs_em(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns,
			bool update_u, int max_iterations, double tolerance, bool *converged)
{
	int			iteration = 0;

	*converged = false;
	while (iteration < max_iterations)
	{
		double		expected[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1] = {{0}};
		double		expected_non[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1] = {{0}};
		double		matches = 0,
					total = 0,
					change = 0,
					log_odds = recon_fs_prior_weight(model->prior);

		iteration++;
		/* E step: the probability that each pattern is a match, spread over its levels */
		for (int p = 0; p < npatterns; p++)
		{
			uint64_t	key = patterns[p].key;
			double		w = log_odds + pattern_log2(model, key, true) - pattern_log2(model, key, false);
			double		share = patterns[p].count * recon_fs_probability(w);

			matches += share;
			total += patterns[p].count;
			for (int k = 0; k < model->ncomparisons; k++)
			{
				expected[k][recon_fs_key_level(key, k)] += share;
				expected_non[k][recon_fs_key_level(key, k)] += patterns[p].count - share;
			}
		}
		if (total == 0)
			break;
		/* M step: new u (smoothed as in recon_fs_u_from_random_pairs) or new m per free comparison; new prior */
		for (int k = 0; k < model->ncomparisons && update_u; k++)
		{
			double		sum = 0;

			for (int l = 1; l <= model->nlevels[k]; l++)
				sum += expected_non[k][l] + 0.5;
			for (int l = 1; l <= model->nlevels[k]; l++)
			{
				double		u = (expected_non[k][l] + 0.5) / sum;

				change = fmax(change, fabs(u - model->u[k][l]));
				model->u[k][l] = u;
			}
		}
		for (int k = 0; k < model->ncomparisons && !update_u; k++)
		{
			double		sum = 0;

			if (model->fixed_m[k])
				continue;
			for (int l = 1; l <= model->nlevels[k]; l++)
				sum += expected[k][l];
			if (sum <= 0)
				continue;		/* every pair missing this field: nothing learnt */
			for (int l = 1; l <= model->nlevels[k]; l++)
			{
				double		m = clamp_probability(expected[k][l] / sum);

				change = fmax(change, fabs(m - model->m[k][l]));
				model->m[k][l] = m;
			}
		}
		change = fmax(change, fabs(clamp_probability(matches / total) - model->prior));
		model->prior = clamp_probability(matches / total);
		if (change < tolerance)
		{
			*converged = true;
			break;
		}
	}
	return iteration;
}

/* u from random pairs minus their expected true matches (see fellegi_sunter.h). */
void
recon_fs_u_without_matches(ReconFsModel *model, const ReconFsPattern *patterns, int npatterns, double prior)
{
	prior = clamp_probability(prior);
	for (int k = 0; k < model->ncomparisons; k++)
	{
		double		counts[RECON_LEVEL_MAX + 1];
		double		total = level_counts(model, k, patterns, npatterns, counts),
					sum = 0;

		if (total == 0)
			continue;			/* nothing seen: keep u */
		for (int l = 1; l <= model->nlevels[k]; l++)
		{
			double		share = counts[l] / total;

			model->u[k][l] = fmax(share - prior * model->m[k][l], 0.5 / total) / (1 - prior);
			sum += model->u[k][l];
		}
		for (int l = 1; l <= model->nlevels[k]; l++)
			model->u[k][l] /= sum;
	}
	model->prior = prior;
}
