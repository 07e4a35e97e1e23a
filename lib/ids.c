#include "ids.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

void
ids_init(struct ids *t)
{
	memset(t, 0, sizeof *t);
}

void
ids_free(struct ids *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->len);
	free(t->slot);
	ids_init(t);
}

static int
same(const struct ids *t, uint32_t i, const char *id, size_t len)
{
	return t->len[i] == len && memcmp(t->name[i], id, len) == 0;
}

static int
rehash(struct ids *t, size_t nslot)
{
	uint32_t *ns = calloc(nslot, sizeof *ns);

	if (ns == NULL)
		return -1;
	for (uint32_t i = 0; i < t->n; i++) {
		size_t h = (size_t)hash(t->name[i], t->len[i]) & (nslot - 1);

		while (ns[h] != 0)
			h = (h + 1) & (nslot - 1);
		ns[h] = i + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->nslot = nslot;
	return 0;
}

uint32_t
ids_get(const struct ids *t, const char *id, size_t len)
{
	if (t->nslot == 0)
		return IDS_NONE;
	for (size_t h = (size_t)hash(id, len) & (t->nslot - 1); t->slot[h] != 0; h = (h + 1) & (t->nslot - 1))
		if (same(t, t->slot[h] - 1, id, len))
			return t->slot[h] - 1;
	return IDS_NONE;
}

uint32_t
ids_intern(struct ids *t, const char *id, size_t len, int *added)
{
	size_t h, cap = t->cap;
	uint32_t i;
	char *name;

	if (added != NULL)
		*added = 0;
	if ((size_t)t->n + 1 >= IDS_NONE)
		return IDS_NONE;
	if (((size_t)t->n + 1) * 2 > t->nslot && rehash(t, t->nslot ? t->nslot * 2 : 1024) != 0)
		return IDS_NONE;
	for (h = (size_t)hash(id, len) & (t->nslot - 1); t->slot[h] != 0; h = (h + 1) & (t->nslot - 1))
		if (same(t, t->slot[h] - 1, id, len))
			return t->slot[h] - 1;
	if (util_grow((void **)&t->len, &cap, (size_t)t->n + 1, sizeof *t->len) != 0 ||
	    util_grow((void **)&t->name, &t->cap, (size_t)t->n + 1, sizeof *t->name) != 0 ||
	    (name = malloc(len + 1)) == NULL)
		return IDS_NONE;
	memcpy(name, id, len);
	name[len] = '\0';
	i = t->n++;
	t->name[i] = name;
	t->len[i] = len;
	t->slot[h] = i + 1;
	if (added != NULL)
		*added = 1;
	return i;
}

void
ids_order_init(struct ids_order *o)
{
	memset(o, 0, sizeof *o);
	o->first = o->prev = IDS_NONE;
}

void
ids_order_free(struct ids_order *o)
{
	free(o->next);
	ids_order_init(o);
}

void
ids_order_restart(struct ids_order *o)
{
	o->prev = IDS_NONE;
}

uint32_t
ids_row(struct ids *t, struct ids_order *o, const char *id, size_t len, int *added)
{
	uint32_t guess = o->prev == IDS_NONE ? o->first : o->next[o->prev], i;

	if (added != NULL)
		*added = 0;
	if (guess != IDS_NONE && same(t, guess, id, len))
		i = guess;
	else if ((i = ids_intern(t, id, len, added)) == IDS_NONE)
		return IDS_NONE;
	if (o->nnext < t->n) {
		if (util_grow((void **)&o->next, &o->cap, t->n, sizeof *o->next) != 0)
			return IDS_NONE;
		for (; o->nnext < t->n; o->nnext++)
			o->next[o->nnext] = IDS_NONE;
	}
	if (o->prev != IDS_NONE)
		o->next[o->prev] = i;
	else
		o->first = i;
	o->prev = i;
	return i;
}
