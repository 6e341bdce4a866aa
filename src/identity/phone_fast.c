/*
 * phone_fast.c: the fast path of phone normalization, pure C over plain tables.
 *
 * libphonenumber's Parse spends most of its ~16 us per number in general-purpose
 * regular expressions over Unicode text (viability, extensions, RFC 3966, alpha
 * numbers) and in building protobuf objects. For input that is only ASCII
 * digits, the separators " -.()" and at most one leading '+', all of that
 * machinery reduces to a few digit-string steps, which this file replays in the
 * same order and with the same data (tabs, line breaks and no-break spaces
 * around the number are accepted too):
 *   extract the number (skip leading separators, trim trailing ones), check it
 *   is viable, strip a '+' or the default region's international prefix and
 *   read the country calling code, or else try the default region's calling
 *   code without '+', strip the national prefix when the general pattern
 *   allows it, bound the length, then test the possible lengths.
 * The data comes from libphonenumber's compiled-in metadata (phone_lib.cpp
 * reads it at load time); its patterns (international prefix, national prefix
 * for parsing, general national number pattern) use a small regular-expression
 * subset over digits that phone_regex_* below compiles and matches with the
 * same leftmost-first backtracking semantics as ICU. Anything outside that
 * (other characters, a national prefix with a transform rule, a '+' not
 * followed by a known calling code, a pattern the subset cannot express) is
 * PHONE_FAST_UNSURE, and the caller asks libphonenumber.
 */
#include "identity/phone_fast.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ mini regex */

enum
{
	RX_SET,						/* one digit from a set */
	RX_GROUP,					/* alternatives */
	RX_END						/* '$': end of input */
};

typedef struct RxNode
{
	int			kind;
	unsigned	set;			/* RX_SET: bit d for digit d */
	int			min,
				max;			/* repetition; max -1 = unbounded */
	int			first_alt,
				n_alts;			/* RX_GROUP: heads in alt_heads[] */
	int			next;			/* next node of the sequence, -1 at its end */
} RxNode;

struct PhoneRegex
{
	RxNode	   *nodes;
	int			n_nodes,
				cap_nodes;
	int		   *alt_heads;		/* head node of each alternative, -1 for an empty one */
	int			n_heads,
				cap_heads;
	int			top;			/* the top-level group node */
};

typedef struct RxParser
{
	PhoneRegex *rx;
	const char *p;
	int			ok;
} RxParser;

/* Append a node; -1 when out of memory. */
static int
rx_new_node(RxParser *ps, int kind)
{
	PhoneRegex *rx = ps->rx;

	if (rx->n_nodes == rx->cap_nodes)
	{
		int			cap = rx->cap_nodes ? rx->cap_nodes * 2 : 64;
		RxNode	   *grown = realloc(rx->nodes, cap * sizeof(RxNode));

		if (!grown)
		{
			ps->ok = 0;
			return -1;
		}
		rx->nodes = grown;
		rx->cap_nodes = cap;
	}
	rx->nodes[rx->n_nodes] = (RxNode) {kind, 0, 1, 1, 0, 0, -1};
	return rx->n_nodes++;
}

static int	rx_parse_alternatives(RxParser *ps);

/* Parse a decimal count of a {n,m} quantifier; -1 when there is none. */
static int
rx_parse_count(RxParser *ps)
{
	int			n = 0,
				digits = 0;

	while (*ps->p >= '0' && *ps->p <= '9' && digits < 4)
	{
		n = n * 10 + (*ps->p++ - '0');
		digits++;
	}
	return digits ? n : -1;
}

