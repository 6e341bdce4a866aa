-- pgTAP: the customer-field normalizers (src/identity/name.c, location.c, country.c,
-- date_of_birth.c, gender.c, external_id.c): signatures, the NULL <=> reason contract
-- over many inputs, every ISO 3166-1 country, every US state, the calendar.
BEGIN;
SELECT plan(64);

------------------------------------------------------------------ signatures
SELECT has_function('recon_normalize_first_name', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_first_name_reason', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_last_name', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_last_name_reason', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_city', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_city_reason', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_state', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_state_reason', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_zip', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_zip_reason', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_country', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_country_reason', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_date_of_birth', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_date_of_birth_reason', ARRAY['text', 'text', 'text']);
SELECT has_function('recon_normalize_gender', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_gender_reason', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_external_id', ARRAY['text', 'text']);
SELECT has_function('recon_normalize_external_id_reason', ARRAY['text', 'text']);

-- All IMMUTABLE and PARALLEL SAFE; normalizers STRICT unless a NULL country must mean "unknown";
-- reason companions never STRICT (NULL input is 'missing').
SELECT is((SELECT count(*)::int FROM pg_proc
           WHERE proname ~ '^recon_normalize_(first_name|last_name|city|state|zip|country|date_of_birth|gender|external_id)(_reason)?$'
             AND provolatile = 'i' AND proparallel = 's'), 18, 'all 18 field functions are IMMUTABLE PARALLEL SAFE');
SELECT is((SELECT array_agg(proname::text ORDER BY proname COLLATE "C") FROM pg_proc
           WHERE proname ~ '^recon_normalize_(first_name|last_name|city|state|zip|country|date_of_birth|gender|external_id)(_reason)?$'
             AND proisstrict),
          ARRAY['recon_normalize_city', 'recon_normalize_country', 'recon_normalize_date_of_birth', 'recon_normalize_external_id',
                'recon_normalize_first_name', 'recon_normalize_gender', 'recon_normalize_last_name'],
          'the normalizers without a country argument are STRICT, no reason companion is');

------------------------------------------------------------------ the contract over many inputs
-- Inputs: a fixed list of awkward values, plus 3000 strings assembled from awkward pieces.
CREATE TEMP TABLE field_inputs AS
SELECT v FROM unnest(ARRAY['Mary', '정', 'Valéry', U&'Vale\0301ry', 'O''Brien', 'Jean-Luc', 'Dr. Ada', 'Smith Jr.',
    'New York', 'CA', 'California', 'Ontario', '94035-1234', 'M1 1AE', 'SW1A 1AA', 'K1A 0B1', 'United States', 'USA', 'UK',
    '2/16/1997', '16/2/1997', '2/3/1997', '1997-02-16', '19970216', '2/29/1997', 'Feb 16, 1997', 'f', 'Male', 'x',
    '', ' ', E'\t', '-', '''', '.', 'Mr', 'Jr', E'a\u0001b', U&'a\0085b', U&'a\200Bb', U&'\FEFF', '0', '00000', 'ß', 'İ',
    repeat('z', 300), repeat('9', 40)]) AS v
UNION ALL
SELECT string_agg(piece, '' ORDER BY k)
FROM generate_series(1, 3000) AS i,
     LATERAL (SELECT k, (ARRAY['a', 'Z', 'é', U&'e\0301', '정', ' ', '-', '''', '.', ',', '/', '1', '9', '0', 'Mr', 'Jr',
                               'us', 'GB', '1997', '02', '16', 'Feb', E'\t', U&'\00A0', U&'\200E', 'ß', 'Ω', ':', 'T'])
                             [1 + (hashint4(i * 31 + k) & 2147483647) % 29] AS piece
              FROM generate_series(1, 1 + (hashint4(i) & 2147483647) % 9) AS k) AS pieces
GROUP BY i;

