/* csv_par: lib/csv's read-ahead threads. A large regular file is cut into blocks of whole lines; helper
 * threads read the blocks in turn and split them into records and fields, converting ahead the columns the
 * caller reads as numbers (csv_double's), while the caller's thread takes the records in order. Only the
 * common record is split here (no quote, no CR, valid UTF-8, as many fields as the header): a block with
 * anything else goes back to the serial reader, with everything after it, so that every record, every
 * line number and every error is the one the serial reader gives. A block of plain records, one a line, is
 * split without a branch per field (split_regular: the offsets of its separators, then two counts); one
 * with blank lines or a record of the wrong width record by record (split_slot). The records' field ends
 * and numbers are kept as small as they can be: they are written on one core and read on another. */
#include "csv_impl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"
#include "num_impl.h"
#include "util.h"

/* CSV_PAR_MIN and CSV_PAR_CHUNK may be set when building, to run the tool tests through the threads:
 * make BUILD=build/par BIN=build/par/bin CFLAGS='-DCSV_PAR_MIN=0 -DCSV_PAR_CHUNK=64' test-tools */
#ifndef CSV_PAR_MIN
#define CSV_PAR_MIN (4L << 20)
#endif
/* 256 KB: a block read is split at once by the same thread, while it is in that core's L2 cache (1 MB
 * blocks measured 5-10% slower, 128 KB no faster) */
#ifndef CSV_PAR_CHUNK
#define CSV_PAR_CHUNK (256u << 10)
#endif

int csv_threads = -1;
int csv_convert_way = -1;
long csv_par_min = CSV_PAR_MIN;
size_t csv_par_chunk = CSV_PAR_CHUNK;

#define PAR_MAXTHREADS 3 /* helpers */
#define PAR_MAXSLOT (2 * PAR_MAXTHREADS + 2)
#define SLOT_MAX (UINT32_MAX / 2) /* a block's offsets are 32-bit: a longer record goes to the serial reader */
#define SLOT_TAIL (64 + CSV_PAD)  /* readable past a block's bytes: the classifier reads 64 at a time */

enum slot_state {
	S_FREE,    /* empty; the next read may take it */
	S_READING, /* a thread is reading into it */
	S_BUSY,    /* the thread that read it is splitting it */
	S_DONE,    /* split (or marked serial), waiting for the caller */
	S_USED,    /* the caller's current block */
};

struct slot {
	enum slot_state state;
	long seq;            /* its place in the input: blocks are read, and taken, in seq order */
	char *buf;           /* bytes of whole lines (the last block: up to the end of input), SLOT_TAIL more */
	size_t cap, len;
	int eof;             /* the input ends with this block */
	int rerr;            /* errno of a read that failed after these bytes */
	int serial;          /* only the serial reader may read these bytes */
	struct csv_field *fld; /* per record, ncols: its fields, as the caller reads them (csv.h) */
	size_t fldcap;
	int regular;         /* no blank line: record k is line k of the block and starts after record k - 1 */
	uint32_t *lines;     /* per record, unless regular: the lines of the block before it (blank lines count) */
	double *pre;         /* per record, npre: the columns of mask converted, in order (csv.h's CSV_PRE_*) */
	int npre;            /* the columns in mask */
	size_t linecap, precap;
	size_t nrec;
	long nlines;         /* lines in the block */
	uint64_t mask;       /* the columns converted */
};

struct csv_par {
	pthread_mutex_t mu;
	pthread_cond_t cv;   /* a block was read, split or given back; or stop */
	pthread_t th[PAR_MAXTHREADS];
	int nth, nslot, ncols;
	struct slot slot[PAR_MAXSLOT];
	FILE *fp;
	size_t chunk;
	/* under mu */
	long next_read, next_use;
	int reading, input_done, stop;
	uint64_t mask;
	/* the reading helper's (one at a time) */
	const char *pre_in;  /* bytes the serial reader had read but not consumed: they come first */
	size_t pre_len;
	char *carry;         /* the last read's partial line, the start of the next block */
	size_t carry_len, carry_cap;
	int input_eof;       /* fread met the end of input */
	/* the caller's */
	struct slot *cur;
	size_t rec;
	long base_line;      /* the line where cur (or the next block) starts */
	char *sbuf;          /* the serial reader's buffer, r->h.buf again when the threads end */
	struct csv_field *sfields; /* and its fields (r->h.fields points into the blocks meanwhile) */
};

