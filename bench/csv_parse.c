/* csv_parse [--serial] [--fields-only] FILE: read every field of a prices CSV the way the tools do, through
 * the panel reader (lib/panel: dates parsed and checked in order, (date, id) keys checked, over lib/csv
 * with its read-ahead threads), converting every number, and print a checksum, so that bench/csv.sh can
 * time the parse on its own. --serial: lib/csv's serial reader only (csv_threads = 0), the one-core
 * figure. --fields-only: split every record into its fields (quotes, UTF-8, field counts, dates and keys
 * checked) without converting the numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "panel.h"

int
main(int argc, char *argv[])
{
	static const char *const cols[] = { "symbol", "open", "high", "low", "close", "volume", "ret" };
	int fields_only = 0, i = 1, rc;
	const char *path;
	FILE *fp;
	panel *p;
	char err[512];
	unsigned long long check = 0, bits;
	long rows = 0, bytes = 0;

	err_init(argv[0]);
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++)
		if (strcmp(argv[i], "--serial") == 0)
			csv_threads = 0;
		else if (strcmp(argv[i], "--fields-only") == 0)
			fields_only = 1;
		else
			err_die(EX_USAGE, "usage: csv_parse [--serial] [--fields-only] FILE");
	path = i < argc ? argv[i] : "-";
	fp = cli_open_in(path);
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	path = cli_in_name(path);
	if ((rc = panel_open(&p, &fp, &path, 1, cols, 7, PANEL_KEYS, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	for (; panel_has(p); rows++) {
		csv_reader *r = panel_csv(p);

		if (fields_only) {
			for (int c = 0; c < csv_nfields(r); c++)
				bytes += (long)csv_len(r, c);
		} else {
			for (int k = 1; k < 7; k++) {
				double v = 0; /* an empty field (a missing value) leaves it */

				if (csv_double(r, panel_col(p, k), &v) < 0)
					err_die(EX_DATAERR, "%s", csv_error(r));
				/* a cheap checksum that keeps every value alive without timing float additions */
				memcpy(&bits, &v, sizeof bits);
				check ^= bits + (unsigned long long)k;
			}
			check += (unsigned long long)panel_date(p); /* the date, parsed by the panel */
			bytes += (long)panel_idlen(p) + (long)csv_len(r, panel_col(p, 0)); /* the strings */
		}
		if (panel_next(p) < 0)
			err_die(panel_code(p), "%s", panel_error(p));
	}
	printf("rows=%ld checksum=%016llx strbytes=%ld\n", rows, check, bytes);
	panel_close(p);
	return 0;
}
