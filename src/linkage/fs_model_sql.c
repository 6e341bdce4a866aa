/*
 * fs_model_sql.c: Fellegi-Sunter models as jsonb (see fs_model.h).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "linkage/fs_model.h"

/* A model error: the jsonb is not a usable model. */
#define model_error(...) \
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg(__VA_ARGS__), \
					errhint("A model looks like {\"prior\": 0.001, \"comparisons\": [{\"name\": \"surname\", \"m\": [0.9, 0.1], \"u\": [0.01, 0.99]}]}; recon_fs_estimate_u builds one.")))

/* Value of key in an object container, or NULL. */
static JsonbValue *
object_get(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* A jsonb number as a double. */
static bool
number_of(JsonbValue *v, double *out)
{
	if (v == NULL || v->type != jbvNumeric)
		return false;
	*out = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	return true;
}

/* A palloc'd C string of a jsonb string value, or NULL. */
static char *
string_of(JsonbValue *v)
{
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Read the probability array key of comparison name into out[1..]; returns its length. */
static int
read_probabilities(JsonbContainer *comparison, const char *key, const char *name, double *out)
{
	JsonbValue *v = object_get(comparison, key);
	int			n;

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		model_error("comparison \"%s\" has no \"%s\" array", name, key);
	n = JsonContainerSize(v->val.binary.data);
	if (n < 1 || n > RECON_LEVEL_MAX)
		model_error("comparison \"%s\" has %d \"%s\" entries; it must have 1 to 15 (one per level)", name, n, key);
	for (int i = 0; i < n; i++)
	{
		double		p;

		if (!number_of(getIthJsonbValueFromContainer(v->val.binary.data, i), &p) || !(p >= 0 && p <= 1))
			model_error("\"%s\" entry %d (level %d) of comparison \"%s\" is not a probability between 0 and 1", key, i + 1, i + 1, name);
		out[i + 1] = p;
	}
	return n;
}

/* Read and validate a model. */
void
fs_model_read(Jsonb *json, FsModelInfo *info)
{
	JsonbContainer *root = &json->root;
	JsonbValue *v;
	JsonbContainer *list;
	int			n;

	memset(info, 0, sizeof(*info));
	info->em_pairs = -1;
	if (!JsonContainerIsObject(root))
		model_error("a Fellegi-Sunter model must be a JSON object");
	if (!number_of(object_get(root, "prior"), &info->model.prior) ||
		!(info->model.prior > 0 && info->model.prior < 1))
		model_error("the model's \"prior\" must be a number strictly between 0 and 1");
	v = object_get(root, "comparisons");
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		model_error("the model has no \"comparisons\" array");
	list = v->val.binary.data;
	n = JsonContainerSize(list);
	if (n < 1 || n > RECON_FS_MAX_COMPARISONS)
		model_error("the model has %d comparisons; it must have 1 to %d", n, RECON_FS_MAX_COMPARISONS);
	info->model.ncomparisons = n;
	for (int k = 0; k < n; k++)
	{
		JsonbValue *c = getIthJsonbValueFromContainer(list, k);
		JsonbContainer *cc;
		char	   *name;
		int			nm,
					nu;

		if (c == NULL || c->type != jbvBinary || !JsonContainerIsObject(c->val.binary.data))
			model_error("comparison %d of the model is not an object", k + 1);
		cc = c->val.binary.data;
		name = string_of(object_get(cc, "name"));
		if (name == NULL || name[0] == '\0')
			model_error("comparison %d of the model has no \"name\"", k + 1);
		if (fs_model_find(info, name) >= 0)
			model_error("the model names comparison \"%s\" twice", name);
		nm = read_probabilities(cc, "m", name, info->model.m[k]);
		nu = read_probabilities(cc, "u", name, info->model.u[k]);
		if (nm != nu)
			model_error("comparison \"%s\" has %d \"m\" but %d \"u\" entries", name, nm, nu);
		info->names[k] = name;
		info->model.nlevels[k] = nm;
		v = object_get(cc, "m_fixed");
		info->model.fixed_m[k] = v != NULL && v->type == jbvBool && v->val.boolean;
		v = object_get(cc, "labels");
		if (v != NULL && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
			for (int l = 0; l < nm && l < (int) JsonContainerSize(v->val.binary.data); l++)
				info->labels[k][l + 1] = string_of(getIthJsonbValueFromContainer(v->val.binary.data, l));
	}
}

/* Append a JSON number; %.10g keeps the text short and the weights stable to 1e-9. */
static void
append_number(StringInfo s, double x)
{
	appendStringInfo(s, "%.10g", x);
}

/* The model as jsonb (built as JSON text, then parsed: the model is small). */
Jsonb *
fs_model_write(const FsModelInfo *info)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoString(&s, "{\"prior\": ");
	append_number(&s, info->model.prior);
	appendStringInfoString(&s, ", \"comparisons\": [");
	for (int k = 0; k < info->model.ncomparisons; k++)
	{
		bool		any_label = false;

		appendStringInfoString(&s, k ? ", {\"name\": " : "{\"name\": ");
		escape_json(&s, info->names[k]);
		for (int l = 1; l <= info->model.nlevels[k]; l++)
			any_label |= info->labels[k][l] != NULL;
		if (any_label)
		{
			appendStringInfoString(&s, ", \"labels\": [");
			for (int l = 1; l <= info->model.nlevels[k]; l++)
			{
				if (l > 1)
					appendStringInfoString(&s, ", ");
				if (info->labels[k][l])
					escape_json(&s, info->labels[k][l]);
				else
					appendStringInfoString(&s, "null");
			}
			appendStringInfoChar(&s, ']');
		}
		for (int which = 0; which < 2; which++)
		{
			appendStringInfoString(&s, which ? ", \"u\": [" : ", \"m\": [");
			for (int l = 1; l <= info->model.nlevels[k]; l++)
			{
				if (l > 1)
					appendStringInfoString(&s, ", ");
				append_number(&s, which ? info->model.u[k][l] : info->model.m[k][l]);
			}
			appendStringInfoChar(&s, ']');
		}
		if (info->model.fixed_m[k])
			appendStringInfoString(&s, ", \"m_fixed\": true");
		appendStringInfoChar(&s, '}');
	}
	appendStringInfoChar(&s, ']');
	if (info->em_pairs >= 0)
	{
		appendStringInfoString(&s, ", \"em\": {\"pairs\": ");
		append_number(&s, info->em_pairs);
		appendStringInfo(&s, ", \"iterations\": %d, \"converged\": %s}",
						 info->em_iterations, info->em_converged ? "true" : "false");
	}
	appendStringInfoChar(&s, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* Index of a comparison by name. */
int
fs_model_find(const FsModelInfo *info, const char *name)
{
	for (int k = 0; k < info->model.ncomparisons; k++)
		if (info->names[k] != NULL && strcmp(info->names[k], name) == 0)
			return k;
	return -1;
}

/* A parsed model cached with the bytes it came from. */
typedef struct ModelCache
{
	FsModelInfo info;
	Size		len;
	char		bytes[FLEXIBLE_ARRAY_MEMBER];
} ModelCache;

/* The model in argument argno, parsed once while the same value keeps coming (a constant, a joined row). */
const FsModelInfo *
fs_model_arg(FunctionCallInfo fcinfo, int argno)
{
	Jsonb	   *json;
	ModelCache *cache = (ModelCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;

	/* from the header: a model over the limit is never detoasted */
	recon_check_arg_bytes(fcinfo, argno, RECON_MAX_MODEL_BYTES, "model", FS_MODEL_SIZE_HINT);
	json = PG_GETARG_JSONB_P(argno);
	if (cache != NULL && cache->len == VARSIZE(json) && memcmp(cache->bytes, json, cache->len) == 0)
		return &cache->info;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache = palloc(offsetof(ModelCache, bytes) + VARSIZE(json));
	fs_model_read(json, &cache->info);
	cache->len = VARSIZE(json);
	memcpy(cache->bytes, json, cache->len);
	MemoryContextSwitchTo(old);
	/* the previous model's strings stay allocated; models change rarely within one query */
	fcinfo->flinfo->fn_extra = cache;
	return &cache->info;
}
