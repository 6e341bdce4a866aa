/*
 * comparison.h: comparison levels of probabilistic record linkage, plain C
 * (see comparison.c). A comparison turns two values into a small level number:
 *
 *   0        a side is missing (the comparison says nothing; weight 0)
 *   1        the values are equal
 *   2..n+1   the first threshold the pair still meets (thresholds ordered from strict to loose)
 *   n+2      none of them: the values disagree
 */
#ifndef RECON_LINKAGE_COMPARISON_H
#define RECON_LINKAGE_COMPARISON_H

/* Levels fit in four bits (0..15), so a pattern of 16 comparisons fits in 64 bits. */
#define RECON_LEVEL_NULL 0
#define RECON_LEVEL_EXACT 1
#define RECON_LEVEL_MAX 15
#define RECON_MAX_THRESHOLDS (RECON_LEVEL_MAX - 2)

/* Level of a similarity (higher is closer) against thresholds in decreasing order. */
extern int	recon_level_of_similarity(double similarity, const double *thresholds, int n);

/* Level of a distance (lower is closer) against limits in increasing order. */
extern int	recon_level_of_distance(double distance, const double *limits, int n);

/* Percentage difference of two amounts: |a - b| / max(|a|, |b|) * 100 (0 when both are 0). */
extern double recon_percent_difference(double a, double b);

/*
 * Check thresholds: strictly decreasing similarities in [0, 1] (descending) or
 * strictly increasing non-negative distances. Returns NULL when valid, else a
 * static message naming the rule broken (index in *bad).
 */
extern const char *recon_thresholds_problem(const double *values, int n, int descending, double upper, int *bad);

#endif