/* Parse one atom and its quantifier into a node; -1 at the end of a sequence or on error. */
static int
rx_parse_atom(RxParser *ps)
{
	int			node;
	char		c = *ps->p;

	if (c == '\0' || c == '|' || c == ')')
		return -1;
	if (c >= '0' && c <= '9')
	{
		node = rx_new_node(ps, RX_SET);
		if (node < 0)
			return -1;
		ps->rx->nodes[node].set = 1u << (c - '0');
		ps->p++;
	}
	else if (c == '\\' && ps->p[1] == 'd')
	{
		node = rx_new_node(ps, RX_SET);
		if (node < 0)
			return -1;
		ps->rx->nodes[node].set = 0x3ff;
		ps->p += 2;
	}
	else if (c == '[')
	{
		unsigned	set = 0;
		int			negate = 0;

		ps->p++;
		if (*ps->p == '^')
		{
			negate = 1;
			ps->p++;
		}
		while (*ps->p != ']')
		{
			char		lo = *ps->p,
						hi;

			if (lo == '\\' && ps->p[1] == 'd')
			{
				set |= 0x3ff;
				ps->p += 2;
				continue;
			}
			if (lo < '0' || lo > '9')
			{
				ps->ok = 0;
				return -1;
			}
			hi = lo;
			if (ps->p[1] == '-' && ps->p[2] != ']')
			{
				hi = ps->p[2];
				if (hi < lo || hi > '9')
				{
					ps->ok = 0;
					return -1;
				}
				ps->p += 2;
			}
			for (char d = lo; d <= hi; d++)
				set |= 1u << (d - '0');
			ps->p++;
		}
		ps->p++;
		node = rx_new_node(ps, RX_SET);
		if (node < 0)
			return -1;
		/* a negated class over digit-only input: the other digits */
		ps->rx->nodes[node].set = negate ? (~set & 0x3ff) : set;
	}
	else if (c == '$')
	{
		node = rx_new_node(ps, RX_END);
		if (node < 0)
			return -1;
		ps->p++;
	}
	else if (c == '(')
	{
		int			group;

		ps->p++;
		if (ps->p[0] == '?')
		{
			if (ps->p[1] != ':')
			{
				ps->ok = 0;		/* lookaround, named groups, flags */
				return -1;
			}
			ps->p += 2;
		}
		group = rx_parse_alternatives(ps);
		if (!ps->ok || *ps->p != ')')
		{
			ps->ok = 0;
			return -1;
		}
		ps->p++;
		node = group;
	}
	else
	{
		ps->ok = 0;
		return -1;
	}

	/* quantifier */
	c = *ps->p;
	if (c == '?' || c == '*' || c == '+' || c == '{')
	{
		RxNode	   *n;
		int			min,
					max;

		if (c == '{')
		{
			ps->p++;
			min = rx_parse_count(ps);
			max = min;
			if (*ps->p == ',')
			{
				ps->p++;
				max = rx_parse_count(ps);	/* -1: {n,} */
			}
			if (min < 0 || *ps->p != '}' || (max >= 0 && max < min))
			{
				ps->ok = 0;
				return -1;
			}
		}
		else
		{
			min = c == '+' ? 1 : 0;
			max = c == '?' ? 1 : -1;
		}
		ps->p++;
		/* lazy and possessive quantifiers, or a quantified '$', are not in the metadata */
		if (*ps->p == '?' || *ps->p == '+' || ps->rx->nodes[node].kind == RX_END)
		{
			ps->ok = 0;
			return -1;
		}
		n = &ps->rx->nodes[node];
		n->min = min;
		n->max = max;
	}
	return node;
}

/* Parse a sequence of atoms; returns its head node or -1 (empty). */
static int
rx_parse_sequence(RxParser *ps)
{
	int			head = -1,
				tail = -1;

	for (;;)
	{
		int			node = rx_parse_atom(ps);

		if (node < 0)
			break;
		if (tail < 0)
			head = node;
		else
			ps->rx->nodes[tail].next = node;
		tail = node;
	}
	return head;
}

/* Parse alternatives a|b|c into a group node; -1 on error. */
static int
rx_parse_alternatives(RxParser *ps)
{
	PhoneRegex *rx = ps->rx;
	int			heads[256];
	int			n = 0;
	int			group;

	for (;;)
	{
		int			head = rx_parse_sequence(ps);

		if (!ps->ok || n == 256)
		{
			ps->ok = 0;
			return -1;
		}
		heads[n++] = head;
		if (*ps->p != '|')
			break;
		ps->p++;
	}
	group = rx_new_node(ps, RX_GROUP);
	if (group < 0)
		return -1;
	if (rx->n_heads + n > rx->cap_heads)
	{
		int			cap = (rx->cap_heads + n) * 2;
		int		   *grown = realloc(rx->alt_heads, cap * sizeof(int));

		if (!grown)
		{
			ps->ok = 0;
			return -1;
		}
		rx->alt_heads = grown;
		rx->cap_heads = cap;
	}
	memcpy(rx->alt_heads + rx->n_heads, heads, n * sizeof(int));
	rx->nodes[group].first_alt = rx->n_heads;
	rx->nodes[group].n_alts = n;
	rx->n_heads += n;
	return group;
}

