/*
 * phone_lib.cpp: recon's only C++. Wraps libphonenumber (Debian's
 * libphonenumber-dev) behind the extern "C" functions of phone_lib.h:
 *   - the reference answer (Parse + IsPossibleNumberWithReason), the oracle the
 *     fast path is proven against, and full validation (IsValidNumber);
 *   - the fast path's tables, read from libphonenumber's own compiled-in
 *     metadata (the PhoneMetadataCollection protobuf behind metadata_get()),
 *     so no number rule is typed in by hand;
 *   - the test corpus, generated from libphonenumber's example numbers.
 * Every entry point catches every exception: no C++ unwinding crosses into C,
 * and no PostgreSQL function is called from here.
 */
#include "identity/phone_lib.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace i18n
{
namespace phonenumbers
{
/* Exported by libphonenumber.so (metadata.cc) but not declared in an installed header. */
int			metadata_size();
const void *metadata_get();
}
}

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace
{

/* Drops every message: libphonenumber would otherwise write to stderr (the server log) per bad number. */
class SilentLogger : public i18n::phonenumbers::Logger
{
  public:
	void		WriteMessage(const std::string &) override
	{
	}
};

struct LibState
{
	const PhoneNumberUtil *util = nullptr;
	std::vector<std::string> regions;	/* sorted supported region codes */
	int			index_by_letters[26 * 26];	/* region index by its two letters, -1 */
	PhoneFastTables *tables = nullptr;
};

LibState   *state = nullptr;

/* Region code for an index, "ZZ" (libphonenumber's unknown region) for -1 or out of range. */
const std::string &
region_for(int region_index)
{
	static const std::string unknown("ZZ");

	if (region_index < 0 || region_index >= (int) state->regions.size())
		return unknown;
	return state->regions[region_index];
}

/* Build the fast-path tables from the metadata libphonenumber itself loaded. */
PhoneFastTables *
build_tables(const PhoneNumberUtil &util, const std::vector<std::string> &regions)
{
	PhoneMetadataCollection collection;

	if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
								   i18n::phonenumbers::metadata_size()))
		return nullptr;
	PhoneFastTables *tables = phone_fast_tables_new();

	if (!tables)
		return nullptr;
	for (const PhoneMetadata &m : collection.metadata())
	{
		int			region_index = -1;
		std::string main_region;

		util.GetRegionCodeForCountryCode(m.country_code(), &main_region);
		if (m.id() != "001")
		{
			for (size_t i = 0; i < regions.size(); i++)
				if (regions[i] == m.id())
					region_index = (int) i;
			if (region_index < 0)
				continue;		/* not a region libphonenumber parses with */
		}
		std::vector<int> lengths(m.general_desc().possible_length().begin(),
								 m.general_desc().possible_length().end());
		std::vector<int> local(m.general_desc().possible_length_local_only().begin(),
							   m.general_desc().possible_length_local_only().end());

		if (phone_fast_add_metadata(tables, m.id().c_str(), region_index, m.country_code(),
									main_region == m.id(),
									m.international_prefix().c_str(),
									m.national_prefix_for_parsing().c_str(),
									m.national_prefix_transform_rule().c_str(),
									m.general_desc().national_number_pattern().c_str(),
									lengths.data(), (int) lengths.size(),
									local.data(), (int) local.size()) != 0)
		{
			phone_fast_tables_free(tables);
			return nullptr;
		}
	}
	return tables;
}

/* libphonenumber's parse error as a reason. */
PhoneReason
reason_for_error(PhoneNumberUtil::ErrorType error)
{
	switch (error)
	{
		case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
			return PHONE_INVALID_COUNTRY_CODE;
		case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
			return PHONE_TOO_SHORT_AFTER_IDD;
		case PhoneNumberUtil::TOO_SHORT_NSN:
			return PHONE_TOO_SHORT;
		case PhoneNumberUtil::TOO_LONG_NSN:
			return PHONE_TOO_LONG;
		default:
			return PHONE_NOT_A_NUMBER;
	}
}