CREATE TEMP TABLE field_results AS
SELECT f, p, v, n, r FROM field_inputs, LATERAL (VALUES
    ('first_name', 'meta', recon_normalize_first_name(v), recon_normalize_first_name_reason(v)),
    ('first_name', 'google', recon_normalize_first_name(v, 'google'), recon_normalize_first_name_reason(v, 'google')),
    ('last_name', 'meta', recon_normalize_last_name(v, 'meta'), recon_normalize_last_name_reason(v, 'meta')),
    ('last_name', 'google', recon_normalize_last_name(v, 'google'), recon_normalize_last_name_reason(v, 'google')),
    ('city', 'meta', recon_normalize_city(v), recon_normalize_city_reason(v)),
    ('city', 'google', recon_normalize_city(v, 'google'), recon_normalize_city_reason(v, 'google')),
    ('state', 'meta', recon_normalize_state(v), recon_normalize_state_reason(v)),
    ('state', 'meta us', recon_normalize_state(v, 'US'), recon_normalize_state_reason(v, 'US')),
    ('state', 'google fr', recon_normalize_state(v, 'France', 'google'), recon_normalize_state_reason(v, 'France', 'google')),
    ('zip', 'meta', recon_normalize_zip(v), recon_normalize_zip_reason(v)),
    ('zip', 'meta us', recon_normalize_zip(v, 'us'), recon_normalize_zip_reason(v, 'us')),
    ('zip', 'google gb', recon_normalize_zip(v, 'gb', 'google'), recon_normalize_zip_reason(v, 'gb', 'google')),
    ('country', 'meta', recon_normalize_country(v), recon_normalize_country_reason(v)),
    ('country', 'linkedin', recon_normalize_country(v, 'linkedin'), recon_normalize_country_reason(v, 'linkedin')),
    ('date_of_birth', 'mdy', recon_normalize_date_of_birth(v), recon_normalize_date_of_birth_reason(v)),
    ('date_of_birth', 'strict', recon_normalize_date_of_birth(v, 'strict'), recon_normalize_date_of_birth_reason(v, 'strict')),
    ('gender', 'snap', recon_normalize_gender(v, 'snap'), recon_normalize_gender_reason(v, 'snap')),
    ('external_id', 'generic', recon_normalize_external_id(v, 'generic'), recon_normalize_external_id_reason(v, 'generic'))
) AS x(f, p, n, r);

SELECT cmp_ok((SELECT count(DISTINCT v)::int FROM field_inputs), '>', 2000, 'the generated inputs are varied');
SELECT is((SELECT count(*)::int FROM field_results WHERE (n IS NULL) = (r IS NULL)), 0,
          'for every field and platform: normalize IS NULL <=> reason IS NOT NULL');
SELECT is((SELECT count(*)::int FROM field_results WHERE n = '' OR n <> btrim(n) OR n ~ '[[:cntrl:]]'), 0,
          'no result is empty, padded or holds a control character');
SELECT cmp_ok((SELECT count(DISTINCT (f, p))::int FROM field_results WHERE n IS NOT NULL), '=', 18,
              'every field and platform normalizes some of the inputs (the check above is not vacuous)');
SELECT is((SELECT count(*)::int FROM field_results
           WHERE r IS NOT NULL AND r NOT IN ('missing', 'invalid_utf8', 'control_character', 'too_long', 'no_letters',
               'contains_digits', 'only_title_or_suffix', 'unknown_us_state', 'invalid_us_zip', 'invalid_uk_postcode',
               'invalid_postal_code', 'unknown_country', 'unrecognized_date_format', 'ambiguous_date', 'two_digit_year',
               'invalid_date', 'year_out_of_range', 'unrecognized_gender')), 0,
          'every reason is one of the documented codes');
SELECT is((SELECT count(*)::int FROM field_results WHERE n IS NOT NULL AND f <> 'external_id' AND p NOT LIKE 'google%'
             AND p <> 'linkedin' AND n <> lower(n)), 0, 'Meta-style results are lower case');
SELECT is((SELECT count(*)::int FROM field_results WHERE n IS NOT NULL AND f IN ('first_name', 'last_name', 'city', 'state')
             AND p NOT LIKE 'google%' AND n ~ '[[:space:]!-/:-@[-`{-~]'), 0, 'Meta-style names, cities and states have no spaces or ASCII punctuation');
SELECT is((SELECT count(*)::int FROM field_results r1 JOIN field_results r2 ON r2.v = r1.n AND (r2.f, r2.p) = (r1.f, r1.p)
           WHERE r2.n IS DISTINCT FROM r1.n), 0, 'normalizing a normalized value changes nothing (where it is also an input)');
