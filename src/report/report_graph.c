/*
 * report_graph.c — the contact graph: one node per party (targets marked), one edge per
 * pair labelled with its counts per kind and total call time, in Graphviz's language,
 * laid out by Debian's `dot` into SVG for the HTML report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdbool.h>

#include "core/memtext.h"
#include "report/report.h"

/* DOT string escaping: quotes and backslashes; control characters dropped. */
static void dot_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The label of a pair's certain (inferred false) or inferred events; "" when it has none. */
static void edge_label(const struct report_pair *p, bool inferred, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int k = 0; k < KIND__COUNT && n < len; k++) {
		uint64_t c = inferred ? p->inferred[k] : p->count[k] - p->inferred[k];
		if (c)
			n += (size_t)snprintf(buf + n, len - n, "%s%s: %llu%s", n ? "\\n" : "",
					      report_kind_name((enum report_kind)k), (unsigned long long)c,
					      inferred ? " (inferred)" : "");
	}
	if (!inferred && p->call_us > 0 && n > 0 && n < len)
		snprintf(buf + n, len - n, "\\ntalk: %.0f s", (double)p->call_us / 1e6);
}

char *report_graph_dot(const struct report_data *d)
{
	struct memtext mt;
	FILE *f = memtext_open(&mt);
	if (!f)
		return NULL;
	fputs("graph contacts {\n"
	      "  graph [overlap=false, splines=true, fontname=\"Helvetica\", rankdir=LR];\n"
	      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\", fontsize=10];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n", f);
	for (size_t i = 0; i < d->nparties; i++) {
		const struct report_party *p = &d->parties[i];
		if (!p->drawn)
			continue;
		/* The node's name is the party itself, so the SVG's <title> names it. */
		fputs("  ", f);
		dot_string(f, p->id);
		fputs(" [label=", f);
		dot_string(f, p->id);
		fprintf(f, ", id=\"party_%zu\", class=\"%s\"", i, p->is_target ? "target" : "party");
		if (p->is_target)
			fputs(", fillcolor=\"#ffd6d6\", color=\"#b00000\", penwidth=2", f);
		fputs("];\n", f);
	}
	/* a pair's certain events on a solid edge, its inferred ones (app messages and
	 * calls paired between targets) on a dashed one beside it */
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		if (!d->parties[p->a].drawn || !d->parties[p->b].drawn)
			continue;
		for (int inferred = 0; inferred < 2; inferred++) {
			char label[256];
			edge_label(p, inferred, label, sizeof label);
			if (!label[0])
				continue;
			uint64_t total = 0;
			for (int k = 0; k < KIND__COUNT; k++)
				total += inferred ? p->inferred[k] : p->count[k] - p->inferred[k];
			fputs("  ", f);
			dot_string(f, d->parties[p->a].id);
			fputs(" -- ", f);
			dot_string(f, d->parties[p->b].id);
			fprintf(f, " [id=\"pair_%zu%s\", class=\"%s\", label=\"%s\", penwidth=%.1f%s];\n", i,
				inferred ? "_inferred" : "", inferred ? "pair inferred" : "pair", label,
				total > 20 ? 4.0 : 1.0 + (double)total / 7.0,
				inferred ? ", style=dashed, color=\"#7a4b00\", fontcolor=\"#7a4b00\"" : "");
		}
	}
	fputs("}\n", f);
	return memtext_close(&mt, NULL);
}

/* Feeds DOT text to `dot -Tsvg` and reads the picture back, through temporary files. */
char *report_graph_svg(const struct report_data *d, char *errbuf, size_t errlen)
{
	char in_path[] = "/tmp/pentrap-graph-XXXXXX";
	char out_path[] = "/tmp/pentrap-svg-XXXXXX";
	char *dot = report_graph_dot(d), *svg = NULL;
	int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path);
	if (!dot || in_fd < 0 || out_fd < 0) {
		snprintf(errbuf, errlen, "cannot make temporary files for the graph: %s", strerror(errno));
		goto out;
	}
	size_t n = strlen(dot);
	if (write(in_fd, dot, n) != (ssize_t)n) {
		snprintf(errbuf, errlen, "cannot write the graph: %s", strerror(errno));
		goto out;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execlp("dot", "dot", "-Tsvg", "-o", out_path, in_path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(errbuf, errlen, "Graphviz 'dot' failed (%s); install the graphviz package",
			 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "not found" : "exit status");
		goto out;
	}
	FILE *f = fopen(out_path, "rb");
	if (!f) {
		snprintf(errbuf, errlen, "cannot read Graphviz's output");
		goto out;
	}
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	svg = malloc((size_t)sz + 1);
	if (svg) {
		size_t got = fread(svg, 1, (size_t)sz, f);
		svg[got] = '\0';
	}
	fclose(f);
out:
	free(dot);
	if (in_fd >= 0) {
		close(in_fd);
		unlink(in_path);
	}
	if (out_fd >= 0) {
		close(out_fd);
		unlink(out_path);
	}
	return svg;
}
