/*
 * recon.c: module entry point. Each concern lives in its own file under
 * src/<layer>/; this file marks the library as a PostgreSQL module and registers
 * its settings when the library loads.
 */
#include "postgres.h"
#include "fmgr.h"

#include "identity/internal_key.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Called once per backend when the library loads. */
void
_PG_init(void)
{
	recon_internal_key_define_setting();
}