/* Compile a metadata pattern; NULL when it uses syntax outside the subset (or no memory). */
PhoneRegex *
phone_regex_compile(const char *pattern)
{
	PhoneRegex *rx = calloc(1, sizeof(PhoneRegex));
	RxParser	ps;

	if (!rx)
		return NULL;
	ps.rx = rx;
	ps.p = pattern;
	ps.ok = 1;
	rx->top = rx_parse_alternatives(&ps);
	if (!ps.ok || rx->top < 0 || *ps.p != '\0')
	{
		phone_regex_free(rx);
		return NULL;
	}
	return rx;
}

/* Free a compiled pattern (NULL is fine). */
void
phone_regex_free(PhoneRegex *rx)
{
	if (!rx)
		return;
	free(rx->nodes);
	free(rx->alt_heads);
	free(rx);
}

typedef struct RxMatcher
{
	const PhoneRegex *rx;
	const char *s;
	int			len;
	int			full;			/* 1: the match must end at len */
	int			end;			/* looking-at: where the first match ended */
	long		steps;			/* backtracking budget */
} RxMatcher;

/* Where to go after one iteration of a group, or after the whole pattern (node -1). */
typedef struct RxCont
{
	int			node;
	int			count;
	int			start;
	const struct RxCont *up;
} RxCont;

/* Backtracking budget: metadata patterns on <= 250 digits need far fewer steps. */
#define RX_MAX_STEPS 200000

static int	rx_match_rep(RxMatcher *m, int node, int count, int pos, const RxCont *k);

/* Match the sequence from node at pos, then the continuation. 1 match, 0 none, -1 over budget. */
static int
rx_match_seq(RxMatcher *m, int node, int pos, const RxCont *k)
{
	if (++m->steps > RX_MAX_STEPS)
		return -1;
	if (node >= 0)
		return rx_match_rep(m, node, 0, pos, k);
	if (k->node < 0)
	{
		/* the whole pattern matched up to pos */
		if (m->full && pos != m->len)
			return 0;
		m->end = pos;
		return 1;
	}
	/* one more iteration of an enclosing group ended at pos */
	if (pos == k->start && k->count > m->rx->nodes[k->node].min)
		return 0;				/* an empty iteration adds nothing: stop looping */
	return rx_match_rep(m, k->node, k->count, pos, k->up);
}

/* Node already matched count times ending at pos: greedily try one more, then move on. */
static int
rx_match_rep(RxMatcher *m, int node, int count, int pos, const RxCont *k)
{
	const RxNode *n = &m->rx->nodes[node];
	int			r;

	if (++m->steps > RX_MAX_STEPS)
		return -1;
	if (n->kind == RX_END)
		return pos == m->len ? rx_match_seq(m, n->next, pos, k) : 0;
	if (n->max < 0 || count < n->max)
	{
		if (n->kind == RX_SET)
		{
			if (pos < m->len)
			{
				unsigned	d = (unsigned char) m->s[pos] - '0';

				if (d < 10 && ((n->set >> d) & 1))
				{
					r = rx_match_rep(m, node, count + 1, pos + 1, k);
					if (r != 0)
						return r;
				}
			}
		}
		else
		{
			RxCont		again = {node, count + 1, pos, k};

			for (int a = 0; a < n->n_alts; a++)
			{
				r = rx_match_seq(m, m->rx->alt_heads[n->first_alt + a], pos, &again);
				if (r != 0)
					return r;
			}
		}
	}
	if (count >= n->min)
		return rx_match_seq(m, n->next, pos, k);
	return 0;
}

/* Run the pattern anchored at s[0]; 1, 0, or -1 when over the budget. */
static int
rx_run(const PhoneRegex *rx, const char *s, size_t len, int full, int *end)
{
	RxMatcher	m = {rx, s, (int) len, full, -1, 0};
	RxCont		done = {-1, 0, 0, NULL};
	int			r;

	if (len > PHONE_MAX_INPUT)
		return -1;
	r = rx_match_rep(&m, rx->top, 0, 0, &done);
	*end = m.end;
	return r;
}

