/* store_pg_schema.h — the central store's migrations, in order (store_pg_schema.c). */
#ifndef PENTRAP_RECORD_STORE_PG_SCHEMA_H
#define PENTRAP_RECORD_STORE_PG_SCHEMA_H

#include <stddef.h>

struct pg_migration {
	int version;       /* 1, 2, 3 ... without gaps */
	const char *what;  /* kept in pentrap_schema */
	const char *sql;   /* one or more statements */
};

extern const struct pg_migration pg_migrations[];
extern const size_t pg_nmigrations;

#endif
