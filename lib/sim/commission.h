/* sim/commission: what an IBKR Pro account pays for one execution of a US stock, as IB reports it in
 * COMMISSION_REPORT (the broker's commission and the fees it passes through, in one amount).
 *
 * Fixed (IBKR Pro "Fixed" pricing for US stocks): USD 0.005 a share, at least USD 1.00, at most 1% of the
 * trade's value, exchange and clearing fees included; billed in whole cents.
 * Tiered (IBKR Pro "Tiered"): per share by the month's volume so far (<= 300,000 shares 0.0035; <= 3,000,000
 * 0.002; <= 20,000,000 0.0015; <= 100,000,000 0.001; above 0.0005), at least USD 0.35, at most 1% of the
 * trade's value; plus the clearing fee (NSCC/DTC, USD 0.00020 a share), the exchange fee (per share, set by
 * the caller: venues differ), and the pass-through fees (NYSE 0.000175 and FINRA 0.00056 times the
 * commission). Sources: IBKR's commission pages for US stocks (fixed and tiered schedules as published,
 * e.g. the copies at fxfinpro.com/en/stocks-etfs-and-warrants and iur.apexdesign.uk.com/pricing, read
 * 2026-12-03).
 * On sales (both plans) the regulators' transaction fees are passed through: the SEC's Section 31 fee
 * (a rate per dollar of sale value; the default 27.80 USD per million is the rate the SEC set for fiscal
 * 2024, in force from 2024-05-22 until the SEC set 0.00 from 2025-05-14 (Security Traders Association,
 * "Congrats stock traders", 2025); the SEC publishes a new rate each fiscal year, so it is an option) and
 * FINRA's Trading Activity Fee (USD 0.000166 a share sold, at most USD 8.30 a trade, i.e. 50,000 shares'
 * worth; FINRA By-Laws Schedule A, as quoted at brokerage-review.com/account-fee/taf-fee.aspx, read
 * 2026-12-03), each rounded up to the cent as brokers bill them. */
#ifndef STI_SIM_COMMISSION_H
#define STI_SIM_COMMISSION_H

enum sim_pricing { SIM_PRICING_FIXED = 0, SIM_PRICING_TIERED = 1 };

#define SIM_SEC_FEE_PER_MILLION 27.80   /* USD per million USD sold */
#define SIM_FINRA_TAF_PER_SHARE 0.000166 /* USD per share sold; the cap is 50,000 shares' worth */

struct sim_fees {
	enum sim_pricing pricing;
	double sec_per_million;  /* SEC Section 31 fee, USD per million USD of sale value */
	double taf_per_share;    /* FINRA TAF, USD per share sold (cap: 50,000 shares' worth a trade) */
	double exchange_fee;     /* tiered only: the venue's fee, USD per share (0 by default) */
};

/* The defaults above: fixed pricing, SEC 27.80 per million, TAF 0.000166, no exchange fee. This function
 * can't fail. */
void sim_fees_default(struct sim_fees *f);

/* IB's fixed-rate commission for qty shares at price (no regulatory fees), in whole cents. */
double sim_commission(double qty, double price);
/* IB's tiered commission with clearing, exchange and pass-through fees (no regulatory fees), for qty
 * shares at price when month_shares were already traded this calendar month. */
double sim_commission_tiered(const struct sim_fees *f, double qty, double price, double month_shares);
/* The SEC fee and FINRA TAF of a sale of qty shares at price, each rounded up to the cent. */
double sim_regulatory_fees(const struct sim_fees *f, double qty, double price);
/* What COMMISSION_REPORT says for one execution: the plan's commission, plus the regulatory fees when
 * sell; rounded to a millionth of a dollar. */
double sim_fee_total(const struct sim_fees *f, int sell, double qty, double price, double month_shares);

#endif