/* 1 when the whole of s matches, 0 when not, -1 when the match could not be decided. */
int
phone_regex_full_match(const PhoneRegex *rx, const char *s, size_t len)
{
	int			end;

	return rx_run(rx, s, len, 1, &end);
}

/* Length of the first match anchored at s[0], -1 when none, -2 when undecided. */
int
phone_regex_looking_at(const PhoneRegex *rx, const char *s, size_t len)
{
	int			end;
	int			r = rx_run(rx, s, len, 0, &end);

	return r > 0 ? end : (r == 0 ? -1 : -2);
}

/* ------------------------------------------------------------ tables */

typedef struct PhoneMeta
{
	char		region[4];
	int			country_code;
	char		cc_digits[4];
	int			cc_len;
	PhoneRegex *idd;			/* always compiled (an empty prefix matches empty, as in ICU) */
	PhoneRegex *npfp;			/* NULL when the region has no national prefix for parsing */
	int			has_transform;
	PhoneRegex *general;		/* NULL when the general pattern is empty (never matches) */
	int			unsupported;	/* a present pattern is outside the subset */
	int			no_lengths;		/* possible lengths empty */
	int			invalid_type;	/* possible lengths are {-1} */
	int			min_len,
				max_len;
	uint32_t	possible;		/* bit n: length n is possible */
	uint32_t	local_only;		/* bit n: length n is possible only locally */
} PhoneMeta;

struct PhoneFastTables
{
	PhoneMeta **by_region;		/* indexed by the caller's region index */
	int			n_regions;
	PhoneMeta  *by_code[1000];	/* the entry libphonenumber uses for a calling code */
	PhoneMeta **all;
	int			n_all;
	int			unsupported;
};

/* An empty table set. */
PhoneFastTables *
phone_fast_tables_new(void)
{
	return calloc(1, sizeof(PhoneFastTables));
}

/* Free the tables and every compiled pattern. */
void
phone_fast_tables_free(PhoneFastTables *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n_all; i++)
	{
		phone_regex_free(t->all[i]->idd);
		phone_regex_free(t->all[i]->npfp);
		phone_regex_free(t->all[i]->general);
		free(t->all[i]);
	}
	free(t->all);
	free(t->by_region);
	free(t);
}

/* Compile a present pattern, noting when it is outside the subset. */
static PhoneRegex *
meta_compile(PhoneMeta *m, const char *pattern)
{
	PhoneRegex *rx = phone_regex_compile(pattern);

	if (!rx)
		m->unsupported = 1;
	return rx;
}

/* Add one metadata entry (see phone_fast.h). */
int
phone_fast_add_metadata(PhoneFastTables *t, const char *region, int region_index,
						int country_code, int main_for_code,
						const char *international_prefix,
						const char *national_prefix_for_parsing,
						const char *national_prefix_transform_rule,
						const char *general_pattern,
						const int *possible_lengths, int n_possible,
						const int *local_only_lengths, int n_local)
{
	PhoneMeta  *m;
	PhoneMeta **grown;

	if (country_code <= 0 || country_code >= 1000 || region_index >= 100000 || strlen(region) > 3)
		return -1;
	m = calloc(1, sizeof(PhoneMeta));
	if (!m)
		return -1;
	grown = realloc(t->all, (t->n_all + 1) * sizeof(PhoneMeta *));
	if (!grown)
	{
		free(m);
		return -1;
	}
	t->all = grown;
	t->all[t->n_all++] = m;

	strcpy(m->region, region);
	m->country_code = country_code;
	m->cc_len = (country_code >= 100) ? 3 : (country_code >= 10) ? 2 : 1;
	for (int i = m->cc_len - 1, v = country_code; i >= 0; i--, v /= 10)
		m->cc_digits[i] = (char) ('0' + v % 10);

	m->idd = meta_compile(m, international_prefix);
	if (national_prefix_for_parsing[0])
		m->npfp = meta_compile(m, national_prefix_for_parsing);
	m->has_transform = national_prefix_transform_rule[0] != '\0';
	if (general_pattern[0])
		m->general = meta_compile(m, general_pattern);

	m->no_lengths = n_possible == 0;
	if (m->no_lengths)
		m->unsupported = 1;	/* libphonenumber assumes at least one length */
	m->invalid_type = n_possible > 0 && possible_lengths[0] == -1;
	if (n_possible > 0)
	{
		m->min_len = possible_lengths[0];
		m->max_len = possible_lengths[n_possible - 1];
	}
	for (int i = 0; i < n_possible; i++)
		if (possible_lengths[i] >= 0 && possible_lengths[i] < 32)
			m->possible |= 1u << possible_lengths[i];
		else if (possible_lengths[i] != -1)
			m->unsupported = 1;
	for (int i = 0; i < n_local; i++)
		if (local_only_lengths[i] >= 0 && local_only_lengths[i] < 32)
			m->local_only |= 1u << local_only_lengths[i];
		else
			m->unsupported = 1;
	if (m->unsupported)
		t->unsupported++;

	if (main_for_code)
		t->by_code[country_code] = m;
	if (region_index >= 0)
	{
		if (region_index >= t->n_regions)
		{
			PhoneMeta **more = realloc(t->by_region, (region_index + 1) * sizeof(PhoneMeta *));

			if (!more)
				return -1;
			for (int i = t->n_regions; i <= region_index; i++)
				more[i] = NULL;
			t->by_region = more;
			t->n_regions = region_index + 1;
		}
		t->by_region[region_index] = m;
	}
	return 0;
}

