/* ib/contracts: each symbol resolved once to IB's contract (conId, primary exchange), kept in a CSV.
 *
 * IB names a stock by its conId; a ticker alone can be ambiguous, change hands, or be written another way
 * (CRSP writes share classes "BRK.B" or "BRKB", IB "BRK B"). So a symbol is asked for once, with
 * reqContractDetails (a stock, SMART, USD, its primary exchange when given), and the answer is cached:
 *
 *     symbol,con_id,ib_symbol,primary_exchange,currency,long_name
 *     BRK.B,72063691,BRK B,NYSE,USD,BERKSHIRE HATHAWAY INC-CL B
 *
 * (data/contracts.csv in the store). Share classes: "X.Y", "X/Y" and "X-Y" (Y up to 4 letters) are asked
 * for as IB's "X Y"; a symbol IB does not know that ends in a class letter without a separator ("BRKB") is
 * asked for again as "BRK B". A symbol IB does not know (error 200), or answers with several stocks, is
 * reported on its own and left unresolved; the others are not held up. */
#ifndef STI_IB_CONTRACTS_H
#define STI_IB_CONTRACTS_H

#include <stdio.h>

#include "ib/order.h"
#include "ib/symbols.h"
#include "tws/client.h"

typedef struct bk_contract {
	char symbol[32];      /* as the input writes it */
	int con_id;
	char ib_symbol[32];   /* IB's: "BRK B" */
	char primary[16];     /* "NYSE", "NASDAQ" ... */
	char currency[8];
	char long_name[128];
} bk_contract;

typedef struct bk_contracts {
	bk_contract *v;
	size_t n, cap;
} bk_contracts;

/* IB's form of a symbol: a share-class separator ('.', '/', '-' before 1 to 4 letters) becomes a space.
 * This function can't fail (a longer result is cut). */
void bk_ib_symbol(const char *symbol, char *out, size_t n);

/* Read a cache (the CSV above; columns found by name) into c, which must be zeroed. Returns 0, or EX_DATAERR
 * with err "name:line: field: what", EX_OSERR out of memory. */
int bk_contracts_read(FILE *fp, const char *name, bk_contracts *c, char *err, size_t errlen);
/* Write c sorted by symbol. Returns 0, or -1 when the stream has an error. */
int bk_contracts_write(FILE *fp, const bk_contracts *c);
/* bk_contracts_read() of the file path; a file that does not exist yet is an empty cache. Returns 0, or a
 * sysexits code with err set (EX_NOINPUT: it cannot be opened). */
int bk_contracts_load(const char *path, bk_contracts *c, char *err, size_t errlen);
/* bk_contracts_write() to path, atomically (aout). Returns 0, or EX_CANTCREAT or EX_IOERR with err set. */
int bk_contracts_save(const char *path, const bk_contracts *c, char *err, size_t errlen);
const bk_contract *bk_contracts_find(const bk_contracts *c, const char *symbol);
void bk_contracts_free(bk_contracts *c);

/* Give every security of s without a conId the one of the cache, or ask IB for it (adding the answer to
 * the cache). Those left without one are counted in *unresolved and logged with the reason. Returns 0,
 * or a sysexits code with err set: tws_code(tc) when the connection is gone for good ("...: resolving
 * contracts"), EX_OSERR when memory ran out. */
int bk_contracts_resolve(tws_client *tc, bk_syms *s, bk_contracts *c, size_t *unresolved, char *err,
    size_t errlen);

/* Orders by conId (ib-submit --contracts path): every order of o takes the conId, IB symbol, primary
 * exchange and currency of its symbol in the cache at path; a symbol missing from it is asked of IB
 * (bk_contracts_resolve) and the answers are added to the file. An order whose symbol has no conId
 * then is marked in refused[i] (o->n entries, zeroed by the caller), counted in *nrefused and logged:
 * it is never sent by its bare symbol. Returns 0, or a sysexits code with err set: the cache cannot be
 * read (EX_NOINPUT, EX_DATAERR) or written (EX_CANTCREAT, EX_IOERR), the connection is gone
 * (EX_UNAVAILABLE), out of memory (EX_OSERR). */
int bk_contracts_orders(tws_client *tc, const char *path, bk_orders *o, unsigned char *refused, size_t *nrefused,
    char *err, size_t errlen);

#endif