/* The helper threads to start: csv_threads, else STI_CSV_THREADS, else the cores left idle, counts the
 * threads that parse, the caller's included (so 1, or one core, is the serial reader alone). The threads
 * cost 20-35% more CPU than one thread for the same records, so on cores already busy (a load average of
 * at least the cores less one) they would make the parse slower, not faster: measured 0.66 s serial
 * against 0.90 s threaded for weights on the 5-million-row panel while another process held a core. */
static int
par_nthreads(void)
{
	const char *e;
	char *end;
	long n, cores;
	double load;

	n = csv_threads;
	if (n < 0 && (e = getenv("STI_CSV_THREADS")) != NULL && *e != '\0' &&
	    ((n = strtol(e, &end, 10)) < 0 || *end != '\0'))
		n = -1; /* not a count: as if unset */
	if (n < 0) {
		n = cores = sysconf(_SC_NPROCESSORS_ONLN);
		if (getloadavg(&load, 1) == 1 && load >= (double)cores - 1)
			n = 1;
	}
	return n < 2 ? 0 : n > PAR_MAXTHREADS + 1 ? PAR_MAXTHREADS : (int)n - 1;
}

/* Room for n bytes in s, and SLOT_TAIL more. Returns 0 or -1. */
static int
slot_room(struct slot *s, size_t n)
{
	return util_grow((void **)&s->buf, &s->cap, n + SLOT_TAIL, 1);
}

/* Up to want bytes of input: the serial reader's leftover first, then the stream. Short only at the end
 * of input or on a read error (ferror). */
static size_t
src_read(struct csv_par *p, char *dst, size_t want)
{
	size_t n = p->pre_len < want ? p->pre_len : want;

	memcpy(dst, p->pre_in, n);
	p->pre_in += n;
	p->pre_len -= n;
	return n == want ? n : n + fread(dst + n, 1, want - n, p->fp);
}

/* Fill s with whole lines: the previous read's partial line, then chunk bytes at a time until a line ends
 * (a record longer than a chunk grows the block), or the input does. What cannot be read here (a read
 * error, memory) marks s serial: the serial reader takes over at s, with the carry after it. */
static void
read_slot(struct csv_par *p, struct slot *s)
{
	s->len = 0;
	s->eof = s->rerr = s->serial = 0;
	if (slot_room(s, p->carry_len + p->chunk) != 0) {
		s->serial = 1;
		return;
	}
	if (p->carry_len > 0)
		memcpy(s->buf, p->carry, p->carry_len);
	s->len = p->carry_len;
	p->carry_len = 0;
	for (;;) {
		size_t old = s->len, n;
		const char *nl;

		if (s->len > SLOT_MAX || slot_room(s, s->len + p->chunk) != 0) {
			s->serial = 1;
			break;
		}
		n = src_read(p, s->buf + s->len, p->chunk);
		s->len += n;
		if (n < p->chunk) {
			if (ferror(p->fp)) {
				s->rerr = errno ? errno : EIO;
				s->serial = 1;
			} else {
				s->eof = p->input_eof = 1;
			}
			break;
		}
		if ((nl = memrchr(s->buf + old, '\n', n)) != NULL) {
			size_t keep = (size_t)(nl + 1 - s->buf), rest = s->len - keep;

			if (util_grow((void **)&p->carry, &p->carry_cap, rest, 1) != 0) {
				s->serial = 1;
				break;
			}
			if (rest > 0)
				memcpy(p->carry, s->buf + keep, rest);
			p->carry_len = rest;
			s->len = keep;
			break;
		}
	}
	memset(s->buf + s->len, 0, SLOT_TAIL);
}

/* Room for n fields in s->fld, and 64 more (a 64-byte block's). Returns 0 or -1. Asked at every 64-byte
 * block: the test that there is room is here, not behind a call. */
static inline int
fld_room(struct slot *s, size_t n)
{
	return n + 64 <= s->fldcap ? 0 : util_grow((void **)&s->fld, &s->fldcap, n + 64, sizeof *s->fld);
}