/* libphonenumber's possibility verdict as a reason. */
PhoneReason
reason_for_validation(PhoneNumberUtil::ValidationResult v)
{
	switch (v)
	{
		case PhoneNumberUtil::IS_POSSIBLE:
			return PHONE_OK;
		case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
			return PHONE_LOCAL_ONLY;
		case PhoneNumberUtil::INVALID_COUNTRY_CODE:
			return PHONE_INVALID_COUNTRY_CODE;
		case PhoneNumberUtil::TOO_SHORT:
			return PHONE_TOO_SHORT;
		case PhoneNumberUtil::TOO_LONG:
			return PHONE_TOO_LONG;
		default:
			return PHONE_NOT_POSSIBLE_LENGTH;
	}
}

/* ---------------------------------------------------------------- corpus */

/* Deterministic generator (xorshift64*), seeded per example number. */
struct Rng
{
	uint64_t	s;
	explicit	Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ULL + 1)
	{
	}
	uint64_t	next()
	{
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		return s * 0x2545F4914F6CDD1DULL;
	}
	size_t		below(size_t n)
	{
		return n ? (size_t) (next() % n) : 0;
	}
};

struct Corpus
{
	std::string block;
	size_t		rows = 0;

	void		add(const std::string &input, const std::string &region, const char *kind)
	{
		block.append(input);
		block.push_back('\0');
		block.append(region);
		block.push_back('\0');
		block.append(kind);
		block.push_back('\0');
		rows++;
	}
};

/* Replace every occurrence of one character. */
std::string
replace_all(std::string s, char from, const std::string &to)
{
	std::string out;

	for (char c : s)
		if (c == from)
			out += to;
		else
			out.push_back(c);
	return out;
}

/* Digits of s only. */
std::string
digits_of(const std::string &s)
{
	std::string out;

	for (char c : s)
		if (c >= '0' && c <= '9')
			out.push_back(c);
	return out;
}

/* ASCII digits written as fullwidth (U+FF10..) or Arabic-Indic (U+0660..) digits. */
std::string
wide_digits(const std::string &s, bool arabic)
{
	std::string out;

	for (char c : s)
		if (c >= '0' && c <= '9')
		{
			if (arabic)
			{
				out.push_back((char) 0xD9);
				out.push_back((char) (0xA0 + (c - '0')));
			}
			else
			{
				out.push_back((char) 0xEF);
				out.push_back((char) 0xBC);
				out.push_back((char) (0x90 + (c - '0')));
			}
		}
		else
			out.push_back(c);
	return out;
}

/* Positions of the ASCII digits in s. */
std::vector<size_t>
digit_positions(const std::string &s)
{
	std::vector<size_t> pos;

	for (size_t i = 0; i < s.size(); i++)
		if (s[i] >= '0' && s[i] <= '9')
			pos.push_back(i);
	return pos;
}

