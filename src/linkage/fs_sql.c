/*
 * fs_sql.c: Fellegi-Sunter scoring and estimation for SQL: recon_fs_weight,
 * recon_fs_probability, recon_fs_explain, recon_fs_estimate_u,
 * recon_fs_estimate_m and recon_fs_average_m.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "core/limits_sql.h"
#include "linkage/fs_model.h"
#include "linkage/fs_patterns.h"

PG_FUNCTION_INFO_V1(recon_fs_weight);
PG_FUNCTION_INFO_V1(recon_fs_probability_of);
PG_FUNCTION_INFO_V1(recon_fs_explain);
PG_FUNCTION_INFO_V1(recon_fs_estimate_u);
PG_FUNCTION_INFO_V1(recon_fs_estimate_m);
PG_FUNCTION_INFO_V1(recon_fs_average_m);
PG_FUNCTION_INFO_V1(recon_fs_refine_u);
PG_FUNCTION_INFO_V1(recon_fs_estimate_u_em);
PG_FUNCTION_INFO_V1(recon_fs_m_from_matches_sql);

/* The model in argument argno read into info, refused (54000) over RECON_MAX_MODEL_BYTES before it is detoasted. */
static void
model_arg(FunctionCallInfo fcinfo, int argno, FsModelInfo *info)
{
	recon_check_arg_bytes(fcinfo, argno, RECON_MAX_MODEL_BYTES, "model", FS_MODEL_SIZE_HINT);
	fs_model_read(PG_GETARG_JSONB_P(argno), info);
}

/* One pair's levels, checked against the model (NULL elements count as missing). */
static void
read_levels(FunctionCallInfo fcinfo, int argno, const FsModelInfo *info, int *levels)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	recon_check_array_items(fcinfo, arr, RECON_FS_MAX_COMPARISONS, "levels", "A model has at most 16 comparisons.");
	deconstruct_array(arr, INT2OID, 2, true, TYPALIGN_SHORT, &elems, &nulls, &n);
	if (ARR_NDIM(arr) > 1 || n != info->model.ncomparisons)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the pair has %d comparison levels but the model has %d comparisons", n,
						info->model.ncomparisons),
				 errdetail("Pass one level per model comparison, in the model's order.")));
	for (int k = 0; k < n; k++)
	{
		levels[k] = nulls[k] ? RECON_LEVEL_NULL : DatumGetInt16(elems[k]);
		if (levels[k] < 0 || levels[k] > info->model.nlevels[k])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("level %d of comparison \"%s\" is out of range", levels[k], info->names[k]),
					 errdetail("The model knows levels 0 (missing) to %d for it.", info->model.nlevels[k])));
	}
	pfree(elems);
	pfree(nulls);
}

/* Term frequencies of the agreeing values (0 = none), one per comparison. */
static void
read_term_frequencies(FunctionCallInfo fcinfo, int argno, const FsModelInfo *info, double *tf)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	memset(tf, 0, sizeof(double) * RECON_FS_MAX_COMPARISONS);
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	recon_check_array_items(fcinfo, arr, RECON_FS_MAX_COMPARISONS, "term_frequencies", "A model has at most 16 comparisons.");
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (ARR_NDIM(arr) > 1 || n != info->model.ncomparisons)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("term_frequencies has %d entries but the model has %d comparisons", n, info->model.ncomparisons),
				 errhint("Use NULL for comparisons without a term-frequency adjustment.")));
	for (int k = 0; k < n; k++)
	{
		if (nulls[k])
			continue;
		tf[k] = DatumGetFloat8(elems[k]);
		if (!(tf[k] > 0 && tf[k] <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("term frequency %g of comparison \"%s\" is not in (0, 1]", tf[k], info->names[k]),
					 errdetail("A term frequency is the share of records holding the agreeing value.")));
	}
}

/* Prior weight plus every level's weight. */
static double
pair_weight(const FsModelInfo *info, const int *levels, const double *tf)
{
	double		w = recon_fs_prior_weight(info->model.prior);

	for (int k = 0; k < info->model.ncomparisons; k++)
		w += recon_fs_level_weight(&info->model, k, levels[k], tf[k]);
	return w;
}

