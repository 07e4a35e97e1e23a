/* dash/page: what every page shares: the problem list, the "not available" card, the navigation. */
#include <stdarg.h>
#include <stdio.h>

#include "dash/dash.h"
#include "html.h"

void
dash_prob(dash_probs *p, int bad, const char *fmt, ...)
{
	va_list ap;

	if (bad)
		p->bad++;
	else
		p->missing++;
	if (p->n >= DASH_MAXPROB)
		return;
	p->isbad[p->n] = (char)(bad != 0);
	va_start(ap, fmt);
	vsnprintf(p->msg[p->n++], sizeof p->msg[0], fmt, ap);
	va_end(ap);
}

void
dash_problems(FILE *fp, const dash_probs *p)
{
	if (p->n == 0)
		return;
	html_section_begin(fp, "inputs", "Missing or unreadable inputs", 1);
	for (int i = 0; i < p->n; i++)
		html_notice(fp, "warn", "%s", p->msg[i]);
	html_section_end(fp);
}

void
dash_missing(FILE *fp, const char *id, const char *title, int wide, const char *what)
{
	html_section_begin(fp, id, title, wide);
	html_notice(fp, "warn", "Not available: %s.", what);
	html_section_end(fp);
}

void
dash_nav_add(dash_nav *nav, const char *target, const char *label)
{
	if (nav->n >= DASH_NAV_MAX)
		return;
	nav->v[2 * nav->n] = target;
	nav->v[2 * nav->n + 1] = label;
	nav->n++;
	nav->v[2 * nav->n] = NULL;
}