SELECT is((SELECT count(*)::int FROM field_results WHERE f = 'date_of_birth' AND n IS NOT NULL AND to_char(to_date(n, 'YYYYMMDD'), 'YYYYMMDD') <> n), 0,
          'every normalized date of birth is a real YYYYMMDD date');

------------------------------------------------------------------ names against a plain-SQL oracle
-- For ASCII input without digits or control characters, Meta's rule is lower case, letters only.
SELECT is((SELECT count(*)::int FROM field_inputs
           WHERE v ~ '^[ -~]*$' AND v !~ '[0-9]' AND v ~ '[A-Za-z]' AND octet_length(btrim(v)) <= 256
             AND recon_normalize_first_name(v) IS DISTINCT FROM lower(regexp_replace(v, '[^A-Za-z]', '', 'g'))), 0,
          'Meta first name = lower(regexp_replace(v, ''[^A-Za-z]'', '''', ''g'')) on ASCII input');
SELECT is((SELECT count(*)::int FROM field_inputs
           WHERE v ~ '^[ -~]*$' AND v ~ '[A-Za-z0-9]' AND octet_length(btrim(v)) <= 256
             AND recon_normalize_city(v) IS DISTINCT FROM lower(regexp_replace(v, '[^A-Za-z0-9]', '', 'g'))), 0,
          'Meta city = lower(regexp_replace(v, ''[^A-Za-z0-9]'', '''', ''g'')) on ASCII input');
SELECT is(recon_normalize_first_name(U&'Zo\0065\0308'), recon_normalize_first_name(U&'Zo\00EB'), 'decomposed and composed accents give the same name');
SELECT is(recon_normalize_last_name('Smith III', 'google'), 'smith', 'Google drops a generational suffix');
SELECT is(recon_normalize_first_name('Prof. Dr. Ada', 'google'), 'ada', 'Google drops several leading titles');
SELECT is(recon_normalize_first_name_reason('Dr.', 'google'), 'only_title_or_suffix', 'a title alone is no name');