/* recon_fs_weight(model, levels, term_frequencies): the pair's match weight in bits. */
Datum
recon_fs_weight(PG_FUNCTION_ARGS)
{
	const FsModelInfo *info;
	int			levels[RECON_FS_MAX_COMPARISONS];
	double		tf[RECON_FS_MAX_COMPARISONS];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	info = fs_model_arg(fcinfo, 0);
	read_levels(fcinfo, 1, info, levels);
	read_term_frequencies(fcinfo, 2, info, tf);
	PG_RETURN_FLOAT8(pair_weight(info, levels, tf));
}

/* recon_fs_probability(weight): 2^w / (1 + 2^w). */
Datum
recon_fs_probability_of(PG_FUNCTION_ARGS)
{
	double		w = PG_GETARG_FLOAT8(0);

	if (isnan(w))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("a match weight cannot be NaN")));
	PG_RETURN_FLOAT8(recon_fs_probability(w));
}

/* recon_fs_explain(model, levels, term_frequencies): what each comparison contributed, as jsonb. */
Datum
recon_fs_explain(PG_FUNCTION_ARGS)
{
	const FsModelInfo *info;
	int			levels[RECON_FS_MAX_COMPARISONS];
	double		tf[RECON_FS_MAX_COMPARISONS];
	double		weight;
	StringInfoData s;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	info = fs_model_arg(fcinfo, 0);
	read_levels(fcinfo, 1, info, levels);
	read_term_frequencies(fcinfo, 2, info, tf);
	weight = pair_weight(info, levels, tf);

	initStringInfo(&s);
	appendStringInfo(&s, "{\"weight\": %.6f, \"probability\": %.6f, \"prior_weight\": %.6f, \"comparisons\": [",
					 weight, recon_fs_probability(weight), recon_fs_prior_weight(info->model.prior));
	for (int k = 0; k < info->model.ncomparisons; k++)
	{
		int			l = levels[k];

		appendStringInfoString(&s, k ? ", {\"name\": " : "{\"name\": ");
		escape_json(&s, info->names[k]);
		appendStringInfo(&s, ", \"level\": %d, \"label\": ", l);
		if (l == RECON_LEVEL_NULL)
			appendStringInfoString(&s, "\"missing\"");
		else if (info->labels[k][l] != NULL)
			escape_json(&s, info->labels[k][l]);
		else
			appendStringInfo(&s, "\"level %d\"", l);
		if (l != RECON_LEVEL_NULL)
		{
			appendStringInfo(&s, ", \"m\": %.6g, \"u\": %.6g", info->model.m[k][l],
							 (l == RECON_LEVEL_EXACT && tf[k] > 0) ? tf[k] : info->model.u[k][l]);
			if (l == RECON_LEVEL_EXACT && tf[k] > 0)
				appendStringInfoString(&s, ", \"term_frequency_adjusted\": true");
		}
		appendStringInfo(&s, ", \"weight\": %.6f}", recon_fs_level_weight(&info->model, k, l, tf[k]));
	}
	appendStringInfoString(&s, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* Text elements of a one-dimensional array argument, NULLs refused. */
static int
text_array_arg(FunctionCallInfo fcinfo, int argno, const char *what, char **out, int max)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	recon_check_array_items(fcinfo, arr, max, what, "A model has at most 16 comparisons.");
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (ARR_NDIM(arr) > 1 || n > max)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("%s must be a one-dimensional array of at most %d names", what, max)));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("%s must not contain NULL (element %d)", what, i + 1)));
		recon_check_bytes(fcinfo, VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i])), RECON_MAX_NAME_BYTES,
						  psprintf("element %d of %s", i + 1, what), "Comparison names are short words such as email or last_name.");
		out[i] = TextDatumGetCString(elems[i]);
	}
	return n;
}

/* The distinct patterns of p (*n of them), refused when they do not fit the model. */
static ReconFsPattern *
patterns_for_model(const FsPatterns *p, const FsModelInfo *info, int *n)
{
	ReconFsPattern *list = fs_patterns_list(p, n);

	if (p->used > 0 && p->ncomparisons != info->model.ncomparisons)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the pairs were compared on %d fields but the model has %d comparisons",
						p->ncomparisons, info->model.ncomparisons)));
	for (int i = 0; i < *n; i++)
		for (int k = 0; k < info->model.ncomparisons; k++)
			if (recon_fs_key_level(list[i].key, k) > info->model.nlevels[k])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the pairs reach level %d of comparison \"%s\", which the model gives %d levels",
								recon_fs_key_level(list[i].key, k), info->names[k], info->model.nlevels[k])));
	return list;
}

