/* sim/clock: the simulated broker's New York clock: the phases of a trading day as New York local time,
 * with the US daylight-saving rules. */
#include <stdio.h>

#include "date.h"
#include "sim/broker_int.h"

/* The Sunday on or after day. */
static int
sunday_on_or_after(int day)
{
	return day + (7 - date_weekday(day)) % 7;
}

/* 1 when New York keeps daylight time at noon on day (US rules since 2007, 1987-2006 before). */
static int
ny_dst(int day)
{
	int y, m, d, start, end;

	date_to_ymd(day, &y, &m, &d);
	if (y >= 2007) {
		start = sunday_on_or_after(date_from_ymd(y, 3, 8));  /* second Sunday of March */
		end = sunday_on_or_after(date_from_ymd(y, 11, 1));   /* first Sunday of November */
	} else {
		start = sunday_on_or_after(date_from_ymd(y, 4, 1));  /* first Sunday of April */
		end = sunday_on_or_after(date_from_ymd(y, 10, 25));  /* last Sunday of October */
	}
	return day >= start && day < end;
}

long long
sim_ny_epoch(int day, int hh, int mm)
{
	return (long long)day * 86400 + hh * 3600 + mm * 60 + (ny_dst(day) ? 4 : 5) * 3600;
}

static void
phase_hm(int day, enum sim_phase p, int *hh, int *mm)
{
	*mm = 0;
	if (p == SIM_PRE_OPEN) {
		*hh = 9;
	} else if (p == SIM_OPEN) {
		*hh = 9;
		*mm = 30;
	} else {
		*hh = cal_is_early_close(day) ? 13 : 16;
	}
}

long long
sb_phase_epoch(int day, enum sim_phase p)
{
	int hh, mm;

	phase_hm(day, p, &hh, &mm);
	return sim_ny_epoch(day, hh, mm);
}

int
sim_broker_minute(const sim_broker *b)
{
	int hh, mm;

	if (b->minute > 0)
		return b->minute;
	phase_hm(b->day, b->phase, &hh, &mm);
	return hh * 60 + mm;
}

long long
sim_broker_epoch(const sim_broker *b)
{
	int m = sim_broker_minute(b);

	return sim_ny_epoch(b->day, m / 60, m % 60);
}

char *
sb_fmt_time(int day, enum sim_phase p, const char *suffix, char *buf, size_t n)
{
	int y, m, d, hh, mm;

	date_to_ymd(day, &y, &m, &d);
	phase_hm(day, p, &hh, &mm);
	snprintf(buf, n, "%04d%02d%02d %02d:%02d:00%s", y, m, d, hh, mm, suffix ? suffix : "");
	return buf;
}

char *
sim_broker_time(const sim_broker *b, const char *suffix, char *buf, size_t n)
{
	int y, m, d, min = sim_broker_minute(b);

	date_to_ymd(b->day, &y, &m, &d);
	snprintf(buf, n, "%04d%02d%02d %02d:%02d:00%s", y, m, d, min / 60, min % 60, suffix ? suffix : "");
	return buf;
}

const char *
sim_phase_name(enum sim_phase p)
{
	return p == SIM_PRE_OPEN ? "pre-open" : p == SIM_OPEN ? "open" : "closed";
}

