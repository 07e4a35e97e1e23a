/* html: the pieces of a static, self-contained HTML5 page.
 *
 * Every page carries its own CSS and script inline: no CDN, no web font, no image URL, so a page opens
 * with no network and no server. The style sheet follows the reader's light or dark preference
 * (prefers-color-scheme), reflows from a phone to a desktop, and prints on white. Numbers in tables are
 * written twice: formatted for people in the cell text, and in shortest round-trip form in a data-v
 * attribute, so that tests and scripts read back exactly what the inputs held.
 *
 * The writers print to a FILE and do not check it; the caller checks the stream once at the end. */
#ifndef STI_HTML_H
#define STI_HTML_H

#include <stdio.h>

#define HTML_NUM_MAX 64 /* enough for any number formatted below, with sign, separators and NUL */

/* ---- numbers for people ---- */
/* Each writes into buf (HTML_NUM_MAX bytes) and returns buf; NaN gives an em dash. A negative sign is
 * U+2212 (a real minus); a value that rounds to zero is shown without a sign. These functions can't fail. */

/* 1234567.891 -> "1,234,567.89" with dec decimals. */
char *html_fmt_num(double v, int dec, char *buf);
/* A fraction as a percentage: 0.1234 -> "12.34%". */
char *html_fmt_pct(double v, int dec, char *buf);
/* Dollars: -1234.5 -> "−$1,234.50". */
char *html_fmt_usd(double v, int dec, char *buf);
/* A fraction in basis points: 0.00123 -> "12.3 bp". */
char *html_fmt_bps(double v, int dec, char *buf);

/* ---- text ---- */

/* Write s with &, <, >, " and ' escaped (safe in text and in quoted attributes); NULL writes nothing. */
void html_esc(FILE *fp, const char *s);

/* Write s escaped like html_esc, with every decimal number of more than 4 decimals rounded for people:
 * to 4 decimals from 1 up (1.3008122602147079 -> 1.3008), to 4 significant digits below (0.000123456 ->
 * 0.0001235), trailing zeros dropped. Other text (dates, times, versions, addresses) is unchanged. */
void html_esc_numbers(FILE *fp, const char *s);

/* ---- page ---- */

/* Start a page: doctype, head with the inline style, a header with title and subtitle (either may be
 * escaped text; subtitle may be NULL), and the opening of <main>. refresh > 0 adds a meta refresh every
 * refresh seconds. nav is NULL or a NULL-terminated list of "id", "label" pairs shown as in-page links;
 * an id with a '/' is a relative address (another page: "../live/index.html"), linked as it is. */
void html_page_begin(FILE *fp, const char *title, const char *subtitle, int refresh, const char *const *nav);
/* Close <main>, write the footer line (escaped text, may be NULL) and the inline script; end the page. */
void html_page_end(FILE *fp, const char *footer);

/* A titled section (a card); id is its anchor. wide = 1 spans the whole grid row. */
void html_section_begin(FILE *fp, const char *id, const char *title, int wide);
void html_section_end(FILE *fp);

/* A notice box: kind is "warn" (something missing or wrong) or "info". The text is escaped. */
void html_notice(FILE *fp, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A key figure tile: label, formatted value, optional smaller line (may be NULL), raw value for data-v.
 * sign != 0 colours the value by its sign (green above zero, red below). */
void html_kpi(FILE *fp, const char *id, const char *label, const char *value, const char *sub, double raw,
    int sign);

/* ---- tables ---- */

/* Open a table with an id and a caption (may be NULL); scroll = 1 caps its height on screen (long lists
 * scroll inside their card; print shows every row). cols is "Name|>Value|>Other": one header per
 * '|'-separated item; a leading '>' marks a numeric (right-aligned) column. */
void html_table_begin(FILE *fp, const char *id, const char *caption, int scroll, const char *cols);
void html_table_end(FILE *fp);
void html_tr(FILE *fp);
void html_tr_end(FILE *fp);
/* A text cell (escaped; NULL shows an em dash). */
void html_td(FILE *fp, const char *text);
/* A text cell for long free text (a message): it wraps instead of widening the table, and numbers in it
 * with more than 4 decimals are shown rounded (see html_esc_numbers), the full text in its title. */
void html_td_wrap(FILE *fp, const char *text);
/* A header cell for a row (escaped). */
void html_th_row(FILE *fp, const char *text);

enum {
	HTML_SIGN = 1, /* colour by sign: above zero green, below red */
	HTML_COST = 2  /* colour by sign the other way: a positive value is a cost (red) */
};
/* A numeric cell: shown is the formatted text, v the raw value (data-v, shortest round trip; NaN: empty
 * data-v and an em dash whatever shown is). */
void html_td_num(FILE *fp, double v, const char *shown, int flags);

#endif
