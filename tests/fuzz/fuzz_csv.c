/* libFuzzer target for the CSV reader: any bytes must give records or one clean error, never a crash,
 * a read out of bounds or a leak; typed accessors run on every field too. The input is read twice (with
 * the fast path, then with the general scanner alone) and the readings must agree byte for byte; every
 * number must parse as the general parser reads it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* All that a reading produced, as text. */
static char *
transcript(const uint8_t *data, size_t size, int fast)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen), *fp = fmemopen((void *)data, size, "r");
	csv_reader *r;
	int rc;

	if (o == NULL || fp == NULL)
		abort();
	csv_fast_path = fast;
	r = csv_open(fp, "fuzz.csv");
	if (csv_read_header(r) == 0) {
		while ((rc = csv_next(r)) == 1) {
			fprintf(o, "%ld:%d", csv_line(r), csv_nfields(r));
			for (int c = 0; c < csv_nfields(r); c++) {
				double v = 0, ref = 0;
				long long i64 = 0;
				int d = 0, k = csv_double(r, c, &v);
				const char *s = csv_field(r, c);

				if (s[csv_len(r, c)] != '\0')
					abort(); /* a field is its bytes and a NUL */
				if (csv_len(r, c) > 0 && (k == 1) != (num_parse(s, csv_len(r, c), &ref) == 0))
					abort();
				if (k == 1 && memcmp(&v, &ref, sizeof v) != 0)
					abort();
				fprintf(o, "|%.*s:%d:%a:%d:%lld:%d:%d", (int)csv_len(r, c), s, k, k == 1 ? v : 0.0,
				    csv_i64(r, c, &i64), i64, csv_date(r, c, &d), d);
			}
			fputc('\n', o);
		}
		if (rc < 0)
			fprintf(o, "error %s\n", csv_error(r));
	} else {
		fprintf(o, "header error %s\n", csv_error(r));
	}
	csv_close(r);
	fclose(fp);
	fclose(o);
	csv_fast_path = 1;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fast, *slow;

	if (size == 0)
		return 0;
	fast = transcript(data, size, 1);
	slow = transcript(data, size, 0);
	if (strcmp(fast, slow) != 0)
		abort();
	free(fast);
	free(slow);
	return 0;
}
