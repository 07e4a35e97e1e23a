/* libFuzzer target for the NDJSON reader and writer: read every record, write it back, read that again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp, *out;
	nd_reader *r;
	json_t *o;
	char *buf = NULL;
	size_t n = 0;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	out = open_memstream(&buf, &n);
	r = nd_open(fp, "fuzz.ndjson");
	while (nd_next(r, &o) == 1) {
		nd_write(out, o);
		json_decref(o);
	}
	nd_close(r);
	fclose(fp);
	fclose(out);
	/* What we write must read back as records, without error. */
	if (n > 0) {
		fp = fmemopen(buf, n, "r");
		r = nd_open(fp, "rewritten");
		while (nd_next(r, &o) == 1)
			json_decref(o);
		if (nd_error(r)[0] != '\0')
			abort();
		nd_close(r);
		fclose(fp);
	}
	free(buf);
	return 0;
}
