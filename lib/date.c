#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Civil-date conversions after Howard Hinnant's days_from_civil / civil_from_days (public domain):
 * exact over the whole int range we use, no tables, no time zones. */
int
date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_to_ymd(int day, int *y, int *m, int *d)
{
	int z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int
date_weekday(int day)
{
	int w = (day + 4) % 7; /* 1970-01-01 was a Thursday */

	return w < 0 ? w + 7 : w;
}

static int
days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
date_parse(const char *s, size_t n, int *out)
{
	int y, m, d;

	if (n != DATE_LEN || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

char *
date_fmt(int day, char *buf)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	snprintf(buf, DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
	return buf;
}

/* Switch TZ to tz (NULL: leave it); returns what to give tz_restore(). */
static char *
tz_switch(const char *tz, int *switched)
{
	const char *o = getenv("TZ");
	char *old = o ? strdup(o) : NULL;

	*switched = tz != NULL;
	if (tz != NULL) {
		setenv("TZ", tz, 1);
		tzset();
	}
	return old;
}

static void
tz_restore(char *old, int switched)
{
	if (switched) {
		if (old)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	free(old);
}

int
date_of_time(long long t, const char *tz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int switched;
	char *old = tz_switch(tz, &switched);

	localtime_r(&tt, &tm);
	tz_restore(old, switched);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
date_today(const char *tz)
{
	return date_of_time((long long)time(NULL), tz);
}

long long
date_mktime_in(struct tm *tm, const char *tz)
{
	int switched;
	char *old = tz_switch(tz, &switched);
	time_t t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	tz_restore(old, switched);
	return t == (time_t)-1 ? -1 : (long long)t;
}

/* ---- the NYSE calendar ------------------------------------------------------------------------ */

/* n-th (1-based) weekday wd of a month; n = -1 for the last one. */
static int
nth_weekday(int y, int m, int wd, int n)
{
	int first, last;

	if (n > 0) {
		first = date_from_ymd(y, m, 1);
		return first + (wd - date_weekday(first) + 7) % 7 + 7 * (n - 1);
	}
	last = date_from_ymd(y, m, days_in_month(y, m));
	return last - (date_weekday(last) - wd + 7) % 7;
}

/* Easter Sunday, anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
static int
easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
	int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_ymd(y, month, day);
}

/* A fixed-date holiday observed on Friday when it falls on Saturday and Monday when on Sunday. */
static int
observed(int y, int m, int d)
{
	int day = date_from_ymd(y, m, d), wd = date_weekday(day);

	return wd == 6 ? day - 1 : wd == 0 ? day + 1 : day;
}

/* Closures that no rule predicts (exchange announcements). */
static const struct {
	const char *date;
	const char *why;
} special_closures[] = {
	{ "2001-09-11", "September 11 attacks" },
	{ "2001-09-12", "September 11 attacks" },
	{ "2001-09-13", "September 11 attacks" },
	{ "2001-09-14", "September 11 attacks" },
	{ "2004-06-11", "National Day of Mourning for Ronald Reagan" },
	{ "2007-01-02", "National Day of Mourning for Gerald Ford" },
	{ "2012-10-29", "Hurricane Sandy" },
	{ "2012-10-30", "Hurricane Sandy" },
	{ "2018-12-05", "National Day of Mourning for George H. W. Bush" },
	{ "2025-01-09", "National Day of Mourning for Jimmy Carter" },
};

const char *
cal_closure(int day)
{
	int y, m, d, wd = date_weekday(day);
	char buf[DATE_LEN + 1];

	if (wd == 0)
		return "Sunday";
	if (wd == 6)
		return "Saturday";
	date_to_ymd(day, &y, &m, &d);
	/* New Year's Day: a Saturday New Year is not observed on the Friday before (NYSE rule 7.2). */
	if (day == date_from_ymd(y, 1, 1) || (m == 1 && d == 2 && wd == 1))
		return "New Year's Day";
	if (y >= 1998 && day == nth_weekday(y, 1, 1, 3))
		return "Martin Luther King Jr. Day";
	if (day == nth_weekday(y, 2, 1, 3))
		return "Washington's Birthday";
	if (day == easter(y) - 2)
		return "Good Friday";
	if (day == nth_weekday(y, 5, 1, -1))
		return "Memorial Day";
	if (y >= 2022 && day == observed(y, 6, 19))
		return "Juneteenth National Independence Day";
	if (day == observed(y, 7, 4))
		return "Independence Day";
	if (day == nth_weekday(y, 9, 1, 1))
		return "Labor Day";
	if (day == nth_weekday(y, 11, 4, 4))
		return "Thanksgiving Day";
	if (day == observed(y, 12, 25))
		return "Christmas Day";
	if (y >= 2001 && y <= 2025) {
		date_fmt(day, buf);
		for (size_t i = 0; i < sizeof special_closures / sizeof special_closures[0]; i++)
			if (strcmp(buf, special_closures[i].date) == 0)
				return special_closures[i].why;
	}
	return NULL;
}

int
cal_is_trading_day(int day)
{
	return cal_closure(day) == NULL;
}

int
cal_is_early_close(int day)
{
	int y, m, d, wd = date_weekday(day);

	if (!cal_is_trading_day(day))
		return 0;
	date_to_ymd(day, &y, &m, &d);
	/* The day after Thanksgiving. */
	if (day == nth_weekday(y, 11, 4, 4) + 1)
		return 1;
	/* Christmas Eve on a weekday (when Christmas itself is the closure that follows). */
	if (m == 12 && d == 24 && wd >= 1 && wd <= 4)
		return 1;
	/* The day before Independence Day, when the 4th is Tuesday to Friday (from 2013; 2009 and earlier
	 * years varied, and the current rule is applied to them). */
	if (m == 7 && d == 3 && wd >= 1 && wd <= 4)
		return 1;
	return 0;
}

int
cal_next(int day)
{
	do
		day++;
	while (!cal_is_trading_day(day));
	return day;
}

int
cal_prev(int day)
{
	do
		day--;
	while (!cal_is_trading_day(day));
	return day;
}

int
cal_on_or_after(int day)
{
	return cal_is_trading_day(day) ? day : cal_next(day);
}

int
cal_is_month_end(int day)
{
	int y1, m1, d1, y2, m2, d2;

	if (!cal_is_trading_day(day))
		return 0;
	date_to_ymd(day, &y1, &m1, &d1);
	date_to_ymd(cal_next(day), &y2, &m2, &d2);
	return m1 != m2;
}

int
cal_count(int from, int to)
{
	int n = 0;

	for (int d = from; d <= to; d++)
		n += cal_is_trading_day(d);
	return n;
}

int
cal_add(int day, int n)
{
	for (; n > 0; n--)
		day = cal_next(day);
	for (; n < 0; n++)
		day = cal_prev(day);
	return day;
}