------------------------------------------------------------------ every ISO 3166-1 country
CREATE TEMP TABLE iso_countries(alpha2, alpha3, name) AS VALUES
        ('AD', 'AND', 'Andorra'), ('AE', 'ARE', 'United Arab Emirates'), ('AF', 'AFG', 'Afghanistan'),
        ('AG', 'ATG', 'Antigua and Barbuda'), ('AI', 'AIA', 'Anguilla'), ('AL', 'ALB', 'Albania'),
        ('AM', 'ARM', 'Armenia'), ('AO', 'AGO', 'Angola'), ('AQ', 'ATA', 'Antarctica'), ('AR', 'ARG', 'Argentina'),
        ('AS', 'ASM', 'American Samoa'), ('AT', 'AUT', 'Austria'), ('AU', 'AUS', 'Australia'),
        ('AW', 'ABW', 'Aruba'), ('AX', 'ALA', 'Åland Islands'), ('AZ', 'AZE', 'Azerbaijan'),
        ('BA', 'BIH', 'Bosnia and Herzegovina'), ('BB', 'BRB', 'Barbados'), ('BD', 'BGD', 'Bangladesh'),
        ('BE', 'BEL', 'Belgium'), ('BF', 'BFA', 'Burkina Faso'), ('BG', 'BGR', 'Bulgaria'), ('BH', 'BHR', 'Bahrain'),
        ('BI', 'BDI', 'Burundi'), ('BJ', 'BEN', 'Benin'), ('BL', 'BLM', 'Saint Barthélemy'),
        ('BM', 'BMU', 'Bermuda'), ('BN', 'BRN', 'Brunei Darussalam'),
        ('BO', 'BOL', 'Bolivia, Plurinational State of'), ('BQ', 'BES', 'Bonaire, Sint Eustatius and Saba'),
        ('BR', 'BRA', 'Brazil'), ('BS', 'BHS', 'Bahamas'), ('BT', 'BTN', 'Bhutan'), ('BV', 'BVT', 'Bouvet Island'),
        ('BW', 'BWA', 'Botswana'), ('BY', 'BLR', 'Belarus'), ('BZ', 'BLZ', 'Belize'), ('CA', 'CAN', 'Canada'),
        ('CC', 'CCK', 'Cocos (Keeling) Islands'), ('CD', 'COD', 'Congo, The Democratic Republic of the'),
        ('CF', 'CAF', 'Central African Republic'), ('CG', 'COG', 'Congo'), ('CH', 'CHE', 'Switzerland'),
        ('CI', 'CIV', 'Côte d''Ivoire'), ('CK', 'COK', 'Cook Islands'), ('CL', 'CHL', 'Chile'),
        ('CM', 'CMR', 'Cameroon'), ('CN', 'CHN', 'China'), ('CO', 'COL', 'Colombia'), ('CR', 'CRI', 'Costa Rica'),
        ('CU', 'CUB', 'Cuba'), ('CV', 'CPV', 'Cabo Verde'), ('CW', 'CUW', 'Curaçao'),
        ('CX', 'CXR', 'Christmas Island'), ('CY', 'CYP', 'Cyprus'), ('CZ', 'CZE', 'Czechia'),
        ('DE', 'DEU', 'Germany'), ('DJ', 'DJI', 'Djibouti'), ('DK', 'DNK', 'Denmark'), ('DM', 'DMA', 'Dominica'),
        ('DO', 'DOM', 'Dominican Republic'), ('DZ', 'DZA', 'Algeria'), ('EC', 'ECU', 'Ecuador'),
        ('EE', 'EST', 'Estonia'), ('EG', 'EGY', 'Egypt'), ('EH', 'ESH', 'Western Sahara'), ('ER', 'ERI', 'Eritrea'),
        ('ES', 'ESP', 'Spain'), ('ET', 'ETH', 'Ethiopia'), ('FI', 'FIN', 'Finland'), ('FJ', 'FJI', 'Fiji'),
        ('FK', 'FLK', 'Falkland Islands (Malvinas)'), ('FM', 'FSM', 'Micronesia, Federated States of'),
        ('FO', 'FRO', 'Faroe Islands'), ('FR', 'FRA', 'France'), ('GA', 'GAB', 'Gabon'),
        ('GB', 'GBR', 'United Kingdom'), ('GD', 'GRD', 'Grenada'), ('GE', 'GEO', 'Georgia'),
        ('GF', 'GUF', 'French Guiana'), ('GG', 'GGY', 'Guernsey'), ('GH', 'GHA', 'Ghana'),
        ('GI', 'GIB', 'Gibraltar'), ('GL', 'GRL', 'Greenland'), ('GM', 'GMB', 'Gambia'), ('GN', 'GIN', 'Guinea'),
        ('GP', 'GLP', 'Guadeloupe'), ('GQ', 'GNQ', 'Equatorial Guinea'), ('GR', 'GRC', 'Greece'),
        ('GS', 'SGS', 'South Georgia and the South Sandwich Islands'), ('GT', 'GTM', 'Guatemala'),
        ('GU', 'GUM', 'Guam'), ('GW', 'GNB', 'Guinea-Bissau'), ('GY', 'GUY', 'Guyana'), ('HK', 'HKG', 'Hong Kong'),
        ('HM', 'HMD', 'Heard Island and McDonald Islands'), ('HN', 'HND', 'Honduras'), ('HR', 'HRV', 'Croatia'),
        ('HT', 'HTI', 'Haiti'), ('HU', 'HUN', 'Hungary'), ('ID', 'IDN', 'Indonesia'), ('IE', 'IRL', 'Ireland'),
        ('IL', 'ISR', 'Israel'), ('IM', 'IMN', 'Isle of Man'), ('IN', 'IND', 'India'),
        ('IO', 'IOT', 'British Indian Ocean Territory'), ('IQ', 'IRQ', 'Iraq'),
        ('IR', 'IRN', 'Iran, Islamic Republic of'), ('IS', 'ISL', 'Iceland'), ('IT', 'ITA', 'Italy'),
        ('JE', 'JEY', 'Jersey'), ('JM', 'JAM', 'Jamaica'), ('JO', 'JOR', 'Jordan'), ('JP', 'JPN', 'Japan'),
        ('KE', 'KEN', 'Kenya'), ('KG', 'KGZ', 'Kyrgyzstan'), ('KH', 'KHM', 'Cambodia'), ('KI', 'KIR', 'Kiribati'),
        ('KM', 'COM', 'Comoros'), ('KN', 'KNA', 'Saint Kitts and Nevis'),
        ('KP', 'PRK', 'Korea, Democratic People''s Republic of'), ('KR', 'KOR', 'Korea, Republic of'),
        ('KW', 'KWT', 'Kuwait'), ('KY', 'CYM', 'Cayman Islands'), ('KZ', 'KAZ', 'Kazakhstan'),
        ('LA', 'LAO', 'Lao People''s Democratic Republic'), ('LB', 'LBN', 'Lebanon'), ('LC', 'LCA', 'Saint Lucia'),
        ('LI', 'LIE', 'Liechtenstein'), ('LK', 'LKA', 'Sri Lanka'), ('LR', 'LBR', 'Liberia'),
        ('LS', 'LSO', 'Lesotho'), ('LT', 'LTU', 'Lithuania'), ('LU', 'LUX', 'Luxembourg'), ('LV', 'LVA', 'Latvia'),
        ('LY', 'LBY', 'Libya'), ('MA', 'MAR', 'Morocco'), ('MC', 'MCO', 'Monaco'),
        ('MD', 'MDA', 'Moldova, Republic of'), ('ME', 'MNE', 'Montenegro'),
        ('MF', 'MAF', 'Saint Martin (French part)'), ('MG', 'MDG', 'Madagascar'), ('MH', 'MHL', 'Marshall Islands'),
        ('MK', 'MKD', 'North Macedonia'), ('ML', 'MLI', 'Mali'), ('MM', 'MMR', 'Myanmar'), ('MN', 'MNG', 'Mongolia'),
        ('MO', 'MAC', 'Macao'), ('MP', 'MNP', 'Northern Mariana Islands'), ('MQ', 'MTQ', 'Martinique'),
        ('MR', 'MRT', 'Mauritania'), ('MS', 'MSR', 'Montserrat'), ('MT', 'MLT', 'Malta'), ('MU', 'MUS', 'Mauritius'),
        ('MV', 'MDV', 'Maldives'), ('MW', 'MWI', 'Malawi'), ('MX', 'MEX', 'Mexico'), ('MY', 'MYS', 'Malaysia'),
        ('MZ', 'MOZ', 'Mozambique'), ('NA', 'NAM', 'Namibia'), ('NC', 'NCL', 'New Caledonia'),
        ('NE', 'NER', 'Niger'), ('NF', 'NFK', 'Norfolk Island'), ('NG', 'NGA', 'Nigeria'),
        ('NI', 'NIC', 'Nicaragua'), ('NL', 'NLD', 'Netherlands'), ('NO', 'NOR', 'Norway'), ('NP', 'NPL', 'Nepal'),
        ('NR', 'NRU', 'Nauru'), ('NU', 'NIU', 'Niue'), ('NZ', 'NZL', 'New Zealand'), ('OM', 'OMN', 'Oman'),
        ('PA', 'PAN', 'Panama'), ('PE', 'PER', 'Peru'), ('PF', 'PYF', 'French Polynesia'),
        ('PG', 'PNG', 'Papua New Guinea'), ('PH', 'PHL', 'Philippines'), ('PK', 'PAK', 'Pakistan'),
        ('PL', 'POL', 'Poland'), ('PM', 'SPM', 'Saint Pierre and Miquelon'), ('PN', 'PCN', 'Pitcairn'),
        ('PR', 'PRI', 'Puerto Rico'), ('PS', 'PSE', 'Palestine, State of'), ('PT', 'PRT', 'Portugal'),
        ('PW', 'PLW', 'Palau'), ('PY', 'PRY', 'Paraguay'), ('QA', 'QAT', 'Qatar'), ('RE', 'REU', 'Réunion'),
        ('RO', 'ROU', 'Romania'), ('RS', 'SRB', 'Serbia'), ('RU', 'RUS', 'Russian Federation'),
        ('RW', 'RWA', 'Rwanda'), ('SA', 'SAU', 'Saudi Arabia'), ('SB', 'SLB', 'Solomon Islands'),
        ('SC', 'SYC', 'Seychelles'), ('SD', 'SDN', 'Sudan'), ('SE', 'SWE', 'Sweden'), ('SG', 'SGP', 'Singapore'),
        ('SH', 'SHN', 'Saint Helena, Ascension and Tristan da Cunha'), ('SI', 'SVN', 'Slovenia'),
        ('SJ', 'SJM', 'Svalbard and Jan Mayen'), ('SK', 'SVK', 'Slovakia'), ('SL', 'SLE', 'Sierra Leone'),
        ('SM', 'SMR', 'San Marino'), ('SN', 'SEN', 'Senegal'), ('SO', 'SOM', 'Somalia'), ('SR', 'SUR', 'Suriname'),
        ('SS', 'SSD', 'South Sudan'), ('ST', 'STP', 'Sao Tome and Principe'), ('SV', 'SLV', 'El Salvador'),
        ('SX', 'SXM', 'Sint Maarten (Dutch part)'), ('SY', 'SYR', 'Syrian Arab Republic'), ('SZ', 'SWZ', 'Eswatini'),
        ('TC', 'TCA', 'Turks and Caicos Islands'), ('TD', 'TCD', 'Chad'),
        ('TF', 'ATF', 'French Southern Territories'), ('TG', 'TGO', 'Togo'), ('TH', 'THA', 'Thailand'),
        ('TJ', 'TJK', 'Tajikistan'), ('TK', 'TKL', 'Tokelau'), ('TL', 'TLS', 'Timor-Leste'),
        ('TM', 'TKM', 'Turkmenistan'), ('TN', 'TUN', 'Tunisia'), ('TO', 'TON', 'Tonga'), ('TR', 'TUR', 'Türkiye'),
        ('TT', 'TTO', 'Trinidad and Tobago'), ('TV', 'TUV', 'Tuvalu'), ('TW', 'TWN', 'Taiwan, Province of China'),
        ('TZ', 'TZA', 'Tanzania, United Republic of'), ('UA', 'UKR', 'Ukraine'), ('UG', 'UGA', 'Uganda'),
        ('UM', 'UMI', 'United States Minor Outlying Islands'), ('US', 'USA', 'United States'),
        ('UY', 'URY', 'Uruguay'), ('UZ', 'UZB', 'Uzbekistan'), ('VA', 'VAT', 'Holy See (Vatican City State)'),
        ('VC', 'VCT', 'Saint Vincent and the Grenadines'), ('VE', 'VEN', 'Venezuela, Bolivarian Republic of'),
        ('VG', 'VGB', 'Virgin Islands, British'), ('VI', 'VIR', 'Virgin Islands, U.S.'), ('VN', 'VNM', 'Viet Nam'),
        ('VU', 'VUT', 'Vanuatu'), ('WF', 'WLF', 'Wallis and Futuna'), ('WS', 'WSM', 'Samoa'), ('YE', 'YEM', 'Yemen'),
        ('YT', 'MYT', 'Mayotte'), ('ZA', 'ZAF', 'South Africa'), ('ZM', 'ZMB', 'Zambia'), ('ZW', 'ZWE', 'Zimbabwe')
