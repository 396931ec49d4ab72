/* sched.h — the generator's scheduler loop (see sched.c). */
#ifndef PENTRAP_GEN_SCHED_H
#define PENTRAP_GEN_SCHED_H

#include "gen/gen_internal.h"

void gen_sched_init(struct gen_ctx *g);
/* Runs episodes and writes packets until nothing is left, the end time passes, or the
 * packet limit is reached. Returns 0, or -1 on a write error. */
int gen_sched_loop(struct gen_ctx *g);
/* Frees whatever is still scheduled. */
void gen_sched_free(struct gen_ctx *g);

#endif
