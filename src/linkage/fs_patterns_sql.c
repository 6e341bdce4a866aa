/*
 * fs_patterns_sql.c: the recon_fs_patterns type and its aggregate
 * recon_fs_pattern_counts(levels), with a combine function so that parallel
 * workers and Citus shards count their pairs apart and merge the counts.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "core/limits_sql.h"
#include "linkage/fs_patterns.h"

PG_FUNCTION_INFO_V1(recon_fs_patterns_in);
PG_FUNCTION_INFO_V1(recon_fs_patterns_out);
PG_FUNCTION_INFO_V1(recon_fs_patterns_add);
PG_FUNCTION_INFO_V1(recon_fs_patterns_merge);
PG_FUNCTION_INFO_V1(recon_fs_pattern_rows);

#define INITIAL_CAPACITY 64

/* An empty table with room for capacity patterns, in the current memory context. */
static FsPatterns *
patterns_new(int ncomparisons, int capacity)
{
	Size		size = offsetof(FsPatterns, entries) + sizeof(ReconFsPattern) * capacity;
	FsPatterns *p = palloc0(size);

	SET_VARSIZE(p, size);
	p->ncomparisons = ncomparisons;
	p->capacity = capacity;
	return p;
}

/* Slot of key: its entry, or the empty slot where it belongs. */
static ReconFsPattern *
patterns_slot(FsPatterns *p, uint64 key)
{
	uint64		h = key * UINT64CONST(0x9E3779B97F4A7C15);
	uint32		mask = p->capacity - 1;
	uint32		i = (uint32) (h >> 32) & mask;

	while (p->entries[i].count != 0 && p->entries[i].key != key)
		i = (i + 1) & mask;
	return &p->entries[i];
}

/* Add count pairs of pattern key; returns p or a larger copy when p had to grow. */
static FsPatterns *
patterns_add(FsPatterns *p, uint64 key, double count)
{
	ReconFsPattern *slot;

	/* a new pattern past the limit: refused before the table doubles again */
	if (p->used >= RECON_MAX_FS_PATTERNS && patterns_slot(p, key)->count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("recon_fs_patterns: more than the limit of %d distinct comparison patterns",
						RECON_MAX_FS_PATTERNS),
				 errhint("Compare on fewer fields or with fewer levels: estimation loops over the distinct patterns.")));
	if ((p->used + 1) * 2 > p->capacity)
	{
		FsPatterns *bigger = patterns_new(p->ncomparisons, p->capacity * 2);

		for (int i = 0; i < p->capacity; i++)
			if (p->entries[i].count != 0)
			{
				*patterns_slot(bigger, p->entries[i].key) = p->entries[i];
				bigger->used++;
			}
		p = bigger;
	}
	slot = patterns_slot(p, key);
	if (slot->count == 0)
	{
		slot->key = key;
		p->used++;
	}
	slot->count += count;
	return p;
}

/* Order of two patterns: level by level, the first comparison first. */
static int
pattern_order(const void *a, const void *b)
{
	uint64		ka = ((const ReconFsPattern *) a)->key;
	uint64		kb = ((const ReconFsPattern *) b)->key;

	for (int k = 0; k < RECON_FS_MAX_COMPARISONS; k++)
	{
		int			la = recon_fs_key_level(ka, k),
					lb = recon_fs_key_level(kb, k);

		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return 0;
}

/* The occupied entries in pattern order (a stable text form and pattern list). */
ReconFsPattern *
fs_patterns_list(const FsPatterns *p, int *n)
{
	ReconFsPattern *list = palloc(sizeof(ReconFsPattern) * Max(p->used, 1));
	int			k = 0;

	for (int i = 0; i < p->capacity; i++)
		if (p->entries[i].count != 0)
			list[k++] = p->entries[i];
	qsort(list, k, sizeof(ReconFsPattern), pattern_order);
	*n = k;
	return list;
}

/* Refuse to mix patterns of different widths. */
static void
check_width(int expected, int got)
{
	if (expected != got)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("comparison pattern has %d levels but earlier patterns have %d", got, expected),
				 errdetail("Every pair must be compared on the same fields, in the same order.")));
}

/* Text form: "<comparisons>|<level>.<level>...=<pairs>|..."; "0" when empty. */
Datum
recon_fs_patterns_out(PG_FUNCTION_ARGS)
{
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	StringInfoData out;
	ReconFsPattern *list;
	int			n;

	initStringInfo(&out);
	appendStringInfo(&out, "%d", p->ncomparisons);
	list = fs_patterns_list(p, &n);
	for (int i = 0; i < n; i++)
	{
		appendStringInfoChar(&out, '|');
		for (int k = 0; k < p->ncomparisons; k++)
			appendStringInfo(&out, k ? ".%d" : "%d", recon_fs_key_level(list[i].key, k));
		appendStringInfo(&out, "=%.17g", list[i].count);
	}
	PG_RETURN_CSTRING(out.data);
}

/* Syntax error for the text form. */
static void
bad_text(const char *input, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type recon_fs_patterns: \"%s\"", input),
			 errdetail("%s", why),
			 errhint("The form is <comparisons>|<level>.<level>...=<pairs>|..., for example 2|1.3=40|2.0=7.")));
}

