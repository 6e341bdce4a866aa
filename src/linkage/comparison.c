/*
 * comparison.c: map a similarity or a distance onto comparison levels.
 * Equality (level 1) is decided by the caller, which knows the value type.
 */
#include "linkage/comparison.h"

#include <math.h>

/* First threshold the similarity reaches, as a level; the last level when none. */
int
recon_level_of_similarity(double similarity, const double *thresholds, int n)
{
	for (int i = 0; i < n; i++)
		if (similarity >= thresholds[i])
			return 2 + i;
	return 2 + n;
}

/* First limit the distance stays within, as a level; the last level when none. */
int
recon_level_of_distance(double distance, const double *limits, int n)
{
	for (int i = 0; i < n; i++)
		if (distance <= limits[i])
			return 2 + i;
	return 2 + n;
}

/* Relative difference in percent, symmetric in a and b. */
double
recon_percent_difference(double a, double b)
{
	double		largest = fmax(fabs(a), fabs(b));

	if (largest == 0)
		return 0;
	return fabs(a - b) / largest * 100.0;
}

/* Validate a threshold list; see comparison.h. */
const char *
recon_thresholds_problem(const double *values, int n, int descending, double upper, int *bad)
{
	if (n > RECON_MAX_THRESHOLDS)
	{
		*bad = RECON_MAX_THRESHOLDS;
		return "at most 13 thresholds fit in the 15 comparison levels";
	}
	for (int i = 0; i < n; i++)
	{
		*bad = i;
		if (isnan(values[i]) || values[i] < 0)
			return "thresholds must not be negative";
		if (values[i] > upper)
			return descending ? "similarity thresholds must not exceed 1" : "thresholds must be finite";
		if (i > 0 && (descending ? values[i] >= values[i - 1] : values[i] <= values[i - 1]))
			return descending ? "similarity thresholds must be strictly decreasing (strictest first)"
				: "limits must be strictly increasing (strictest first)";
	}
	return 0;
}
