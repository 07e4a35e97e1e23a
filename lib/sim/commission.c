/* sim/commission: IBKR Pro commissions and the regulators' fees (see sim/commission.h for the rates and
 * where they come from). */
#include "sim/commission.h"

#include <math.h>

void
sim_fees_default(struct sim_fees *f)
{
	f->pricing = SIM_PRICING_FIXED;
	f->sec_per_million = SIM_SEC_FEE_PER_MILLION;
	f->taf_per_share = SIM_FINRA_TAF_PER_SHARE;
	f->exchange_fee = 0;
}

/* Cents, rounded up; a hair of floating-point noise (1e-9 of a cent) is not a cent more. */
static double
cents_up(double usd)
{
	return ceil(usd * 100 - 1e-7) / 100;
}

double
sim_commission(double qty, double price)
{
	double c = fmax(0.005 * qty, 1.0), cap = 0.01 * qty * price;

	return round((c < cap ? c : cap) * 100) / 100; /* IB bills whole cents */
}

double
sim_commission_tiered(const struct sim_fees *f, double qty, double price, double month_shares)
{
	static const struct { double upto, rate; } bands[] = {
		{ 300000, 0.0035 }, { 3000000, 0.002 }, { 20000000, 0.0015 }, { 100000000, 0.001 }, { INFINITY, 0.0005 },
	};
	double rate = 0.0005, c;

	for (int i = 0; i < (int)(sizeof bands / sizeof bands[0]); i++)
		if (month_shares < bands[i].upto) {
			rate = bands[i].rate;
			break;
		}
	c = fmin(fmax(rate * qty, 0.35), 0.01 * qty * price);
	return c + 0.0002 * qty + f->exchange_fee * qty + c * 0.000175 + c * 0.00056;
}

double
sim_regulatory_fees(const struct sim_fees *f, double qty, double price)
{
	double sec = cents_up(qty * price * f->sec_per_million / 1e6);
	double taf = cents_up(fmin(qty, 50000) * f->taf_per_share);

	if (f->taf_per_share > 0 && taf < 0.01)
		taf = 0.01;
	return sec + taf;
}

double
sim_fee_total(const struct sim_fees *f, int sell, double qty, double price, double month_shares)
{
	double c = f->pricing == SIM_PRICING_TIERED ? sim_commission_tiered(f, qty, price, month_shares) :
	    sim_commission(qty, price);

	if (sell)
		c += sim_regulatory_fees(f, qty, price);
	return round(c * 1e6) / 1e6;
}
