# recon: PGXS build. `make test` and `make demo` work on a fresh Debian machine:
# they install what is missing (scripts/install-deps), build, install and run in a
# throwaway cluster (pg_virtualenv).
EXTENSION  = recon
EXTVERSION = 0.2.0
MODULE_big = recon

# C sources, by layer: core (text, money, time, hashing) <- identity <- linkage <- aggregates.
OBJS = \
	src/recon.o \
	src/core/currency.o \
	src/core/money.o \
	src/core/timezone.o \
	src/core/sha256.o \
	src/core/sha256_hex.o \
	src/core/hmac.o \
	src/core/hmac_sql.o \
	src/core/text.o \
	src/core/fixed_decimal.o \
	src/core/limits_sql.o \
	src/identity/platform.o \
	src/identity/identity_sql.o \
	src/identity/email.o \
	src/identity/email_sql.o \
	src/identity/field.o \
	src/identity/field_kind.o \
	src/identity/field_sql.o \
	src/identity/name.o \
	src/identity/name_sql.o \
	src/identity/location.o \
	src/identity/location_sql.o \
	src/identity/country.o \
	src/identity/country_sql.o \
	src/identity/date_of_birth.o \
	src/identity/date_of_birth_sql.o \
	src/identity/gender.o \
	src/identity/gender_sql.o \
	src/identity/external_id.o \
	src/identity/external_id_sql.o \
	src/identity/hash_identifier.o \
	src/identity/hash_identifier_sql.o \
	src/identity/internal_key.o \
	src/identity/url.o \
	src/identity/url_sql.o \
	src/identity/meta_cookie.o \
	src/identity/meta_cookie_sql.o \
	src/identity/platform_id.o \
	src/identity/platform_id_sql.o \
	src/identity/phone_fast.o \
	src/identity/phone_lib.o \
	src/identity/phone.o \
	src/identity/phone_sql.o \
	src/linkage/jaro_winkler.o \
	src/linkage/jaro_winkler_sql.o \
	src/linkage/comparison.o \
	src/linkage/comparison_sql.o \
	src/linkage/fellegi_sunter.o \
	src/linkage/fs_patterns_sql.o \
	src/linkage/fs_model_sql.o \
	src/linkage/fs_sql.o \
	src/bridge/bridge_state.o \
	src/bridge/bridge.o \
	src/load/csv.o \
	src/load/csv_sql.o \
	src/load/value.o \
	src/load/value_sql.o \
	src/demo/demo_random.o

# SQL declarations live beside their C file (src/<layer>/<concern>.sql) and are
# concatenated into the install script in this order (dependencies first).
SQL_PARTS = \
	src/core/limits.sql \
	src/core/currency.sql \
	src/core/money.sql \
	src/core/timezone.sql \
	src/core/sha256_hex.sql \
	src/core/hmac.sql \
	src/identity/email.sql \
	src/identity/name.sql \
	src/identity/location.sql \
	src/identity/country.sql \
	src/identity/date_of_birth.sql \
	src/identity/gender.sql \
	src/identity/external_id.sql \
	src/identity/hash_identifier.sql \
	src/identity/internal_key.sql \
	src/identity/url.sql \
	src/identity/meta_cookie.sql \
	src/identity/platform_id.sql \
	src/identity/user_data.sql \
	src/identity/phone.sql \
	src/linkage/jaro_winkler.sql \
	src/linkage/comparison.sql \
	src/linkage/fellegi_sunter.sql \
	src/model/schema.sql \
	src/model/settings.sql \
	src/model/fx.sql \
	src/model/platform.sql \
	src/model/funnel.sql \
	src/model/collected.sql \
	src/model/contract.sql \
	src/demo/demo_random.sql \
	src/demo/generator.sql \
	src/report/report.sql \
	src/linkage/cascade.sql \
	src/linkage/inferred.sql \
	src/bridge/bridge.sql \
	src/bridge/records.sql \
	src/bridge/ledger.sql \
	src/bridge/views.sql \
	src/layers/ladder.sql \
	src/layers/platform.sql \
	src/layers/funnel.sql \
	src/layers/collected.sql \
	src/layers/crm_finance.sql \
	src/layers/diagnosis.sql \
	src/gap/evidence.sql \
	src/gap/decomposition.sql \
	src/gap/monitor.sql \
	src/refresh/refresh.sql \
	src/refresh/freeze.sql \
	src/load/value.sql \
	src/load/framework.sql \
	src/load/platform_report.sql \
	src/load/meta_insights.sql \
	src/load/signals.sql \
	src/load/meta_events.sql \
	src/load/google.sql \
	src/load/microsoft.sql \
	src/load/tiktok.sql \
	src/load/linkedin.sql \
	src/load/funnel_writer.sql \
	src/load/hubspot.sql \
	src/load/salesforce.sql \
	src/load/finance_writer.sql \
	src/load/stripe.sql \
	src/load/invoices.sql \
	src/security/audit.sql \
	src/model/contract_proposals.sql \
	src/security/access.sql