/* Number of region indexes known. */
int
phone_fast_region_count(const PhoneFastTables *t)
{
	return t->n_regions;
}

/* Entries with a pattern outside the subset. */
int
phone_fast_unsupported_count(const PhoneFastTables *t)
{
	return t->unsupported;
}

/* ------------------------------------------------------------ the algorithm */

/* libphonenumber's ValidationResult, as far as the fast path needs it. */
typedef enum
{
	LEN_POSSIBLE,
	LEN_LOCAL_ONLY,
	LEN_TOO_SHORT,
	LEN_TOO_LONG,
	LEN_INVALID
} LengthVerdict;

/* TestNumberLength(number, metadata, UNKNOWN) for a number of len digits. */
static LengthVerdict
test_length(const PhoneMeta *m, int len)
{
	if (m->invalid_type)
		return LEN_INVALID;
	if (len < 32 && ((m->local_only >> len) & 1))
		return LEN_LOCAL_ONLY;
	if (len == m->min_len)
		return LEN_POSSIBLE;
	if (len < m->min_len)
		return LEN_TOO_SHORT;
	if (len > m->max_len)
		return LEN_TOO_LONG;
	return (len < 32 && ((m->possible >> len) & 1)) ? LEN_POSSIBLE : LEN_INVALID;
}

/* IsMatch(number, general_desc): 1, 0, or -1 when undecided. An empty pattern never matches. */
static int
general_match(const PhoneMeta *m, const char *digits, int len)
{
	if (!m->general)
		return 0;
	return phone_regex_full_match(m->general, digits, len);
}

/*
 * MaybeStripNationalPrefixAndCarrierCode: how many leading digits to strip as a
 * national prefix (0 for none), or -1 when the fast path cannot tell (a
 * transform rule applies, or a pattern is undecided).
 */
static int
national_prefix_length(const PhoneMeta *m, const char *digits, int len)
{
	int			end;
	int			viable_before,
				viable_after;

	if (len == 0 || !m->npfp)
		return 0;
	end = phone_regex_looking_at(m->npfp, digits, len);
	if (end == -2)
		return -1;
	if (end < 0)
		return 0;
	if (m->has_transform)
		return -1;				/* libphonenumber may rewrite the number: leave it to it */
	viable_before = general_match(m, digits, len);
	if (viable_before < 0)
		return -1;
	if (!viable_before)
		return end;
	viable_after = general_match(m, digits + end, len - end);
	if (viable_after < 0)
		return -1;
	return viable_after ? end : 0;
}

/* ExtractCountryCode: the digits used by a known calling code (1-3), or 0. */
static int
extract_country_code(const PhoneFastTables *t, const char *digits, int len, int *country_code)
{
	int			value = 0;

	if (len == 0 || digits[0] == '0')
		return 0;
	for (int i = 1; i <= 3 && i <= len; i++)
	{
		value = value * 10 + (digits[i - 1] - '0');
		if (t->by_code[value])
		{
			*country_code = value;
			return i;
		}
	}
	return 0;
}

