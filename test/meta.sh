#!/bin/sh
# Release metadata (part of make test): META.json is valid JSON and follows the PGXN Meta Spec
# 1.0.0 for every key it uses (test/lib/pgxn_meta.sql), and one version is stated everywhere:
# META.json, recon.control, the Makefile, debian/changelog and the server's installed recon.
# PostgreSQL's own JSON parser does the checking, so the suite needs nothing beyond psql.
# Runs against the cluster in PGHOST/PGPORT (pg_virtualenv sets them).
set -eu
cd "$(dirname "$0")/.."

control_version=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" recon.control)
makefile_version=$(sed -n 's/^EXTVERSION *= *\([^ ]*\).*/\1/p' Makefile)
changelog_version=$(sed -n '1s/^recon (\([^-)]*\).*/\1/p' debian/changelog)
docfile=$(sed -n 's/^ *"docfile": *"\(.*\)".*/\1/p' META.json | head -1)
docfile_exists=$([ -n "$docfile" ] && [ -f "$docfile" ] && echo t || echo f)

check() {  # META.json text -> one line per problem
  psql -X -q -At -v ON_ERROR_STOP=1 -d postgres \
    -v meta="$1" \
    -v control_version="$control_version" -v makefile_version="$makefile_version" \
    -v changelog_version="$changelog_version" -v docfile_exists="$docfile_exists" \
    -f test/lib/pgxn_meta.sql
}

meta=$(cat META.json)
problems=$(check "$meta")
if [ -n "$problems" ]; then
  echo "$problems" | sed 's/^/meta: /' >&2
  echo "meta: META.json has $(echo "$problems" | wc -l) problem(s) (above)" >&2
  exit 1
fi

# The check must catch what it claims to: each broken copy of META.json must be refused
# with the expected problem.
refused=0
expect() {  # description, sed expression breaking the file, expected problem (a regex)
  got=$(check "$(printf '%s\n' "$meta" | sed "$2")")
  if ! printf '%s\n' "$got" | grep -Eq -- "$3"; then
    echo "meta: the check missed: $1 (expected /$3/, got: ${got:-nothing})" >&2
    exit 1
  fi
  refused=$((refused + 1))
}
expect "a truncated file" '$d' '^not valid JSON'
expect "no license" '/"license":/d' 'required key "license" is missing'
expect "a two-part version" 's/"version": "0\.2\.0"/"version": "0.2"/' 'version "0\.2" is not a semantic version'
expect "another version than the control file" '0,/"version": "[^"]*"/s//"version": "9.9.9"/' 'version "9\.9\.9" differs from recon.control'
expect "a license name the spec does not know" 's/"license": "[^"]*"/"license": "GPL"/' 'license "GPL" is neither'
expect "an unknown top-level key" 's/^   "name": "recon",/   "name": "recon", "homepage": "x",/' 'unknown key "homepage"'
expect "a misspelt prerequisite phase" 's/"runtime": {/"runtme": {/' 'unknown phase "runtme"'
expect "a bad version range" 's/"pgTAP": "[^"]*"/"pgTAP": ">= 1.2"/' 'prereqs\.test\.requires\.pgTAP'
expect "a tag with a slash" 's/"reconciliation",/"recon\/ciliation",/' 'tag "recon/ciliation"'
expect "a key given twice" 's/^   "name": "recon",/   "name": "recon", "name": "recon",/' 'key "name" appears 2 times'
expect "meta-spec 2.0" 's/"version": "1\.0\.0"/"version": "2.0.0"/' 'meta-spec must be'
expect "an absolute install script path" 's|"file": "sql/|"file": "/sql/|' 'provides\.recon\.file .* is not a relative Unix path'
echo "meta: ok, META.json follows PGXN Meta Spec 1.0.0; version $control_version in META.json, recon.control, Makefile, debian/changelog and the installed extension; $refused broken copies refused"