# Released install scripts are frozen in sql/ (sql/recon--0.1.0.sql is the script of tag
# v0.1.0); each release's upgrade script is concatenated from src/upgrade/<from>--<to>/*.sql
# in name order. test/upgrade.sh walks the chain and compares the catalog with a fresh install.
UPGRADE_FROM  = 0.1.0
UPGRADE_PARTS = $(patsubst $(srcdir)/%,%,$(sort $(wildcard $(srcdir)/src/upgrade/$(UPGRADE_FROM)--$(EXTVERSION)/*.sql)))
DATA       = sql/$(EXTENSION)--0.1.0.sql
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql
EXTRA_CLEAN = $(DATA_built)

# pg_regress suites: sql/<name>.sql -> expected/<name>.out
REGRESS = install core_currency core_timezone core_sha256_hex identity_email identity_internal_key identity_fields identity_phone identity_hash identity_user_data identity_click_ids identity_vectors linkage_jaro_winkler linkage_fellegi_sunter linkage_cascade settings fx model contract demo_generator report bridge layers_ladder layers_views gap refresh load_framework load_meta load_google load_microsoft load_tiktok load_linkedin load_hubspot load_salesforce load_stripe load_invoices limits
REGRESS_OPTS = --inputdir=$(srcdir) --load-extension=recon

# -Wmissing-prototypes is C-only (g++ warns about it on phone_lib.cpp)
PG_CPPFLAGS = -I$(srcdir)/src -Wall -Wextra -Wno-unused-parameter
PG_CFLAGS   = -Wmissing-prototypes
# ICU (Unicode folding); libphonenumber (C++, src/identity/phone_lib.cpp) and what it needs at link time
SHLIB_LINK  = -licuuc -lphonenumber -lprotobuf -lstdc++

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Out-of-tree builds (make -f <src>/Makefile VPATH=<src>, as Debian's pg_buildext does in
# build-<version>/): the object folders must exist there, and the SQL parts are read from $(srcdir).
ifneq ($(srcdir),.)
$(shell mkdir -p $(sort $(dir $(OBJS))) sql)
endif

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) Makefile
	@{ echo "-- recon $(EXTVERSION): generated from src/**/*.sql by make; edit those files, not this one."; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION recon" to load this file. \quit'; \
	   for f in $(SQL_PARTS); do echo; echo "-- ===== $$f ====="; cat $(srcdir)/$$f; done; } > $@

sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql: $(UPGRADE_PARTS) $(SQL_PARTS) scripts/build-upgrade Makefile
	@{ echo "-- recon $(UPGRADE_FROM) -> $(EXTVERSION): generated from src/upgrade/$(UPGRADE_FROM)--$(EXTVERSION)/*.sql by make."; \
	   printf '%s\n' '\echo Use "ALTER EXTENSION recon UPDATE TO $(EXTVERSION)" to load this file. \quit'; \
	   (cd $(srcdir) && scripts/build-upgrade $(UPGRADE_PARTS)); } > $@.tmp && mv $@.tmp $@

.PHONY: deps test demo bench soak

# Debian packages this project needs (server headers, pgTAP, pg_prove, libphonenumber, pg_cron).
deps:
	@scripts/install-deps

# Everything from a fresh machine: deps, build, install, pg_regress + pgTAP in a throwaway cluster.
test: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t -o shared_preload_libraries=pg_cron -o cron.use_background_workers=on scripts/run-tests

# The main job on the built-in demo data in a throwaway cluster, ending with the report
# (FROM=examples: on the sample export files of examples/ instead of the generator).
demo: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t scripts/run-demo $(if $(SEED),--seed $(SEED)) $(if $(SCALE),--scale $(SCALE)) $(if $(filter examples,$(FROM)),--from-examples)

# Soak test (docs/hardening.md): matching, refreshes, loads, settings changes and checked report
# reads at once for SOAK_SECONDS (default 300) in a throwaway cluster; make test runs 30 s of it.
soak: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t test/soak.sh $(or $(SOAK_SECONDS),300)

# Benchmarks (not tests): see bench/README.md; results go to bench/RESULTS.md.
bench: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t bench/run-all