/* Separators the fast path accepts ("valid punctuation" for libphonenumber, none of them special). */
static const unsigned char is_separator[256] = {
	[' '] = 1, ['-'] = 1, ['.'] = 1, ['('] = 1, [')'] = 1,
};

/* Set *result to a failure. */
static PhoneFastVerdict
decided_failure(PhoneResult *result, PhoneReason reason)
{
	result->reason = reason;
	result->country_code = 0;
	result->nsn_len = 0;
	result->nsn[0] = '\0';
	return PHONE_FAST_DECIDED;
}

/* The fast path (see phone_fast.h and the comment at the top of this file). */
PhoneFastVerdict
phone_fast_normalize(const PhoneFastTables *t, int region_index,
					 const char *s, size_t len, PhoneResult *result)
{
	char		buf[PHONE_MAX_INPUT];
	const char *digits = buf;
	int			n = 0;
	int			start = -1,
				end = -1;
	int			plus = 0;
	int			blank_inside = 0;
	const PhoneMeta *home = NULL;
	const PhoneMeta *meta;
	int			country_code = 0;
	int			strip;

	if (len > PHONE_MAX_INPUT || region_index < -1)
		return PHONE_FAST_UNSURE;
	if (region_index >= 0)
	{
		if (region_index >= t->n_regions || !t->by_region[region_index])
			return PHONE_FAST_UNSURE;
		home = t->by_region[region_index];
		if (home->unsupported)
			return PHONE_FAST_UNSURE;
	}

	/*
	 * ExtractPossibleNumber + Normalize: the number starts at the first digit
	 * or '+', ends after the last digit; its digits in order. Only separators
	 * (and no-break spaces) may stand before, between and after them; tabs and
	 * line breaks only before and after.
	 */
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= '0' && c <= '9')
		{
			if (start < 0)
				start = (int) i;
			else if (blank_inside)
				return PHONE_FAST_UNSURE;	/* a tab or line break inside the number */
			end = (int) i + 1;
			buf[n++] = (char) c;
		}
		else if (c == '+')
		{
			if (start >= 0)
				return PHONE_FAST_UNSURE;	/* a second '+', or one inside the number */
			start = (int) i;
			plus = 1;
		}
		else if (c == '\t' || c == '\n' || c == '\r')
		{
			/* fine around the number (skipped, trimmed); inside it libphonenumber stops */
			if (start >= 0)
				blank_inside = 1;
		}
		else if (c == 0xC2 && i + 1 < len && (unsigned char) s[i + 1] == 0xA0)
			i++;				/* U+00A0 no-break space: a separator like ' ' */
		else if (!is_separator[c])
			return PHONE_FAST_UNSURE;
	}

	/*
	 * IsViablePhoneNumber: at least 2 characters, and either exactly two digits
	 * or (after any '+') at least three digits among punctuation.
	 */
	if (start < 0 || end < 0 || end - start < 2)
		return decided_failure(result, PHONE_NOT_A_NUMBER);
	if (!(n >= 3 || (n == 2 && end - start == 2)))
		return decided_failure(result, PHONE_NOT_A_NUMBER);

	/* CheckRegionForParsing: without a default region only '+' numbers parse. */
	if (!home && !plus)
		return decided_failure(result, PHONE_INVALID_COUNTRY_CODE);

	/* MaybeExtractCountryCode */
	if (plus)
	{
		int			used = extract_country_code(t, digits, n, &country_code);

		if (!used)
			return PHONE_FAST_UNSURE;	/* libphonenumber retries without the '+' */
		digits += used;
		n -= used;
	}
	else
	{
		int			idd = phone_regex_looking_at(home->idd, digits, n);

		if (idd == -2)
			return PHONE_FAST_UNSURE;
		/* an international prefix counts only when no 0 follows it (calling codes never start with 0) */
		if (idd >= 0 && !(idd < n && digits[idd] == '0'))
		{
			int			used;

			digits += idd;
			n -= idd;
			if (n <= 2)
				return decided_failure(result, PHONE_TOO_SHORT_AFTER_IDD);
			used = extract_country_code(t, digits, n, &country_code);
			if (!used)
				return decided_failure(result, PHONE_INVALID_COUNTRY_CODE);
			digits += used;
			n -= used;
		}
		else if (n >= home->cc_len && memcmp(digits, home->cc_digits, home->cc_len) == 0)
		{
			/*
			 * The default region's calling code without '+': keep it stripped
			 * when the rest matches the general pattern and the whole did
			 * not, or when the whole is too long.
			 */
			const char *rest = digits + home->cc_len;
			int			rest_len = n - home->cc_len;
			int			whole_matches,
						rest_matches = 0;

			strip = national_prefix_length(home, rest, rest_len);
			if (strip < 0)
				return PHONE_FAST_UNSURE;
			rest += strip;
			rest_len -= strip;
			whole_matches = general_match(home, digits, n);
			if (whole_matches < 0)
				return PHONE_FAST_UNSURE;
			if (!whole_matches)
			{
				rest_matches = general_match(home, rest, rest_len);
				if (rest_matches < 0)
					return PHONE_FAST_UNSURE;
			}
			if ((!whole_matches && rest_matches) || test_length(home, n) == LEN_TOO_LONG)
			{
				digits = rest;
				n = rest_len;
				country_code = home->country_code;
			}
		}
	}

	/* the metadata for the rest: the calling code's own entry, or the default region's */
	if (country_code)
		meta = t->by_code[country_code];
	else
	{
		meta = home;
		country_code = home->country_code;
	}
	if (!meta || meta->unsupported || !t->by_code[country_code] || t->by_code[country_code]->unsupported)
		return PHONE_FAST_UNSURE;

	if (n < 2)
		return decided_failure(result, PHONE_TOO_SHORT);

	/* the national prefix goes only when what remains has a possible (not local-only) length */
	strip = national_prefix_length(meta, digits, n);
	if (strip < 0)
		return PHONE_FAST_UNSURE;
	if (strip > 0)
	{
		LengthVerdict v = test_length(meta, n - strip);

		if (v != LEN_TOO_SHORT && v != LEN_LOCAL_ONLY && v != LEN_INVALID)
		{
			digits += strip;
			n -= strip;
		}
	}
	if (n < 2)
		return decided_failure(result, PHONE_TOO_SHORT);
	if (n > PHONE_MAX_NSN)
		return decided_failure(result, PHONE_TOO_LONG);

	/* IsPossibleNumberWithReason, with the calling code's main metadata */
	switch (test_length(t->by_code[country_code], n))
	{
		case LEN_POSSIBLE:
			break;
		case LEN_LOCAL_ONLY:
			return decided_failure(result, PHONE_LOCAL_ONLY);
		case LEN_TOO_SHORT:
			return decided_failure(result, PHONE_TOO_SHORT);
		case LEN_TOO_LONG:
			return decided_failure(result, PHONE_TOO_LONG);
		case LEN_INVALID:
			return decided_failure(result, PHONE_NOT_POSSIBLE_LENGTH);
	}
	result->reason = PHONE_OK;
	result->country_code = country_code;
	result->nsn_len = n;
	memcpy(result->nsn, digits, n);
	result->nsn[n] = '\0';
	return PHONE_FAST_DECIDED;
}

/* Reason codes of the SQL functions, by PhoneReason. */
const char *
phone_reason_code(PhoneReason reason)
{
	static const char *const codes[PHONE_REASON_COUNT] = {
		[PHONE_OK] = NULL,
		[PHONE_MISSING] = "missing",
		[PHONE_NOT_A_NUMBER] = "not_a_number",
		[PHONE_INVALID_COUNTRY_CODE] = "invalid_country_code",
		[PHONE_TOO_SHORT_AFTER_IDD] = "too_short_after_idd",
		[PHONE_TOO_SHORT] = "too_short",
		[PHONE_TOO_LONG] = "too_long",
		[PHONE_NOT_POSSIBLE_LENGTH] = "not_possible_length",
		[PHONE_LOCAL_ONLY] = "local_only",
	};

	return (reason >= 0 && reason < PHONE_REASON_COUNT) ? codes[reason] : "not_a_number";
}