/* Room for n records in s->lines and s->pre. Returns 0 or -1. */
static int
rec_room(struct slot *s, size_t n, int ncols)
{
	return util_grow((void **)&s->lines, &s->linecap, n, sizeof *s->lines) != 0 ||
	    util_grow((void **)&s->pre, &s->precap, n * (size_t)ncols, sizeof *s->pre) != 0 ? -1 : 0;
}

/* Field f of buf converted into *v as csv_double would (csv.h's CSV_PRE_* when empty or not a number), with
 * parse (num_parse_padded or a way of it). Inlined, so that parse is too where it can be. */
static inline __attribute__((always_inline)) void
convert_one(const char *buf, const struct csv_field *f, double *v, int (*parse)(const char *, size_t, double *))
{
	uint64_t bits = f->len == 0 ? CSV_PRE_EMPTY : CSV_PRE_BAD;

	if (f->len == 0 || parse(buf + f->off, f->len, v) != 0)
		memcpy(v, &bits, sizeof bits);
}

/* Convert the columns cols[0..nc) of every record of s with parse. */
static inline __attribute__((always_inline)) void
convert_with(struct slot *s, int ncols, const int *cols, int nc, int (*parse)(const char *, size_t, double *))
{
	for (size_t k = 0; k < s->nrec; k++) {
		const struct csv_field *f = s->fld + k * (size_t)ncols;
		double *v = s->pre + k * (size_t)nc;

		for (int j = 0; j < nc; j++)
			convert_one(s->buf, &f[cols[j]], &v[j], parse);
	}
}

#ifdef NUM_HAVE_SSSE3
/* The loop with the SSSE3 parser inlined: no call per number. */
__attribute__((target("ssse3"))) static void
convert_ssse3(struct slot *s, int ncols, const int *cols, int nc)
{
	convert_with(s, ncols, cols, nc, num_ssse3_inline);
}

/* One field with the SSSE3 parser, out of convert_avx2's loop: the fields of a pair num_avx2_pair did not
 * take (an empty field, a long or odd number), and the last of an odd count of columns. */
__attribute__((target("ssse3"), noinline)) static void
convert_ssse3_one(const char *buf, const struct csv_field *f, double *v)
{
	convert_one(buf, f, v, num_ssse3_inline);
}

/* With AVX2, the columns two at a time (num_avx2_pair), each one on its own when the pair is not two short
 * decimals, and the last of an odd count. */
__attribute__((target("avx2"))) static void
convert_avx2(struct slot *s, int ncols, const int *cols, int nc)
{
	for (size_t k = 0; k < s->nrec; k++) {
		const struct csv_field *f = s->fld + k * (size_t)ncols;
		double *v = s->pre + k * (size_t)nc;
		int j = 0;

		for (; j + 1 < nc; j += 2) {
			const struct csv_field *x = &f[cols[j]], *y = &f[cols[j + 1]];

			if (num_avx2_pair(s->buf + x->off, x->len, s->buf + y->off, y->len, &v[j]) != 0) {
				convert_ssse3_one(s->buf, x, &v[j]);
				convert_ssse3_one(s->buf, y, &v[j + 1]);
			}
		}
		if (j < nc)
			convert_ssse3_one(s->buf, &f[cols[j]], &v[j]);
	}
}
#endif

/* Convert the columns of s->mask of every record, as csv_double would. */
static void
convert(struct slot *s, int ncols)
{
	int cols[64], nc = 0, way = csv_convert_way < 0 ? 2 : csv_convert_way;

	for (uint64_t m = s->mask; m != 0; m &= m - 1)
		cols[nc++] = __builtin_ctzll(m);
#ifdef NUM_HAVE_SSSE3
	if (way >= 2 && __builtin_cpu_supports("avx2")) {
		convert_avx2(s, ncols, cols, nc);
		return;
	}
	if (way >= 1 && __builtin_cpu_supports("ssse3")) {
		convert_ssse3(s, ncols, cols, nc);
		return;
	}
#endif
	convert_with(s, ncols, cols, nc, num_parse_padded);
}

