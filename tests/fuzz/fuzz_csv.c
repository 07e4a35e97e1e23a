/* libFuzzer target for the CSV reader: any bytes must give records or one clean error, never a crash,
 * a read out of bounds or a leak. Typed accessors run on every field too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp;
	csv_reader *r;
	double v;
	long long i64;
	int d;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	r = csv_open(fp, "fuzz.csv");
	if (csv_read_header(r) == 0) {
		while (csv_next(r) == 1)
			for (int c = 0; c < csv_nfields(r); c++) {
				csv_double(r, c, &v);
				csv_i64(r, c, &i64);
				csv_date(r, c, &d);
			}
	}
	csv_close(r);
	fclose(fp);
	return 0;
}
