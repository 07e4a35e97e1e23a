#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "num.h"
#include "util.h"

void
config_defaults(struct strategy_config *c)
{
	c->lookback = 264;
	c->skip = 22;
	c->max_gap = 5;
	c->winsor_lo = 2;
	c->winsor_hi = 98;
	c->select = 90;
	c->long_short = 0;
	c->weighting = CONFIG_EQUAL;
	c->vol_window = 63;
	c->max_weight = 1;
	c->rebalance = CONFIG_PERIODIC;
	c->rebalance_every = 22;
	c->lag = 1;
	c->cost_bps = 10;
}

static int
set_int(const char *v, int min, int max, int *out, char *err, size_t n)
{
	long long x;

	if (num_parse_i64(v, strlen(v), &x) != 0) {
		err_fmt(err, n, "'%s' is not an integer", v);
		return EX_DATAERR;
	}
	if (x < min || x > max) {
		err_fmt(err, n, "%s is out of range [%d, %d]", v, min, max);
		return EX_DATAERR;
	}
	*out = (int)x;
	return 0;
}

static int
set_num(const char *v, double min, double max, double *out, char *err, size_t n)
{
	double x;

	if (num_parse(v, strlen(v), &x) != 0) {
		err_fmt(err, n, "'%s' is not a number", v);
		return EX_DATAERR;
	}
	if (!(x >= min && x <= max)) {
		err_fmt(err, n, "%s is out of range [%g, %g]", v, min, max);
		return EX_DATAERR;
	}
	*out = x;
	return 0;
}

/* One of the words in `words` (NULL-terminated): its index, or -1 with a message listing them. */
static int
set_word(const char *v, const char *const *words, char *err, size_t n)
{
	char list[128] = "";

	for (int i = 0; words[i] != NULL; i++) {
		if (strcmp(v, words[i]) == 0)
			return i;
		strncat(list, i ? " or " : "", sizeof list - strlen(list) - 1);
		strncat(list, words[i], sizeof list - strlen(list) - 1);
	}
	err_fmt(err, n, "'%s' is not %s", v, list);
	return -1;
}

int
config_set(struct strategy_config *c, const char *key, const char *v, char *err, size_t n)
{
	static const char *const modes[] = { "long_only", "long_short", NULL };
	static const char *const weightings[] = { "equal", "inverse_vol", NULL };
	static const char *const rebalances[] = { "periodic", "monthly", NULL };
	int w;

	if (strcmp(key, "lookback") == 0)
		return set_int(v, 1, 100000, &c->lookback, err, n);
	if (strcmp(key, "skip") == 0)
		return set_int(v, 0, 100000, &c->skip, err, n);
	if (strcmp(key, "max_gap") == 0)
		return set_int(v, 0, 100000, &c->max_gap, err, n);
	if (strcmp(key, "winsor") == 0) {
		const char *comma = strchr(v, ',');
		char lo[64], hi[64];

		if (comma == NULL || (size_t)(comma - v) >= sizeof lo || strlen(comma + 1) >= sizeof hi) {
			err_fmt(err, n, "'%s' is not two percentiles LO,HI", v);
			return EX_DATAERR;
		}
		memcpy(lo, v, (size_t)(comma - v));
		lo[comma - v] = '\0';
		strcpy(hi, comma + 1);
		return set_num(util_trim(lo), 0, 100, &c->winsor_lo, err, n) ||
		    set_num(util_trim(hi), 0, 100, &c->winsor_hi, err, n) ? EX_DATAERR : 0;
	}
	if (strcmp(key, "select") == 0)
		return set_num(v, 0, 100, &c->select, err, n);
	if (strcmp(key, "mode") == 0) {
		if ((w = set_word(v, modes, err, n)) < 0)
			return EX_DATAERR;
		c->long_short = w;
		return 0;
	}
	if (strcmp(key, "weighting") == 0) {
		if ((w = set_word(v, weightings, err, n)) < 0)
			return EX_DATAERR;
		c->weighting = (enum config_weighting)w;
		return 0;
	}
	if (strcmp(key, "vol_window") == 0)
		return set_int(v, 2, 100000, &c->vol_window, err, n);
	if (strcmp(key, "max_weight") == 0) {
		if (set_num(v, 0, 1, &c->max_weight, err, n) != 0)
			return EX_DATAERR;
		if (c->max_weight == 0) {
			err_fmt(err, n, "must be more than 0");
			return EX_DATAERR;
		}
		return 0;
	}
	if (strcmp(key, "rebalance") == 0) {
		if ((w = set_word(v, rebalances, err, n)) < 0)
			return EX_DATAERR;
		c->rebalance = (enum config_rebalance)w;
		return 0;
	}
	if (strcmp(key, "rebalance_every") == 0)
		return set_int(v, 1, 100000, &c->rebalance_every, err, n);
	if (strcmp(key, "lag") == 0)
		return set_int(v, 1, 100000, &c->lag, err, n);
	if (strcmp(key, "cost_bps") == 0)
		return set_num(v, 0, 10000, &c->cost_bps, err, n);
	err_fmt(err, n, "unknown key");
	return EX_DATAERR;
}