/* The common block, split without looking at one record at a time: every field goes into s->fld as the
 * 64-byte blocks are classified, then two counts say whether they are records of ncols fields, one line
 * each: ncols fields per line end, and every ncols-th field ending a line (so all the line ends are
 * accounted for). Returns 1 when so (s->nrec set, s->regular), 0 when the block's bytes are good (no quote
 * or CR, valid UTF-8) but its shape needs split_records (a blank line, a record of other than ncols fields),
 * -1 when only the serial reader may read it (a quote or CR, a NUL or invalid UTF-8, no memory). */
static int
split_regular(struct slot *s, int ncols)
{
	const char *buf = s->buf;
	size_t len = s->len, nf = 0, nnl = 0, start = 0;
	uint64_t high = 0;

	for (size_t blk = 0; blk < len; blk += 64) {
		struct block_bits m;
		uint64_t valid = len - blk >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (len - blk)) - 1, sep, nl;
		struct csv_field *o;

		classify64(buf + blk, &m);
		if ((m.bad & valid) != 0 || fld_room(s, nf) != 0)
			return -1;
		high |= m.high & valid;
		o = s->fld + nf;
		for (sep = m.sep & valid; sep != 0; sep &= sep - 1, o++) {
			size_t at = blk + (size_t)__builtin_ctzll(sep);

			o->off = (uint32_t)start;
			o->len = (uint32_t)(at - start);
			start = at + 1;
		}
		nf = (size_t)(o - s->fld);
		for (nl = m.nl & valid; nl != 0; nl &= nl - 1)
			nnl++;
	}
	if (s->eof && len > 0 && buf[len - 1] != '\n') { /* the end of input ends the last line */
		if (fld_room(s, nf) != 0)
			return -1;
		s->fld[nf].off = (uint32_t)start;
		s->fld[nf++].len = (uint32_t)(len - start);
		nnl++;
	}
	/* the whole block at once: a multi-byte character cannot straddle a line end and stay valid */
	if (high != 0 && csv_utf8_bad((const unsigned char *)buf, len) < len)
		return -1;
	if (ncols < 2 || nf != nnl * (size_t)ncols) /* (one column: a blank line is a record of one empty field) */
		return 0;
	for (size_t k = 0; k < nnl; k++) {
		const struct csv_field *last = &s->fld[k * (size_t)ncols + (size_t)ncols - 1];
		size_t end = (size_t)last->off + last->len;

		if (end != len && buf[end] != '\n')
			return 0;
	}
	if (rec_room(s, nnl, ncols) != 0)
		return -1;
	s->nrec = nnl;
	s->nlines = (long)nnl;
	s->regular = 1;
	return 1;
}

/* Split block s into records one at a time, blank lines skipped, once split_regular has found its bytes
 * good and its shape not: returns 0, or -1 when only the serial reader may read it (a record of other than
 * ncols fields, no memory). */
static int
split_records(struct slot *s, int ncols)
{
	const char *buf = s->buf;
	size_t len = s->len, start = 0, fstart = 0;
	struct csv_field *e = NULL;
	int nf = 0;
	long line = 0;

	for (size_t blk = 0; blk <= len; blk += 64) {
		struct block_bits m;
		uint64_t valid = len - blk >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (len - blk)) - 1, sep, nl;

		classify64(buf + blk, &m);
		sep = m.sep & valid;
		nl = m.nl & valid;
		if (blk + 64 > len && s->eof && len > 0 && buf[len - 1] != '\n') { /* the end of input ends a line */
			sep |= UINT64_C(1) << (len - blk);
			nl |= UINT64_C(1) << (len - blk);
		}
		for (; sep != 0; sep &= sep - 1) {
			unsigned bit = (unsigned)__builtin_ctzll(sep);
			size_t at = blk + bit;

			if (nf == 0) {
				if (rec_room(s, s->nrec + 1, ncols) != 0 || fld_room(s, (s->nrec + 1) * (size_t)ncols) != 0)
					return -1;
				e = s->fld + s->nrec * (size_t)ncols;
			} else if (nf == ncols) {
				return -1;
			}
			e[nf].off = (uint32_t)fstart;
			e[nf++].len = (uint32_t)(at - fstart);
			fstart = at + 1;
			if (((nl >> bit) & 1) == 0)
				continue;
			if (!(nf == 1 && at == start)) { /* not a blank line: a record */
				if (nf != ncols)
					return -1;
				s->lines[s->nrec++] = (uint32_t)line;
			}
			line++;
			start = at + 1;
			nf = 0;
		}
	}
	s->nlines = line;
	return 0;
}