/* Parse the text form written by recon_fs_patterns_out. */
Datum
recon_fs_patterns_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	char	   *s = input,
			   *end;
	long		width = strtol(s, &end, 10);
	FsPatterns *p;

	if (end == s || width < 0 || width > RECON_FS_MAX_COMPARISONS)
		bad_text(input, "It must start with the number of comparisons, 0 to 16.");
	p = patterns_new((int) width, INITIAL_CAPACITY);
	s = end;
	while (*s == '|')
	{
		int			levels[RECON_FS_MAX_COMPARISONS];
		double		count;

		s++;
		for (int k = 0; k < width; k++)
		{
			long		level;

			if (k > 0 && *s++ != '.')
				bad_text(input, "A pattern has one level per comparison, separated by dots.");
			level = strtol(s, &end, 10);
			if (end == s || level < 0 || level > RECON_LEVEL_MAX)
				bad_text(input, "Levels are whole numbers from 0 to 15.");
			levels[k] = (int) level;
			s = end;
		}
		if (*s++ != '=')
			bad_text(input, "Each pattern is followed by = and its number of pairs.");
		count = strtod(s, &end);
		if (end == s || !(count > 0) || isinf(count))
			bad_text(input, "The number of pairs must be a positive number.");
		s = end;
		p = patterns_add(p, recon_fs_key(levels, (int) width), count);
	}
	if (*s != '\0')
		bad_text(input, "Unexpected characters after the last pattern.");
	PG_RETURN_POINTER(p);
}

/*
 * The state to modify: in place inside an aggregate, else a copy. A new or
 * grown state is allocated in the current context: the executor copies a
 * changed state into the aggregate's context and frees the old one.
 */
static FsPatterns *
writable_state(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	if (!AggCheckCallContext(fcinfo, NULL))
		return (FsPatterns *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(argno));
	return PG_GETARG_FS_PATTERNS(argno);
}

/* Transition: count one pair's comparison levels (NULL levels count as missing, 0). */
Datum
recon_fs_patterns_add(PG_FUNCTION_ARGS)
{
	FsPatterns *state = writable_state(fcinfo, 0);
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			levels[RECON_FS_MAX_COMPARISONS];

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("comparison levels must be a one-dimensional smallint array")));
	recon_check_array_items(fcinfo, arr, RECON_FS_MAX_COMPARISONS, "levels",
							"A pair is compared on at most 16 fields.");
	deconstruct_array(arr, INT2OID, 2, true, TYPALIGN_SHORT, &elems, &nulls, &n);
	if (n < 1 || n > RECON_FS_MAX_COMPARISONS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a comparison pattern has %d levels; it must have 1 to %d", n, RECON_FS_MAX_COMPARISONS)));
	for (int k = 0; k < n; k++)
	{
		int			level = nulls[k] ? RECON_LEVEL_NULL : DatumGetInt16(elems[k]);

		if (level < 0 || level > RECON_LEVEL_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("comparison level %d (comparison %d) is out of range", level, k + 1),
					 errdetail("Levels run from 0 (missing) to 15.")));
		levels[k] = level;
	}

	if (state == NULL)
		state = patterns_new(n, INITIAL_CAPACITY);
	else if (state->ncomparisons == 0 && state->used == 0)
		state->ncomparisons = n;
	check_width(state->ncomparisons, n);
	state = patterns_add(state, recon_fs_key(levels, n), 1);
	PG_RETURN_POINTER(state);
}

/* Combine: add the counts of b into a (parallel workers, Citus shards). */
Datum
recon_fs_patterns_merge(PG_FUNCTION_ARGS)
{
	FsPatterns *a = writable_state(fcinfo, 0);
	FsPatterns *b;

	if (PG_ARGISNULL(1))
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	b = PG_GETARG_FS_PATTERNS(1);
	if (a == NULL)
		a = patterns_new(b->ncomparisons, INITIAL_CAPACITY);
	if (a->used == 0)
		a->ncomparisons = b->ncomparisons;
	if (b->used > 0)
		check_width(a->ncomparisons, b->ncomparisons);
	for (int i = 0; i < b->capacity; i++)
		if (b->entries[i].count != 0)
			a = patterns_add(a, b->entries[i].key, b->entries[i].count);
	PG_RETURN_POINTER(a);
}

/* recon_fs_pattern_rows(patterns): one row per distinct pattern with its number of pairs. */
Datum
recon_fs_pattern_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FsPatterns *p = PG_GETARG_FS_PATTERNS(0);
	ReconFsPattern *list;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	list = fs_patterns_list(p, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		levels[RECON_FS_MAX_COMPARISONS];
		Datum		values[2];
		bool		nulls[2] = {false, false};

		for (int k = 0; k < p->ncomparisons; k++)
			levels[k] = Int16GetDatum((int16) recon_fs_key_level(list[i].key, k));
		values[0] = PointerGetDatum(construct_array(levels, p->ncomparisons, INT2OID, 2, true, TYPALIGN_SHORT));
		values[1] = Float8GetDatum(list[i].count);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