/*
 * recon_fs_estimate_u(random_pairs, names, level_counts): a starting model
 * whose u come from random pairs; m start high on the exact level and the
 * prior at 0.01, both for recon_fs_estimate_m to replace.
 */
Datum
recon_fs_estimate_u(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	FsModelInfo info;
	ArrayType  *counts = PG_GETARG_ARRAYTYPE_P(2);
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				ncounts,
				npatterns;
	ReconFsPattern *list;
	double		total = 0;

	memset(&info, 0, sizeof(info));
	info.em_pairs = -1;
	n = text_array_arg(fcinfo, 1, "names", info.names, RECON_FS_MAX_COMPARISONS);
	recon_check_array_items(fcinfo, counts, RECON_FS_MAX_COMPARISONS, "level_counts", "A model has at most 16 comparisons.");
	deconstruct_array(counts, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, &ncounts);
	if (n == 0 || ncounts != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names has %d entries and level_counts %d; give one level count per named comparison", n, ncounts)));
	info.model.ncomparisons = n;
	info.model.prior = 0.01;
	for (int k = 0; k < n; k++)
	{
		int			levels = nulls[k] ? -1 : DatumGetInt32(elems[k]);
		double		rest_sum = 0;

		if (info.names[k][0] == '\0' || fs_model_find(&info, info.names[k]) < k)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("comparison name \"%s\" is empty or repeated", info.names[k])));
		if (levels < 2 || levels > RECON_LEVEL_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("comparison \"%s\" has %d levels; it needs 2 to 15 (exact ... else)", info.names[k], levels)));
		info.model.nlevels[k] = levels;
		/* m: 0.9 on exact, the other 0.1 halving from level to level towards "else" */
		info.model.m[k][1] = 0.9;
		for (int l = 2; l <= levels; l++)
			info.model.m[k][l] = 1.0 / (1 << (l - 2));
		for (int l = 2; l <= levels; l++)
			rest_sum += info.model.m[k][l];
		for (int l = 2; l <= levels; l++)
			info.model.m[k][l] *= 0.1 / rest_sum;
	}
	list = patterns_for_model(p, &info, &npatterns);
	for (int i = 0; i < npatterns; i++)
		total += list[i].count;
	if (total == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no random pairs to estimate u from")));
	recon_fs_u_from_random_pairs(&info.model, list, npatterns);
	PG_RETURN_JSONB_P(fs_model_write(&info));
}

/* Refuse EM limits that cannot work. */
static void
check_em_limits(int max_iterations, double tolerance)
{
	if (max_iterations < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("max_iterations %d must be at least 1", max_iterations)));
	if (!(tolerance > 0 && tolerance < 1))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("tolerance %g must lie strictly between 0 and 1", tolerance)));
}

/* EM over the patterns p (m, or u with update_u), recorded in the returned model's "em". */
static Jsonb *
run_em(FsPatterns *p, FsModelInfo *info, bool update_u, int max_iterations, double tolerance)
{
	int			npatterns;
	ReconFsPattern *list = patterns_for_model(p, info, &npatterns);

	info->em_pairs = 0;
	for (int i = 0; i < npatterns; i++)
		info->em_pairs += list[i].count;
	if (info->em_pairs == 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("no %s pairs to run EM on", update_u ? "random" : "candidate")));
	info->em_iterations = recon_fs_em(&info->model, list, npatterns, update_u, max_iterations, tolerance,
									  &info->em_converged);
	return fs_model_write(info);
}

/* recon_fs_estimate_m(blocked_pairs, model, fixed, max_iterations, tolerance): EM for m and the prior. */
Datum
recon_fs_estimate_m(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	FsModelInfo info;
	char	   *fixed[RECON_FS_MAX_COMPARISONS];
	int			nfixed,
				max_iterations = PG_GETARG_INT32(3);
	double		tolerance = PG_GETARG_FLOAT8(4);

	model_arg(fcinfo, 1, &info);
	nfixed = text_array_arg(fcinfo, 2, "fixed", fixed, RECON_FS_MAX_COMPARISONS);
	check_em_limits(max_iterations, tolerance);
	/* the caller names the comparisons its blocking rule forced to agree */
	for (int k = 0; k < info.model.ncomparisons; k++)
		info.model.fixed_m[k] = false;
	for (int i = 0; i < nfixed; i++)
	{
		int			k = fs_model_find(&info, fixed[i]);

		if (k < 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("fixed names comparison \"%s\", which the model does not have", fixed[i])));
		info.model.fixed_m[k] = true;
	}
	PG_RETURN_JSONB_P(run_em(p, &info, false, max_iterations, tolerance));
}