/* Split block s into records and convert their numbers; what only the serial reader may read marks s
 * serial instead. */
static void
split_slot(struct slot *s, int ncols)
{
	int rc;

	s->nrec = 0;
	s->regular = 0;
	if ((rc = split_regular(s, ncols)) == 0)
		rc = split_records(s, ncols);
	if (rc < 0) {
		s->serial = 1;
		s->nrec = 0;
		return;
	}
	if (s->mask != 0)
		convert(s, ncols);
}

/* One piece of work, under p->mu (released while it runs): read the next block if its slot is free and no
 * one is reading, then split it at once, while its bytes are in this core's cache (the next read may start
 * on another thread meanwhile). Helpers loop on it; the caller runs it while the block it needs is not
 * ready, so that it works rather than waits (on two cores: one helper and the caller, both busy). Returns
 * 0 when there was nothing to do. */
static int
work_step(struct csv_par *p)
{
	struct slot *t = &p->slot[p->next_read % p->nslot];

	if (p->reading || p->input_done || t->state != S_FREE)
		return 0;
	t->state = S_READING;
	t->seq = p->next_read++;
	p->reading = 1;
	pthread_mutex_unlock(&p->mu);
	read_slot(p, t);
	pthread_mutex_lock(&p->mu);
	p->reading = 0;
	if (t->eof || t->serial)
		p->input_done = 1; /* at a serial block the serial reader takes over: read no further */
	if (!t->serial) {
		t->state = S_BUSY;
		t->mask = p->mask;
		t->npre = __builtin_popcountll(t->mask);
		pthread_cond_broadcast(&p->cv); /* the next read may start */
		pthread_mutex_unlock(&p->mu);
		split_slot(t, p->ncols);
		pthread_mutex_lock(&p->mu);
		if (t->serial)
			p->input_done = 1;
	}
	t->state = S_DONE;
	pthread_cond_broadcast(&p->cv);
	return 1;
}

