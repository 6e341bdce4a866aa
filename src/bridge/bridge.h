/*
 * bridge.h: the state of recon_bridge, a varlena of fixed size (a real type,
 * recon_bridge_state, so that parallel workers and Citus shards can ship it
 * as text and combine it).
 */
#ifndef RECON_BRIDGE_H
#define RECON_BRIDGE_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "core/fixed_decimal.h"

/* Ledger lines, in the order the bridge walks them; the inputs of recon_bridge. */
typedef enum BridgeLine
{
	LINE_PLATFORM_VALUE,		/* platform-attributed value and conversions */
	LINE_MATCHED_VALUE,			/* what the platform was told a matched record is worth */
	LINE_UNMATCHED_REVENUE,		/* money no CRM record accounts for */
	LINE_INVALID_DUPLICATE,
	LINE_LOST_CANCELLED,
	LINE_VALUE_DIFFERENCE,		/* booked value of won records minus their platform value */
	LINE_REFUNDS,				/* refunds, returns, failed delivery, credit notes */
	LINE_WRITTEN_OFF,
	LINE_TIMING,				/* still to come: open records, receivables not yet paid */
	LINE_COLLECTED,
	LINE_BOOKED,
	LINE_INVOICED,
	LINE_RECOGNIZED,
	BRIDGE_NLINES
} BridgeLine;

#define BRIDGE_MAX_POINTS 16	/* maturity points, days */
#define BRIDGE_STATE_VERSION 1

typedef struct BridgeSum
{
	FixedDecimal amount;		/* 1e-8 units */
	FixedDecimal quantity;		/* records or conversions, 1e-8 units */
	int16		amount_dscale;
	int16		quantity_dscale;
	int32		padding;
} BridgeSum;

typedef struct BridgeState
{
	int32		vl_len_;		/* varlena header */
	int16		version;
	int16		npoints;		/* maturity points; 0 = none seen yet */
	char		currency[4];	/* ISO 4217 code, "" until the first amount */
	TimestampTz youngest;		/* latest record_at; DT_NOBEGIN when none */
	TimestampTz oldest;			/* earliest record_at; DT_NOEND when none */
	TimestampTz as_of;			/* latest as_of; DT_NOBEGIN when none */
	int32		points[BRIDGE_MAX_POINTS];
	BridgeSum	lines[BRIDGE_NLINES];
} BridgeState;

#define DatumGetBridgeState(d)	((BridgeState *) DatumGetPointer(d))

extern const char *const bridge_line_names[BRIDGE_NLINES];

extern BridgeState *bridge_state_new(void);
extern BridgeState *bridge_state_from_datum(Datum d);
extern int bridge_line_index(const char *name, int len);
extern void bridge_state_merge(BridgeState *into, const BridgeState *from);
extern void bridge_state_set_currency(BridgeState *state, const char *code, int len);
extern void bridge_state_set_points(BridgeState *state, const int32 *points, int npoints);
extern void bridge_line_add(BridgeSum *line, FixedDecimal amount, int amount_dscale,
							FixedDecimal quantity, int quantity_dscale, const char *line_name);

#endif