;

SELECT is((SELECT count(*)::int FROM iso_countries), 249, 'the ISO 3166-1 list has 249 countries');
SELECT is((SELECT count(*)::int FROM iso_countries
           WHERE recon_normalize_country(alpha2) = lower(alpha2) AND recon_normalize_country(lower(alpha2)) = lower(alpha2)), 249,
          'every alpha-2 code round-trips (Meta, lower case)');
SELECT is((SELECT count(*)::int FROM iso_countries WHERE recon_normalize_country(alpha3) = lower(alpha2)), 249,
          'every alpha-3 code gives its alpha-2 code');
SELECT is((SELECT count(*)::int FROM iso_countries WHERE recon_normalize_country(name) = lower(alpha2)), 249,
          'every ISO English short name gives its alpha-2 code');
SELECT is((SELECT count(*)::int FROM iso_countries WHERE recon_normalize_country(upper(name)) = lower(alpha2)
             AND recon_normalize_country(' ' || lower(alpha3) || ' ') = lower(alpha2)), 249,
          'names and codes are read in any case, trimmed');
SELECT is((SELECT count(*)::int FROM iso_countries WHERE recon_normalize_country(name, 'google') = alpha2
             AND recon_normalize_country(alpha3, 'linkedin') = alpha2), 249,
          'Google and LinkedIn get the upper-case alpha-2 code');
