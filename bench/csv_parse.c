/* csv_parse [--fields-only] FILE: parse every field of a prices CSV (dates, numbers, strings) and print a
 * checksum, so that bench/csv.sh can time lib/csv + lib/num on their own; --fields-only splits every record
 * into its fields (quotes, UTF-8 and field counts checked) without converting numbers and dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"

int
main(int argc, char *argv[])
{
	int fields_only = argc > 1 && strcmp(argv[1], "--fields-only") == 0;
	const char *path = argc > 1 + fields_only ? argv[1 + fields_only] : "-";
	FILE *fp;
	csv_reader *r;
	int cdate, cnum[6], rc, d;
	static const char *const numeric[] = { "open", "high", "low", "close", "volume", "ret" };
	double v;
	unsigned long long check = 0, bits;
	long rows = 0, bytes = 0;

	err_init(argv[0]);
	fp = cli_open_in(path);
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	r = csv_open(fp, cli_in_name(path));
	if (csv_read_header(r) != 0 || (cdate = csv_require(r, "date")) < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	for (int i = 0; i < 6; i++)
		if ((cnum[i] = csv_require(r, numeric[i])) < 0)
			err_die(EX_DATAERR, "%s", csv_error(r));
	while ((rc = csv_next(r)) == 1) {
		if (fields_only) {
			for (int c = 0; c < csv_nfields(r); c++)
				bytes += (long)csv_len(r, c);
			rows++;
			continue;
		}
		if (csv_date(r, cdate, &d) < 0)
			err_die(EX_DATAERR, "%s", csv_error(r));
		for (int i = 0; i < 6; i++) {
			if (csv_double(r, cnum[i], &v) < 0)
				err_die(EX_DATAERR, "%s", csv_error(r));
			/* a cheap checksum that keeps every value alive without timing float additions */
			memcpy(&bits, &v, sizeof bits);
			check ^= bits + (unsigned long long)i;
		}
		bytes += (long)csv_len(r, 1) + (long)csv_len(r, 2); /* touch the string fields */
		rows++;
	}
	if (rc < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	printf("rows=%ld checksum=%016llx strbytes=%ld\n", rows, check, bytes);
	csv_close(r);
	return 0;
}
