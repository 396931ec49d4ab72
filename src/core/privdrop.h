/*
 * privdrop.h — giving up root after the capture is open (tcpdump's -Z): switch to an
 * unprivileged user and group, keep no capabilities, so a parser bug reached by hostile
 * traffic cannot act as root.
 */
#ifndef PENTRAP_CORE_PRIVDROP_H
#define PENTRAP_CORE_PRIVDROP_H

#include <stddef.h>

/* Switches to user (and its primary group, supplementary groups cleared). -1 with errbuf. */
int privdrop_to_user(const char *user, char *errbuf, size_t errlen);

#endif