SELECT is((SELECT count(*)::int FROM iso_countries WHERE recon_normalize_country(alpha2 || 'X') IS NOT NULL
             AND upper(alpha2 || 'X') NOT IN (SELECT alpha3 FROM iso_countries)), 0,
          'a code with a letter added is not a country unless it is an alpha-3 code');

------------------------------------------------------------------ every US state
CREATE TEMP TABLE us_states(code, name) AS VALUES
    ('AL', 'Alabama'), ('AK', 'Alaska'), ('AZ', 'Arizona'), ('AR', 'Arkansas'), ('CA', 'California'), ('CO', 'Colorado'),
    ('CT', 'Connecticut'), ('DE', 'Delaware'), ('FL', 'Florida'), ('GA', 'Georgia'), ('HI', 'Hawaii'), ('ID', 'Idaho'),
    ('IL', 'Illinois'), ('IN', 'Indiana'), ('IA', 'Iowa'), ('KS', 'Kansas'), ('KY', 'Kentucky'), ('LA', 'Louisiana'),
    ('ME', 'Maine'), ('MD', 'Maryland'), ('MA', 'Massachusetts'), ('MI', 'Michigan'), ('MN', 'Minnesota'),
    ('MS', 'Mississippi'), ('MO', 'Missouri'), ('MT', 'Montana'), ('NE', 'Nebraska'), ('NV', 'Nevada'),
    ('NH', 'New Hampshire'), ('NJ', 'New Jersey'), ('NM', 'New Mexico'), ('NY', 'New York'), ('NC', 'North Carolina'),
    ('ND', 'North Dakota'), ('OH', 'Ohio'), ('OK', 'Oklahoma'), ('OR', 'Oregon'), ('PA', 'Pennsylvania'),
    ('RI', 'Rhode Island'), ('SC', 'South Carolina'), ('SD', 'South Dakota'), ('TN', 'Tennessee'), ('TX', 'Texas'),
    ('UT', 'Utah'), ('VT', 'Vermont'), ('VA', 'Virginia'), ('WA', 'Washington'), ('WV', 'West Virginia'),
    ('WI', 'Wisconsin'), ('WY', 'Wyoming'), ('DC', 'District of Columbia');

