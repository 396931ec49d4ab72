/* yaml_walk.c — walking a loaded YAML document with one-line errors (yaml_walk.h). */
#include "core/yaml_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errbuf.h"

int ywalk_fail(const struct ywalk *w, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errbuf_vset(w->errbuf, w->errlen, w->source, node ? (unsigned long)node->start_mark.line + 1 : 0, fmt, ap);
	va_end(ap);
	return -1;
}

const char *ywalk_show(const char *s, char *buf, size_t len)
{
	size_t n = 0, i = 0;
	for (; s[i] && i + 8 < len; i++)
		buf[n++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i]) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

const yaml_node_t *ywalk_node(const struct ywalk *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

const char *ywalk_kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a value";
	}
}

int ywalk_scalar(const struct ywalk *w, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return ywalk_fail(w, n, "%s: expected a single value, found %s", what, ywalk_kind_name(n));
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return ywalk_fail(w, n, "%s: value contains a NUL byte", what);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

int ywalk_mapping(const struct ywalk *w, const yaml_node_t *map, const char *what, const char *const *allowed,
		  size_t nallowed, const yaml_node_t **keys, const yaml_node_t **vals)
{
	const char *pre = what ? what : "", *colon = what ? ": " : "";
	for (size_t i = 0; i < nallowed; i++)
		keys[i] = vals[i] = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = ywalk_node(w, p->key), *v = ywalk_node(w, p->value);
		if (!k || !v)
			return ywalk_fail(w, map, "%s%smalformed mapping", pre, colon);
		if (k->type != YAML_SCALAR_NODE)
			return ywalk_fail(w, k, "%s%sa key must be a plain name, found %s", pre, colon,
					  ywalk_kind_name(k));
		const char *name = (const char *)k->data.scalar.value;
		size_t i = 0;
		while (i < nallowed && strcmp(name, allowed[i]) != 0)
			i++;
		if (i == nallowed) {
			char list[512] = "", shown[YWALK_SHOWN];
			for (size_t j = 0; j < nallowed; j++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", allowed[j]);
			return ywalk_fail(w, k, "%s%sunknown key '%s' (expected %s)", pre, colon,
					  ywalk_show(name, shown, sizeof shown), list);
		}
		if (keys[i])
			return ywalk_fail(w, k, "%s%sduplicate key '%s' (first at line %lu)", pre, colon, allowed[i],
					  (unsigned long)keys[i]->start_mark.line + 1);
		keys[i] = k;
		vals[i] = v;
	}
	return 0;
}