int
config_check(const struct strategy_config *c, char *err, size_t n)
{
	if (!(c->winsor_lo < c->winsor_hi)) {
		err_fmt(err, n, "winsor: the low percentile (%g) must be below the high one (%g)", c->winsor_lo,
		    c->winsor_hi);
		return EX_DATAERR;
	}
	if (c->long_short && c->select <= 50) {
		err_fmt(err, n, "select: %g must be above 50 in long_short mode (shorts are <= %g)", c->select,
		    100 - c->select);
		return EX_DATAERR;
	}
	return 0;
}

/* One JSON member as the text config_set() takes: a string as it is, a number in its shortest form, true
 * and false as words, "winsor" also as an array of two numbers (as config_json() writes it). */
static int
json_text(const char *key, json_t *v, char *buf, size_t len, char *err, size_t n)
{
	char a[NUM_FMT_MAX], b[NUM_FMT_MAX];

	if (json_is_string(v)) {
		if ((size_t)snprintf(buf, len, "%s", json_string_value(v)) >= len) {
			err_fmt(err, n, "value too long");
			return EX_DATAERR;
		}
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	if (json_is_real(v)) {
		num_fmt(json_real_value(v), buf);
		return 0;
	}
	if (strcmp(key, "winsor") == 0 && json_is_array(v) && json_array_size(v) == 2 &&
	    json_is_number(json_array_get(v, 0)) && json_is_number(json_array_get(v, 1))) {
		num_fmt(json_number_value(json_array_get(v, 0)), a);
		num_fmt(json_number_value(json_array_get(v, 1)), b);
		snprintf(buf, len, "%s,%s", a, b);
		return 0;
	}
	err_fmt(err, n, "expected a string or a number%s", strcmp(key, "winsor") == 0 ? " or [LO, HI]" : "");
	return EX_DATAERR;
}

/* A JSON config: one object whose members are the keys of the "key = value" form. */
static int
load_json(struct strategy_config *c, FILE *fp, const char *path, char *err, size_t n)
{
	json_error_t je;
	json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je), *v;
	const char *key;
	char text[256], msg[256];
	int rc = 0;

	if (root == NULL) {
		err_fmt(err, n, "%s:%d: %s", path, je.line, je.text);
		return EX_DATAERR;
	}
	if (!json_is_object(root)) {
		err_fmt(err, n, "%s:1: expected a JSON object of key: value", path);
		json_decref(root);
		return EX_DATAERR;
	}
	json_object_foreach(root, key, v) {
		if (json_text(key, v, text, sizeof text, msg, sizeof msg) != 0 ||
		    config_set(c, key, text, msg, sizeof msg) != 0) {
			err_fmt(err, n, "%s: %s: %s", path, key, msg);
			rc = EX_DATAERR;
			break;
		}
	}
	json_decref(root);
	return rc;
}

