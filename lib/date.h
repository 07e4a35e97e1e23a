/* date: ISO dates as day numbers, and the NYSE trading calendar.
 *
 * A date is an int: days since 1970-01-01 (negative before). Arithmetic is plain integer arithmetic.
 * The calendar knows the NYSE's full closures (weekends, the regular holidays with their observance
 * rules, and the special closures since 2001) and its early (13:00) closes; it is exact from 2000 on
 * and applies the current rules to other years. */
#ifndef STI_DATE_H
#define STI_DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_LEN 10 /* "YYYY-MM-DD" */

/* Parse exactly "YYYY-MM-DD" from s[0..n) (a valid calendar date). Returns 0, or -1 on anything else. */
int date_parse(const char *s, size_t n, int *out);

/* Write "YYYY-MM-DD" and a NUL into buf (DATE_LEN + 1 bytes). Returns buf. This function can't fail. */
char *date_fmt(int day, char *buf);

int date_from_ymd(int y, int m, int d);
void date_to_ymd(int day, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int date_weekday(int day);
/* Today in the given IANA zone (NULL: local time), e.g. "America/New_York". */
int date_today(const char *tz);
/* The date of the instant t (seconds since the epoch) in zone tz (NULL: local time). */
int date_of_time(long long t, const char *tz);
/* The instant of the wall-clock time *tm in zone tz (daylight saving decided by the zone), or -1.
 * glibc has no zone argument for these, so TZ is switched around the call: not for threaded callers. */
long long date_mktime_in(struct tm *tm, const char *tz);

/* 1 when the NYSE is open on day (a weekday that is not a full closure), else 0. */
int cal_is_trading_day(int day);
/* Name of the closure ("Thanksgiving Day", "Saturday", ...) or NULL when the exchange is open. */
const char *cal_closure(int day);
/* 1 when the exchange closes early (13:00 New York time) on day. */
int cal_is_early_close(int day);
/* The first trading day strictly after / before day. */
int cal_next(int day);
int cal_prev(int day);
/* day itself when it is a trading day, else the next one. */
int cal_on_or_after(int day);
/* 1 when day is the last trading day of its month. */
int cal_is_month_end(int day);
/* Trading days in [from, to] (from <= to). */
int cal_count(int from, int to);
/* The trading day n trading days after (n > 0) or before (n < 0) trading day `day`. */
int cal_add(int day, int n);

#endif
