/*
 * recon.c: module entry point. Each concern lives in its own file under
 * src/<layer>/; this file only marks the library as a PostgreSQL module.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