SELECT is((SELECT count(*)::int FROM us_states
           WHERE recon_normalize_state(name) = lower(code) AND recon_normalize_state(upper(name), 'US') = lower(code)
             AND recon_normalize_state(code, 'usa') = lower(code) AND recon_normalize_state(lower(code)) = lower(code)), 51,
          'every US state (and DC) name and code gives the lower-case code for Meta');
SELECT is((SELECT count(*)::int FROM us_states
           WHERE recon_normalize_state(name, 'United States', 'google') = code AND recon_normalize_state(lower(code), NULL, 'google') = code), 51,
          'every US state name and code gives the upper-case code for Google');
SELECT is((SELECT count(*)::int FROM us_states WHERE recon_normalize_state(name, 'CA') = lower(replace(name, ' ', ''))), 51,
          'outside the US a state name is only cleaned, never turned into a US code');
SELECT is(recon_normalize_state_reason('Ontario', 'US'), 'unknown_us_state', 'a region that is no US state is flagged when the country is US');

------------------------------------------------------------------ zip
SELECT is((SELECT count(*)::int FROM generate_series(0, 99999, 7) AS z
           WHERE recon_normalize_zip(lpad(z::text, 5, '0') || '-' || lpad((z % 10000)::text, 4, '0')) = lpad(z::text, 5, '0')
             AND recon_normalize_zip(lpad(z::text, 5, '0'), 'US') = lpad(z::text, 5, '0')), 14286,
          'every ZIP+4 gives its 5-digit ZIP, leading zeros kept');
SELECT is(recon_normalize_zip_reason('1234', 'US'), 'invalid_us_zip', 'a 4-digit US ZIP (a lost leading zero) is flagged, not padded');
SELECT is(recon_normalize_zip('ec1a 1bb', 'GB', 'google'), 'EC1A 1BB', 'Google gets a UK postcode upper case with its space');
SELECT is(recon_normalize_zip('EC1A1BB', 'GB'), 'ec1a1bb', 'Meta gets the full UK postcode without its space');