int
config_load(struct strategy_config *c, const char *path, char *err, size_t n)
{
	FILE *fp = fopen(path, "r");
	char line[1024], msg[256];
	long lineno = 0;
	int rc = 0, ch;

	if (fp == NULL)
		return err_ret(EX_NOINPUT, err, n, "%s: %s", path, strerror(errno));
	while ((ch = getc(fp)) != EOF && isspace(ch))
		;
	if (ch == '{') {
		rewind(fp);
		rc = load_json(c, fp, path, err, n);
		fclose(fp);
		return rc;
	}
	rewind(fp);
	while (rc == 0 && fgets(line, sizeof line, fp) != NULL) {
		char *key, *val, *eq, *hash;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(fp)) {
			err_fmt(err, n, "%s:%ld: line too long", path, lineno);
			rc = EX_DATAERR;
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		key = util_trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			err_fmt(err, n, "%s:%ld: expected key = value", path, lineno);
			rc = EX_DATAERR;
			break;
		}
		*eq = '\0';
		key = util_trim(key);
		val = util_trim(eq + 1);
		len = strlen(val);
		if (len >= 2 && val[0] == '"' && val[len - 1] == '"') {
			val[len - 1] = '\0';
			val++;
		}
		if (*key == '\0') {
			err_fmt(err, n, "%s:%ld: expected key = value", path, lineno);
			rc = EX_DATAERR;
		} else if (config_set(c, key, val, msg, sizeof msg) != 0) {
			err_fmt(err, n, "%s:%ld: %s: %s", path, lineno, key, msg);
			rc = EX_DATAERR;
		}
	}
	if (rc == 0 && ferror(fp)) {
		rc = err_ret(EX_IOERR, err, n, "%s: read error", path);
	}
	fclose(fp);
	return rc;
}

static void
put_num(FILE *fp, double v)
{
	char buf[NUM_FMT_MAX];

	num_fmt(v, buf);
	fputs(buf, fp);
}

static const char *
mode_word(const struct strategy_config *c)
{
	return c->long_short ? "long_short" : "long_only";
}

static const char *
weighting_word(const struct strategy_config *c)
{
	return c->weighting == CONFIG_INVERSE_VOL ? "inverse_vol" : "equal";
}

static const char *
rebalance_word(const struct strategy_config *c)
{
	return c->rebalance == CONFIG_MONTHLY ? "monthly" : "periodic";
}

void
config_json(const struct strategy_config *c, FILE *fp)
{
	fprintf(fp, "{\"lookback\":%d,\"skip\":%d,\"max_gap\":%d,\"winsor\":[", c->lookback, c->skip, c->max_gap);
	put_num(fp, c->winsor_lo);
	fputc(',', fp);
	put_num(fp, c->winsor_hi);
	fputs("],\"select\":", fp);
	put_num(fp, c->select);
	fprintf(fp, ",\"mode\":\"%s\",\"weighting\":\"%s\",\"vol_window\":%d,\"max_weight\":", mode_word(c),
	    weighting_word(c), c->vol_window);
	put_num(fp, c->max_weight);
	fprintf(fp, ",\"rebalance\":\"%s\",\"rebalance_every\":%d,\"lag\":%d,\"cost_bps\":", rebalance_word(c),
	    c->rebalance_every, c->lag);
	put_num(fp, c->cost_bps);
	fputc('}', fp);
}

void
config_write(const struct strategy_config *c, FILE *fp)
{
	fprintf(fp, "lookback = %d\nskip = %d\nmax_gap = %d\nwinsor = ", c->lookback, c->skip, c->max_gap);
	put_num(fp, c->winsor_lo);
	fputc(',', fp);
	put_num(fp, c->winsor_hi);
	fputs("\nselect = ", fp);
	put_num(fp, c->select);
	fprintf(fp, "\nmode = %s\nweighting = %s\nvol_window = %d\nmax_weight = ", mode_word(c), weighting_word(c),
	    c->vol_window);
	put_num(fp, c->max_weight);
	fprintf(fp, "\nrebalance = %s\nrebalance_every = %d\nlag = %d\ncost_bps = ", rebalance_word(c),
	    c->rebalance_every, c->lag);
	put_num(fp, c->cost_bps);
	fputc('\n', fp);
}