/*
 * recon_fs_estimate_u_em(random_pairs, model, max_iterations, tolerance): EM
 * over random pairs with m held, for u and the prior among all pairs.
 */
Datum
recon_fs_estimate_u_em(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	FsModelInfo info;
	int			max_iterations = PG_GETARG_INT32(2);
	double		tolerance = PG_GETARG_FLOAT8(3);

	model_arg(fcinfo, 1, &info);
	check_em_limits(max_iterations, tolerance);
	PG_RETURN_JSONB_P(run_em(p, &info, true, max_iterations, tolerance));
}

/* recon_fs_m_from_matches(known_matches, model): m from pairs already known to match. */
Datum
recon_fs_m_from_matches_sql(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	FsModelInfo info;
	int			npatterns;
	ReconFsPattern *list;

	model_arg(fcinfo, 1, &info);
	list = patterns_for_model(p, &info, &npatterns);
	if (npatterns == 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("no known matches to estimate m from")));
	recon_fs_m_from_matches(&info.model, list, npatterns);
	for (int k = 0; k < info.model.ncomparisons; k++)
		info.model.fixed_m[k] = false;
	PG_RETURN_JSONB_P(fs_model_write(&info));
}

/*
 * recon_fs_refine_u(random_pairs, model, prior): u without the true matches
 * the random pairs hold, and the prior to score with.
 */
Datum
recon_fs_refine_u(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	FsModelInfo info;
	double		prior = PG_GETARG_FLOAT8(2);
	int			npatterns;
	ReconFsPattern *list;

	model_arg(fcinfo, 1, &info);
	if (!(prior > 0 && prior < 1))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("prior %g must lie strictly between 0 and 1", prior),
						errhint("The share of true matches among all pairs, often 1 / the number of right sides.")));
	list = patterns_for_model(p, &info, &npatterns);
	recon_fs_u_without_matches(&info.model, list, npatterns, prior);
	PG_RETURN_JSONB_P(fs_model_write(&info));
}

/*
 * recon_fs_average_m(models): one model whose m, per comparison, average the
 * models that estimated it (m_fixed ones are skipped: their blocking rule
 * forced the comparison to agree). u, labels and the prior come from the first.
 */
Datum
recon_fs_average_m(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	FsModelInfo first,
				other;
	double		sums[RECON_FS_MAX_COMPARISONS][RECON_LEVEL_MAX + 1] = {{0}};
	int			used[RECON_FS_MAX_COMPARISONS] = {0};

	recon_check_array_items(fcinfo, arr, RECON_MAX_MODELS, "models", "Average one model per blocking rule.");
	deconstruct_array(arr, JSONBOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("no models to average")));
	for (int i = 0; i < n; i++)
	{
		FsModelInfo *info = i == 0 ? &first : &other;

		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("models must not contain NULL (element %d)", i + 1)));
		recon_check_bytes(fcinfo, VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i])), RECON_MAX_MODEL_BYTES,
						  psprintf("model %d", i + 1), FS_MODEL_SIZE_HINT);
		fs_model_read(DatumGetJsonbP(elems[i]), info);
		if (info->model.ncomparisons != first.model.ncomparisons)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("model %d has %d comparisons, model 1 has %d", i + 1,
								   info->model.ncomparisons, first.model.ncomparisons)));
		for (int k = 0; k < first.model.ncomparisons; k++)
		{
			if (strcmp(info->names[k], first.names[k]) != 0 || info->model.nlevels[k] != first.model.nlevels[k])
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("model %d compares \"%s\" with %d levels where model 1 has \"%s\" with %d",
									   i + 1, info->names[k], info->model.nlevels[k], first.names[k],
									   first.model.nlevels[k])));
			if (info->model.fixed_m[k])
				continue;
			used[k]++;
			for (int l = 1; l <= first.model.nlevels[k]; l++)
				sums[k][l] += info->model.m[k][l];
		}
	}
	for (int k = 0; k < first.model.ncomparisons; k++)
	{
		if (used[k] == 0)
			continue;			/* every model held it fixed: keep model 1's */
		for (int l = 1; l <= first.model.nlevels[k]; l++)
			first.model.m[k][l] = sums[k][l] / used[k];
		first.model.fixed_m[k] = false;
	}
	first.em_pairs = -1;
	PG_RETURN_JSONB_P(fs_model_write(&first));
}