/* A helper thread: work until told to stop. */
static void *
helper(void *arg)
{
	struct csv_par *p = arg;

	pthread_mutex_lock(&p->mu);
	while (!p->stop)
		if (!work_step(p))
			pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
stop_helpers(struct csv_par *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	p->nth = 0;
}

static void
free_par(struct csv_par *p)
{
	for (int i = 0; i < PAR_MAXSLOT; i++) {
		free(p->slot[i].buf);
		free(p->slot[i].fld);
		free(p->slot[i].lines);
		free(p->slot[i].pre);
	}
	free(p->carry);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int
csv_par_start(csv_reader *r)
{
	struct csv_par *p;
	struct stat st;
	sigset_t all, old;
	int nth, fd;

	r->par_tried = 1;
	if (r->ncols < 1 || r->read_error != 0 || (nth = par_nthreads()) < 1 || (fd = fileno(r->in.fp)) < 0 ||
	    fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < csv_par_min ||
	    csv_fields_room(r, r->ncols) != 0 || (p = calloc(1, sizeof *p)) == NULL)
		return 0;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->nslot = 2 * nth + 2;
	p->ncols = r->ncols;
	p->fp = r->in.fp;
	p->chunk = csv_par_chunk ? csv_par_chunk : 1;
	p->pre_in = r->h.buf + r->pos;
	p->pre_len = r->len - r->pos;
	p->input_eof = r->eof;
	p->base_line = r->next_line;
	p->sbuf = r->h.buf;
	p->sfields = r->h.fields;
	/* helpers take no signals: the tool's handlers run on its own thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (p->nth < nth && pthread_create(&p->th[p->nth], NULL, helper, p) == 0)
		p->nth++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->nth == 0) {
		free_par(p);
		return 0;
	}
	r->pos = r->len = 0;
	r->par = p;
	return 1;
}

/* The threads are done: r is the serial reader again, its buffer holding bytes[0..n) (owned). */
static void
par_finish(csv_reader *r, char *bytes, size_t n, size_t cap)
{
	struct csv_par *p = r->par;

	if (bytes != p->sbuf)
		free(p->sbuf);
	r->h.buf = bytes;
	r->h.fields = p->sfields;
	r->cap = cap;
	r->len = n;
	r->pos = 0;
	r->mvalid = 0;
	r->h.pre = NULL;
	r->h.premask = 0;
	r->h.nfields = 0;
	r->next_line = p->base_line;
	r->par = NULL;
	free_par(p);
}

/* The block s holds what only the serial reader reads: stop the helpers and give the serial reader every
 * byte from s on (the blocks read after it, the partial line, what the helpers have not read yet). */
static int
fall_back(csv_reader *r, struct slot *s)
{
	struct csv_par *p = r->par;
	size_t total, n = 0, cap;
	int rerr = 0;
	char *nb;

	stop_helpers(p);
	total = p->carry_len + p->pre_len;
	for (long q = s->seq; q < p->next_read; q++)
		total += p->slot[q % p->nslot].len;
	cap = total > r->cap ? total : r->cap;
	if ((nb = malloc(cap + CSV_PAD)) == NULL) {
		par_finish(r, p->sbuf, 0, r->cap);
		r->read_error = ENOMEM;
		return input_fail_errno(&r->in, r->next_line, ENOMEM);
	}
	for (long q = s->seq; q < p->next_read; q++) {
		struct slot *t = &p->slot[q % p->nslot];

		memcpy(nb + n, t->buf, t->len);
		n += t->len;
		rerr = t->rerr ? t->rerr : rerr;
	}
	if (p->carry_len > 0)
		memcpy(nb + n, p->carry, p->carry_len);
	n += p->carry_len;
	memcpy(nb + n, p->pre_in, p->pre_len);
	n += p->pre_len;
	memset(nb + n, 0, CSV_PAD);
	r->eof = p->input_eof;
	r->pending_error = rerr;
	par_finish(r, nb, n, cap);
	return 0;
}

int
csv_par_next(csv_reader *r)
{
	struct csv_par *p = r->par;
	const int ncols = p->ncols;

	for (;;) {
		struct slot *s = p->cur;

		if (s != NULL && p->rec < s->nrec) {
			size_t k = p->rec++;

			r->h.fields = s->fld + k * (size_t)ncols; /* the reader's own again at par_finish */
			r->h.nfields = ncols;
			r->h.pre = s->mask != 0 ? s->pre + k * (size_t)s->npre : NULL;
			r->line = p->base_line + (s->regular ? (long)k : (long)s->lines[k]);
			r->next_line = r->line + 1;
			return 1;
		}
		pthread_mutex_lock(&p->mu);
		if (s != NULL) { /* give the block back */
			p->base_line += s->nlines;
			s->state = S_FREE;
			p->next_use++;
			p->cur = NULL;
			pthread_cond_broadcast(&p->cv);
			if (s->eof) {
				pthread_mutex_unlock(&p->mu);
				stop_helpers(p);
				par_finish(r, p->sbuf, 0, r->cap);
				r->eof = 1;
				return 0;
			}
		}
		/* the columns read as numbers so far: the next blocks convert them */
		p->mask |= r->h.want & (ncols >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << ncols) - 1);
		s = &p->slot[p->next_use % p->nslot];
		while (s->state != S_DONE || s->seq != p->next_use)
			if (!work_step(p))
				pthread_cond_wait(&p->cv, &p->mu);
		s->state = S_USED;
		pthread_mutex_unlock(&p->mu);
		if (s->serial)
			return fall_back(r, s) != 0 ? -1 : csv_next(r);
		p->cur = s;
		p->rec = 0;
		r->h.buf = s->buf;
		if (r->h.premask != s->mask) { /* where each converted column is among the record's numbers */
			for (int c = 0, j = 0; c < 64; c++) {
				r->h.preidx[c] = (unsigned char)j;
				j += (int)((s->mask >> c) & 1);
			}
			r->h.premask = s->mask;
		}
	}
}

int
csv_par_active(const csv_reader *r)
{
	return r->par != NULL;
}

void
csv_par_end(csv_reader *r)
{
	if (r->par == NULL)
		return;
	stop_helpers(r->par);
	par_finish(r, r->par->sbuf, 0, r->cap);
}
