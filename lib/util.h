/* util: the three small helpers that every module was writing again (a growing array, a monotonic clock
 * in milliseconds, trimming blanks). Nothing here allocates except util_grow. */
#ifndef STI_UTIL_H
#define STI_UTIL_H

#include <stddef.h>

/* Make room for need elements of elem bytes in *p, whose capacity is *cap elements: nothing when need <=
 * *cap, else a realloc to the next power-of-two multiple of 16 elements at or above need. Returns 0, or
 * -1 when out of memory or when the size overflows (*p and *cap are then unchanged). */
int util_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Milliseconds on CLOCK_MONOTONIC: for timeouts and rates, never for dates. This function can't fail. */
long long util_now_ms(void);

/* s without its leading and trailing white space (isspace): trailing blanks are cut in place with a NUL,
 * the result points into s. */
char *util_trim(char *s);

#endif
