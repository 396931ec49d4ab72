/*
 * yaml_walk.h — walking a document that libyaml has loaded (yaml_parser_load), as the
 * order loader (order/order.c) and the definitions loader (detect/sigs_load.c) do: every
 * problem becomes one line "FILE:LINE: problem" at the node at fault, a bad value is
 * quoted cut and with control bytes shown as '?', and mappings are closed (an unknown or
 * a repeated key is an error), because a typo in an order or a definition must never be
 * silently ignored.
 */
#ifndef PENTRAP_CORE_YAML_WALK_H
#define PENTRAP_CORE_YAML_WALK_H

#include <stddef.h>
#include <yaml.h>

/* How much of a bad value an error message quotes: a buffer of YWALK_SHOWN bytes for
 * ywalk_show holds YWALK_SHOW_MAX bytes of it, "..." and the NUL. */
enum { YWALK_SHOW_MAX = 64, YWALK_SHOWN = YWALK_SHOW_MAX + 8 };

struct ywalk {
	const char *source;    /* what errors name: the file's path, or "built-in" */
	yaml_document_t *doc;  /* the document walked (borrowed) */
	char *errbuf;          /* where the one-line error goes */
	size_t errlen;
};

/* Writes "SOURCE:LINE: message" (the node's 1-based line), or "SOURCE: message" when
 * node is NULL, into the walk's errbuf; returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int ywalk_fail(const struct ywalk *w, const yaml_node_t *node, const char *fmt, ...);

/* s as an error message quotes it, into buf: at most len - 8 bytes of it (the rest
 * shown as "..."), control bytes as '?'; returns buf. len is at least 9. */
const char *ywalk_show(const char *s, char *buf, size_t len);

/* The node with this id in the walk's document (NULL when there is none). */
const yaml_node_t *ywalk_node(const struct ywalk *w, int id);

/* "a mapping", "a list" or "a value", for messages. */
const char *ywalk_kind_name(const yaml_node_t *n);

/* The text of a scalar node into *out (borrowed from the document). Anything else, and a
 * scalar with a NUL byte inside (the loaders use C strings), is an error "WHAT: ...". */
int ywalk_scalar(const struct ywalk *w, const yaml_node_t *n, const char *what, const char **out);

/*
 * Checks a mapping's keys against the allowed names: every key a scalar, known, and
 * present once, else an error naming the key (and the allowed names), prefixed "WHAT: "
 * unless what is NULL. On success vals[i] is the value node of allowed[i] or NULL when it
 * is absent, and keys[i] its key node.
 */
int ywalk_mapping(const struct ywalk *w, const yaml_node_t *map, const char *what, const char *const *allowed,
		  size_t nallowed, const yaml_node_t **keys, const yaml_node_t **vals);

#endif