/* Randomly damage or decorate a spelling of a number: the "messy" inputs. */
std::string
mess_up(const std::string &base, Rng &rng, std::string *kind)
{
	static const char *const seps[] = {" ", "-", ".", "  ", " - ", "(", ")", "/", "\t", "\xC2\xA0", "", "--", "_", ","};
	static const char *const leading[] = {"tel:", "Tel. ", "Phone: ", " ", "(", "#", "*", "\"", "'", "\n", "ph ", "+", "++", "00", "0"};
	static const char *const trailing[] = {" ", ")", " x12", " ext. 345", " ext 7", ";ext=99", "#", " (mobile)", ", 22", ".", "\r\n", " / x 22", "abc", " 12", "0"};
	static const char controls[] = {'\x01', '\x02', '\x07', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f', '\t', '\n', '\r'};
	std::string s = base;
	int			ops = 1 + (int) rng.below(3);

	kind->assign("messy");
	for (int k = 0; k < ops; k++)
	{
		std::vector<size_t> pos = digit_positions(s);

		switch (rng.below(12))
		{
			case 0:				/* separators swapped */
				s = replace_all(s, ' ', seps[rng.below(sizeof(seps) / sizeof(*seps))]);
				kind->append("+separators");
				break;
			case 1:				/* a separator inserted between digits */
				if (!pos.empty())
					s.insert(pos[rng.below(pos.size())], seps[rng.below(sizeof(seps) / sizeof(*seps))]);
				kind->append("+separator_inside");
				break;
			case 2:
				s = leading[rng.below(sizeof(leading) / sizeof(*leading))] + s;
				kind->append("+leading_junk");
				break;
			case 3:
				s += trailing[rng.below(sizeof(trailing) / sizeof(*trailing))];
				kind->append("+trailing_junk");
				break;
			case 4:				/* a digit dropped */
				if (!pos.empty())
					s.erase(pos[rng.below(pos.size())], 1);
				kind->append("+digit_dropped");
				break;
			case 5:				/* a digit added */
				s.insert(pos.empty() ? s.size() : pos[rng.below(pos.size())] + 1, 1, (char) ('0' + rng.below(10)));
				kind->append("+digit_added");
				break;
			case 6:				/* a digit changed */
				if (!pos.empty())
					s[pos[rng.below(pos.size())]] = (char) ('0' + rng.below(10));
				kind->append("+digit_changed");
				break;
			case 7:				/* a control character, between characters (never inside a UTF-8 sequence) */
				{
					size_t		at = rng.below(s.size() + 1);

					while (at < s.size() && ((unsigned char) s[at] & 0xC0) == 0x80)
						at++;
					s.insert(at, 1, controls[rng.below(sizeof(controls))]);
				}
				kind->append("+control");
				break;
			case 8:				/* a letter for a digit */
				if (!pos.empty())
					s[pos[rng.below(pos.size())]] = (char) ('A' + rng.below(26));
				kind->append("+letter");
				break;
			case 9:
				s = wide_digits(s, rng.below(2) == 1);
				kind->append("+unicode_digits");
				break;
			case 10:			/* several digits dropped or added */
				{
					int			n = 2 + (int) rng.below(3);

					for (int i = 0; i < n && !pos.empty(); i++)
					{
						if (rng.below(2))
							s.push_back((char) ('0' + rng.below(10)));
						else
						{
							pos = digit_positions(s);
							if (!pos.empty())
								s.erase(pos.back(), 1);
						}
					}
					kind->append("+length_changed");
				}
				break;
			default:			/* a 0 or 00 in front of the digits */
				if (!pos.empty())
					s.insert(pos[0], rng.below(2) ? "0" : "00");
				kind->append("+zeros");
				break;
		}
	}
	return s;
}

/* Every spelling of one example number (see phone_lib.h). */
void
add_spellings(Corpus &c, const PhoneNumberUtil &util, const PhoneNumber &num,
			  const std::string &home, const std::vector<std::string> &regions, Rng &rng, int messy)
{
	std::string nat,
				intl,
				e164,
				rfc,
				nsn;

	util.Format(num, PhoneNumberUtil::NATIONAL, &nat);
	util.Format(num, PhoneNumberUtil::INTERNATIONAL, &intl);
	util.Format(num, PhoneNumberUtil::E164, &e164);
	util.Format(num, PhoneNumberUtil::RFC3966, &rfc);
	util.GetNationalSignificantNumber(num, &nsn);
	std::string cc = std::to_string(num.country_code());
	const std::string &other = regions[rng.below(regions.size())];
	const std::string &other2 = regions[rng.below(regions.size())];
	const std::string &h = home == "001" ? other : home;

	c.add(nat, h, "national");
	c.add(intl, h, "international");
	c.add(e164, h, "e164");
	c.add(rfc, h, "rfc3966");
	c.add(e164, other, "e164_other_region");
	c.add(e164, "", "e164_no_region");
	c.add(intl, "", "international_no_region");
	c.add(nat, "", "national_no_region");
	c.add(nat, other, "national_other_region");
	c.add(intl, other2, "international_other_region");
	c.add(digits_of(nat), h, "national_digits");
	c.add(nsn, h, "nsn");
	c.add(cc + nsn, h, "cc_without_plus");
	c.add(cc + nsn, other, "cc_without_plus_other_region");
	c.add(cc + " " + nat, h, "cc_before_national");
	c.add("00" + cc + " " + nsn, h, "idd_00");
	c.add("00 " + intl.substr(1), h, "idd_00_international");
	c.add("011 " + intl.substr(1), h, "idd_011");
	for (int i = 0; i < 3; i++)
	{
		const std::string &from = regions[rng.below(regions.size())];
		std::string dialled;

		util.FormatOutOfCountryCallingNumber(num, from, &dialled);
		c.add(dialled, from, "dialled_from_other_region");
	}
	c.add("+" + cc + "-" + replace_all(nat, ' ', "-"), h, "plus_dashes");
	c.add("(" + nat + ")", h, "parenthesized");
	c.add(replace_all(nat, ' ', "."), h, "national_dots");
	c.add(replace_all(intl, ' ', ""), h, "international_compact");
	c.add("tel:" + nsn + ";phone-context=+" + cc, "", "rfc3966_phone_context");
	c.add(rfc + ";isub=12345", h, "rfc3966_isub");
	c.add(intl + " ext. 1234", h, "extension");
	c.add(nat + " x12", h, "extension_x");
	c.add(e164 + "#", h, "hash");
	c.add("++" + e164.substr(1), h, "double_plus");
	c.add("+0" + e164.substr(1), h, "plus_zero");
	c.add("+" + cc + "+" + nsn, h, "plus_inside");
	c.add(wide_digits(intl, false), h, "fullwidth_digits");
	c.add("\xEF\xBC\x8B" + e164.substr(1), h, "fullwidth_plus");
	c.add(wide_digits(nat, true), h, "arabic_indic_digits");
	c.add(nat + "\x01", h, "control_trailing");
	c.add("\t" + intl + "\n", h, "tab_newline");
	c.add(e164.substr(0, e164.size() - 1), h, "e164_digit_dropped");
	c.add(e164 + "5", h, "e164_digit_added");
	c.add(e164.substr(0, e164.size() > 4 ? e164.size() - 3 : 1), h, "e164_three_dropped");
	c.add(e164 + "123", h, "e164_three_added");
	c.add(digits_of(nat).substr(0, 2), h, "two_digits");
	c.add(digits_of(nat).substr(0, 3), h, "three_digits");
	c.add(nat + "ABC", h, "letters_trailing");
	c.add("Call " + intl + " now", h, "text_around");
	for (int i = 0; i < messy; i++)
	{
		static const int kinds = 6;
		std::string base,
					kind;
		std::string region;

		switch (rng.below(kinds))
		{
			case 0: base = nat; break;
			case 1: base = intl; break;
			case 2: base = e164; break;
			case 3: base = digits_of(nat); break;
			case 4: base = "00" + cc + nsn; break;
			default: base = cc + " " + nsn; break;
		}
		switch (rng.below(5))
		{
			case 0: region = other; break;
			case 1: region = ""; break;
			default: region = h; break;
		}
		std::string s = mess_up(base, rng, &kind);

		c.add(s, region, kind.c_str());
	}
}

/* The full corpus: every region, every type's example number, spelled many ways. */
void
full_corpus(Corpus &c, const PhoneNumberUtil &util, const std::vector<std::string> &regions)
{
	static const PhoneNumberUtil::PhoneNumberType types[] = {
		PhoneNumberUtil::FIXED_LINE, PhoneNumberUtil::MOBILE, PhoneNumberUtil::TOLL_FREE,
		PhoneNumberUtil::PREMIUM_RATE, PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
		PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER, PhoneNumberUtil::UAN,
		PhoneNumberUtil::VOICEMAIL,
	};
	uint64_t	seed = 1;

	for (const std::string &region : regions)
	{
		PhoneNumber num;

		for (PhoneNumberUtil::PhoneNumberType type : types)
			if (util.GetExampleNumberForType(region, type, &num))
			{
				Rng			rng(seed++);

				add_spellings(c, util, num, region, regions, rng, 36);
			}
		if (util.GetInvalidExampleNumber(region, &num))
		{
			Rng			rng(seed++);

			add_spellings(c, util, num, region, regions, rng, 8);
		}
	}
	std::set<int> codes;

	util.GetSupportedGlobalNetworkCallingCodes(&codes);
	for (int code : codes)
	{
		PhoneNumber num;

		if (util.GetExampleNumberForNonGeoEntity(code, &num))
		{
			Rng			rng(seed++);

			add_spellings(c, util, num, "001", regions, rng, 36);
		}
	}
}

/* N CRM-style inputs from 20 common regions: national, international, E.164, dialled from abroad, digits. */
void
typical_corpus(Corpus &c, const PhoneNumberUtil &util, int rows)
{
	static const char *const common[] = {
		"US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "AE", "SA",
		"IN", "AU", "BR", "MX", "JP", "KR", "ZA", "NG", "SG", "PL",
	};
	std::vector<PhoneNumber> examples[20][2];

	for (int r = 0; r < 20; r++)
	{
		PhoneNumber num;

		if (util.GetExampleNumberForType(common[r], PhoneNumberUtil::FIXED_LINE, &num))
			examples[r][0].push_back(num);
		if (util.GetExampleNumberForType(common[r], PhoneNumberUtil::MOBILE, &num))
			examples[r][1].push_back(num);
	}
	Rng			rng(20261124);

	for (int i = 0; i < rows; i++)
	{
		int			r = i % 20;
		std::vector<PhoneNumber> &pool = examples[r][(i / 20) % 2].empty() ? examples[r][0] : examples[r][(i / 20) % 2];

		if (pool.empty())
			continue;
		PhoneNumber num = pool[0];
		std::string nsn;

		/* vary the subscriber digits (the last four), keeping the length */
		util.GetNationalSignificantNumber(num, &nsn);
		for (size_t k = nsn.size() > 4 ? nsn.size() - 4 : 0; k < nsn.size(); k++)
			nsn[k] = (char) ('0' + rng.below(10));
		PhoneNumber varied;

		if (util.Parse("+" + std::to_string(num.country_code()) + nsn, "ZZ", &varied) != PhoneNumberUtil::NO_PARSING_ERROR)
			varied = num;
		std::string s;
		const char *region = common[r];

		switch (rng.below(6))
		{
			case 0:
			case 1:
				util.Format(varied, PhoneNumberUtil::NATIONAL, &s);
				break;
			case 2:
				util.Format(varied, PhoneNumberUtil::INTERNATIONAL, &s);
				break;
			case 3:
				util.Format(varied, PhoneNumberUtil::E164, &s);
				break;
			case 4:				/* a foreign number as dialled from the next region (its own IDD) */
				region = common[(r + 1) % 20];
				util.FormatOutOfCountryCallingNumber(varied, region, &s);
				break;
			default:
				util.Format(varied, PhoneNumberUtil::INTERNATIONAL, &s);
				s = replace_all(s.substr(1), ' ', "-");
				break;
		}
		c.add(s, region, "typical");
	}
}

}								/* namespace */

