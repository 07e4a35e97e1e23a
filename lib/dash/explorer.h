/* explorer: the backtest page's parameter explorer, from the grid engine's files (sti-backtest(5)).
 *
 * table is the grid CSV (backtest --grid: the grid's columns, then sharpe, cagr, ... per point), equity the
 * grid equity CSV (point,date,net). The section embeds, per point, its grid values, its metrics, the
 * probabilistic and deflated Sharpe ratios (Bailey and Lopez de Prado 2014, the DSR by lib/metrics' mt_deflate
 * as backtest --grid's dsr column; the number of trials is the
 * number of points) and its month-end cumulative wealth (4 significant digits), and a script that switches
 * the explorer among the points from one select per grid column. params (a JSON object, may be NULL) is
 * the production configuration: the point whose grid values all equal its keys is marked and chosen first.
 * A missing or malformed input is recorded in *probs and named in the section. Returns 0, -1 when out of
 * memory. */
#ifndef STI_DASH_EXPLORER_H
#define STI_DASH_EXPLORER_H

#include <jansson.h>
#include <stdio.h>

#include "dash/dash.h"

int dash_explorer(FILE *fp, const char *table, const char *equity, json_t *params, dash_probs *probs);

#endif
