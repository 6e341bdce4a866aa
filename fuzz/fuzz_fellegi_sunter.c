/*
 * fuzz_fellegi_sunter.c: libFuzzer harness for comparison levels and
 * Fellegi-Sunter estimation (src/linkage/comparison.c, fellegi_sunter.c).
 * The input bytes become a model shape, m and u, threshold lists and a set of
 * patterns with counts.
 *
 * Checks beyond "no crash": levels stay within [2, n + 2]; the percentage
 * difference is symmetric and never negative; after EM the prior lies in
 * (0, 1), every free comparison's m sums to 1, u (also with the expected
 * matches taken out) sums to 1, weights are
 * finite and probabilities lie in [0, 1].
 */
/* fuzz-sources: src/linkage/comparison.c src/linkage/fellegi_sunter.c */
/* fuzz-libs: -lm */
/* fuzz-max-len: 2048 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linkage/comparison.h"
#include "linkage/fellegi_sunter.h"

/* Stop the run with a finding when an invariant breaks. */
static void
require(int ok)
{
	if (!ok)
		abort();
}

/* The next input byte, 0 when the input is used up. */
static unsigned
next(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

/* A probability-like value in (0, 1] from one byte. */
static double
share(unsigned byte)
{
	return (byte + 1) / 256.0;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data,
			   *end = data + size;
	ReconFsModel model;
	ReconFsPattern patterns[64];
	double		thresholds[RECON_MAX_THRESHOLDS + 2];
	int			nthresholds = next(&p, end) % (RECON_MAX_THRESHOLDS + 2),
				npatterns = 0,
				bad;
	bool		converged;

	/* threshold validation and levels */
	for (int i = 0; i < nthresholds; i++)
		thresholds[i] = ((int) next(&p, end) - 16) / 32.0;
	(void) recon_thresholds_problem(thresholds, nthresholds, next(&p, end) & 1, 1.0, &bad);
	if (nthresholds <= RECON_MAX_THRESHOLDS)
	{
		double		x = ((int) next(&p, end) - 64) / 16.0;
		int			ls = recon_level_of_similarity(x, thresholds, nthresholds);
		int			ld = recon_level_of_distance(x, thresholds, nthresholds);

		require(ls >= 2 && ls <= nthresholds + 2 && ld >= 2 && ld <= nthresholds + 2);
	}
	{
		double		a = ((int) next(&p, end) - 128) * 3.5,
					b = ((int) next(&p, end) - 128) * 0.25;

		require(recon_percent_difference(a, b) >= 0 && recon_percent_difference(a, b) == recon_percent_difference(b, a));
	}

	/* a model */
	memset(&model, 0, sizeof(model));
	model.ncomparisons = 1 + next(&p, end) % RECON_FS_MAX_COMPARISONS;
	model.prior = share(next(&p, end)) * 0.99;
	for (int k = 0; k < model.ncomparisons; k++)
	{
		model.nlevels[k] = 2 + next(&p, end) % (RECON_LEVEL_MAX - 1);
		model.fixed_m[k] = next(&p, end) % 4 == 0;
		for (int l = 1; l <= model.nlevels[k]; l++)
		{
			model.m[k][l] = share(next(&p, end)) / model.nlevels[k];
			model.u[k][l] = share(next(&p, end)) / model.nlevels[k];
		}
	}
	/* patterns: the rest of the input */
	while (p < end && npatterns < 64)
	{
		int			levels[RECON_FS_MAX_COMPARISONS];

		for (int k = 0; k < model.ncomparisons; k++)
			levels[k] = next(&p, end) % (model.nlevels[k] + 1);
		patterns[npatterns].key = recon_fs_key(levels, model.ncomparisons);
		for (int k = 0; k < model.ncomparisons; k++)
			require(recon_fs_key_level(patterns[npatterns].key, k) == levels[k]);
		patterns[npatterns].count = 1 + next(&p, end) * 1000.0;
		npatterns++;
	}

	recon_fs_u_from_random_pairs(&model, patterns, npatterns);
	for (int round = 0; round < 3; round++)
	{
		if (round < 2)
			(void) recon_fs_em(&model, patterns, npatterns, round == 1, 30, 1e-6, &converged);
		else
			recon_fs_u_without_matches(&model, patterns, npatterns, share(next(&p, end)) * 0.5);
		require(model.prior > 0 && model.prior < 1);
		for (int k = 0; k < model.ncomparisons; k++)
		{
			double		msum = 0,
						usum = 0;

			for (int l = 1; l <= model.nlevels[k]; l++)
			{
				msum += model.m[k][l];
				usum += model.u[k][l];
			}
			require(fabs(usum - 1) < 1e-6);
			if (!model.fixed_m[k] && npatterns > 0 && round == 0)
				require(msum < 1 + 1e-6);
		}
	}
	for (int i = 0; i < npatterns; i++)
	{
		double		w = recon_fs_prior_weight(model.prior);

		for (int k = 0; k < model.ncomparisons; k++)
			w += recon_fs_level_weight(&model, k, recon_fs_key_level(patterns[i].key, k), i % 3 ? 0 : 0.01);
		require(isfinite(w));
		require(recon_fs_probability(w) >= 0 && recon_fs_probability(w) <= 1);
	}
	return 0;
}