------------------------------------------------------------------ dates of birth against the calendar
-- Every day from 1900 to 2099, in six spellings, against PostgreSQL's own calendar.
CREATE TEMP TABLE days AS SELECT d::date AS d, to_char(d, 'YYYYMMDD') AS expected
FROM generate_series(date '1900-01-01', date '2099-12-31', interval '1 day') AS d;
SELECT is((SELECT count(*)::int FROM days WHERE recon_normalize_date_of_birth(to_char(d, 'YYYY-MM-DD')) = expected
             AND recon_normalize_date_of_birth(expected) = expected), (SELECT count(*)::int FROM days),
          'every day 1900-2099 as YYYY-MM-DD and YYYYMMDD');
SELECT is((SELECT count(*)::int FROM days WHERE recon_normalize_date_of_birth(to_char(d, 'FMMM/FMDD/YYYY')) = expected), (SELECT count(*)::int FROM days),
          'every day as M/D/YYYY (mdy, the default)');
SELECT is((SELECT count(*)::int FROM days WHERE recon_normalize_date_of_birth(to_char(d, 'DD.MM.YYYY'), 'dmy') = expected), (SELECT count(*)::int FROM days),
          'every day as DD.MM.YYYY with dmy');
SELECT is((SELECT count(*)::int FROM days WHERE recon_normalize_date_of_birth(to_char(d, 'FMDD FMMonth YYYY'), 'strict') = expected
             AND recon_normalize_date_of_birth(to_char(d, 'Mon DD, YYYY'), 'strict') = expected), (SELECT count(*)::int FROM days),
          'every day with an English month name, even with the strict order');
SELECT is((SELECT count(*)::int FROM days WHERE extract(day FROM d) <= 12 AND extract(day FROM d) <> extract(month FROM d)
             AND recon_normalize_date_of_birth_reason(to_char(d, 'MM/DD/YYYY'), 'strict') IS DISTINCT FROM 'ambiguous_date'), 0,
          'strict refuses every day whose day and month could be swapped');
SELECT is((SELECT array_agg(y ORDER BY y) FROM generate_series(1900, 2099) AS y
           WHERE recon_normalize_date_of_birth('2/29/' || y) IS NOT NULL),
          (SELECT array_agg(y ORDER BY y) FROM generate_series(1900, 2099) AS y
           WHERE (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0),
          'Feb 29 exists exactly in the leap years (1900 is not one, 2000 is)');
SELECT is((SELECT count(*)::int FROM generate_series(1900, 2099) AS y
           WHERE recon_normalize_date_of_birth_reason(y || '-02-29') = 'invalid_date'), 151,
          'Feb 29 of the 151 non-leap years 1900-2099 is invalid_date');
SELECT is(recon_normalize_date_of_birth_reason('12/31/1899'), 'year_out_of_range', 'a year before 1900 is implausible');
SELECT is(recon_normalize_date_of_birth_reason('2/16/97'), 'two_digit_year', 'a two-digit year is not guessed');

------------------------------------------------------------------ gender, external id
SELECT is((SELECT string_agg(coalesce(recon_normalize_gender(g), '-'), '' ORDER BY o)
           FROM unnest(ARRAY['f', 'F', 'female', 'Woman', 'w', 'm', 'M', 'MALE', 'man', 'x', 'other', 'u']) WITH ORDINALITY AS t(g, o)),
          'fffffmmmm---', 'gender: common spellings map to f or m, others to NULL');
SELECT is(recon_normalize_external_id(E' \tAbC-42\n'), 'AbC-42', 'external id: trimmed, case kept');

------------------------------------------------------------------ misuse
SELECT throws_ok($$SELECT recon_normalize_city('x', 'facebook')$$, '22023', 'unknown platform "facebook" for city', 'unknown platform');
SELECT throws_ok($$SELECT recon_normalize_gender('x', 'google')$$, '22023', NULL, 'Google has no gender field');
SELECT throws_ok($$SELECT recon_normalize_date_of_birth('1/1/2000', 'iso')$$, '22023', 'unknown date order "iso"', 'unknown date order');

SELECT * FROM finish();
ROLLBACK;
