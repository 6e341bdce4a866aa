/*
 * currency.h: ISO 4217 currency codes and their minor units (decimal places).
 */
#ifndef RECON_CURRENCY_H
#define RECON_CURRENCY_H

#include "postgres.h"

typedef struct CurrencyInfo
{
	char		code[4];		/* upper-case alphabetic code, NUL terminated */
	int16		minor_units;	/* decimal places: 0 (JPY), 2 (USD), 3 (KWD), 4 (CLF) */
} CurrencyInfo;

/* Look up an exact upper-case code; NULL when unknown. */
extern const CurrencyInfo *currency_lookup(const char *code, int len);

/* Trim, upper-case and look up a code; raises 22023 naming the value when unknown. */
extern const CurrencyInfo *currency_lookup_loose(const text *code);

#endif