/* ---------------------------------------------------------------- C API */

extern "C" int
phone_lib_init(void)
{
	if (state)
		return 0;
	try
	{
		LibState   *s = new LibState();
		std::set<std::string> regions;

		PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();

		util->SetLogger(new SilentLogger());
		s->util = util;
		s->util->GetSupportedRegions(&regions);
		s->regions.assign(regions.begin(), regions.end());
		for (int &i : s->index_by_letters)
			i = -1;
		for (size_t i = 0; i < s->regions.size(); i++)
		{
			const std::string &code = s->regions[i];

			if (code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z')
				s->index_by_letters[(code[0] - 'A') * 26 + (code[1] - 'A')] = (int) i;
		}
		s->tables = build_tables(*s->util, s->regions);
		if (!s->tables)
		{
			delete s;
			return -1;
		}
		state = s;
		return 0;
	}
	catch (...)
	{
		return -1;
	}
}

extern "C" const PhoneFastTables *
phone_lib_fast_tables(void)
{
	return state ? state->tables : nullptr;
}

extern "C" int
phone_lib_region_index(const char *code, size_t len)
{
	if (!state || len != 2)
		return -1;
	int			a = code[0] & ~0x20,
				b = code[1] & ~0x20;	/* ASCII upper case */

	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return -1;
	return state->index_by_letters[(a - 'A') * 26 + (b - 'A')];
}

extern "C" int
phone_lib_region_count(void)
{
	return state ? (int) state->regions.size() : 0;
}

extern "C" const char *
phone_lib_region_code(int region_index)
{
	if (!state || region_index < 0 || region_index >= (int) state->regions.size())
		return nullptr;
	return state->regions[region_index].c_str();
}

extern "C" int
phone_lib_region_country_code(int region_index)
{
	if (!state || region_index < 0 || region_index >= (int) state->regions.size())
		return 0;
	try
	{
		return state->util->GetCountryCodeForRegion(state->regions[region_index]);
	}
	catch (...)
	{
		return 0;
	}
}

extern "C" int
phone_lib_normalize(const char *s, size_t len, int region_index, PhoneResult *result)
{
	try
	{
		PhoneNumber num;
		PhoneNumberUtil::ErrorType error;
		PhoneReason reason;

		result->country_code = 0;
		result->nsn_len = 0;
		result->nsn[0] = '\0';
		if (len > PHONE_MAX_INPUT)
		{
			/* libphonenumber 8.13 and later refuse such input as too long; 8.12 runs its regexes over all of it */
			result->reason = PHONE_TOO_LONG;
			return 0;
		}
		error = state->util->Parse(std::string(s, len), region_for(region_index), &num);
		if (error != PhoneNumberUtil::NO_PARSING_ERROR)
		{
			result->reason = reason_for_error(error);
			return 0;
		}
		reason = reason_for_validation(state->util->IsPossibleNumberWithReason(num));
		result->reason = reason;
		if (reason == PHONE_OK)
		{
			std::string nsn;

			state->util->GetNationalSignificantNumber(num, &nsn);
			if (nsn.size() > PHONE_MAX_NSN)
			{
				result->reason = PHONE_TOO_LONG;
				return 0;
			}
			result->country_code = num.country_code();
			result->nsn_len = (int) nsn.size();
			memcpy(result->nsn, nsn.data(), nsn.size());
			result->nsn[nsn.size()] = '\0';
		}
		return 0;
	}
	catch (...)
	{
		return -1;
	}
}

extern "C" int
phone_lib_is_valid(const char *s, size_t len, int region_index, int *valid)
{
	try
	{
		PhoneNumber num;

		*valid = 0;
		if (len > PHONE_MAX_INPUT)
			return 0;
		if (state->util->Parse(std::string(s, len), region_for(region_index), &num) == PhoneNumberUtil::NO_PARSING_ERROR)
			*valid = state->util->IsValidNumber(num) ? 1 : 0;
		return 0;
	}
	catch (...)
	{
		return -1;
	}
}

extern "C" char *
phone_lib_corpus(int typical_rows, size_t *n_rows)
{
	try
	{
		Corpus		c;

		if (typical_rows > 0)
			typical_corpus(c, *state->util, typical_rows);
		else
			full_corpus(c, *state->util, state->regions);
		char	   *block = (char *) malloc(c.block.size() + 1);

		if (!block)
			return nullptr;
		memcpy(block, c.block.data(), c.block.size());
		block[c.block.size()] = '\0';
		*n_rows = c.rows;
		return block;
	}
	catch (...)
	{
		return nullptr;
	}
}

extern "C" void
phone_lib_free(void *p)
{
	free(p);
}
