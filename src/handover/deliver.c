/*
 * deliver.c — setting up a delivery (deliver.h): the store, the order (its file, found
 * through the store's runs and checked against the SHA-256 kept there, or given), the
 * LIIDs, the destination; the order's records read in batches, each checked again
 * against the order (target, window, direction) before it becomes IRI; and the file
 * output. The LEMF side is deliver_tcp.c.
 *
 * A central store (PostgreSQL) holds one chain per sensor store, each numbered from seq 1
 * on its own: the delivery reads them one after the other, each with its own position,
 * communication identities and acknowledged seqs, the sensor id as the IRI's network
 * element (docs/handover.md, "From the central store").
 */
#include "deliver_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t deliver_stop;

static const char DEFAULT_OPERATOR[] = "PTRAP";

/* The order file of the last run of order_id, and its SHA-256 then. */
struct run_lookup {
	const char *order_id;
	char file[1024], sha256[65];
	bool found;
};

static int on_run(const struct run_info *ri, void *ud)
{
	struct run_lookup *l = ud;
	if (ri->order_id && strcmp(ri->order_id, l->order_id) == 0 && ri->order_file) {
		snprintf(l->file, sizeof l->file, "%s", ri->order_file);
		snprintf(l->sha256, sizeof l->sha256, "%s", ri->order_sha256 ? ri->order_sha256 : "");
		l->found = true;
	}
	return 0;
}

static int load_order(struct deliverer *d, char *errbuf, size_t errlen)
{
	const char *arg = d->opt->order;
	struct stat sb;
	if (stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		snprintf(d->order_path, sizeof d->order_path, "%s", arg);
		return order_load(arg, &d->order, errbuf, errlen) ? DELIVER_EXIT_USAGE : 0;
	}
	struct run_lookup l = { .order_id = arg };
	if (store_each_run(d->store, on_run, &l, errbuf, errlen))
		return DELIVER_EXIT_FAILURE;
	if (!l.found) {
		snprintf(errbuf, errlen, "%s: no run of order '%s' in the store (give the order file: --order FILE)",
			 d->opt->db, arg);
		return DELIVER_EXIT_USAGE;
	}
	snprintf(d->order_path, sizeof d->order_path, "%s", l.file);
	if (order_load(l.file, &d->order, errbuf, errlen))
		return DELIVER_EXIT_USAGE;
	if (l.sha256[0] && strcmp(l.sha256, d->order.file_sha256) != 0) {
		snprintf(errbuf, errlen, "%s: changed since order '%s' was recorded (its SHA-256 differs): give the order in force with --order FILE",
			 l.file, arg);
		return DELIVER_EXIT_USAGE;
	}
	return 0;
}

static bool liid_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > HI2_LIID_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int intern_liid(struct deliverer *d, const char *liid)
{
	for (size_t i = 0; i < d->nliids; i++)
		if (strcmp(d->liids[i].liid, liid) == 0)
			return (int)i;
	snprintf(d->liids[d->nliids].liid, sizeof d->liids[0].liid, "%s", liid);
	return (int)d->nliids++;
}

/* The LIID of each target (docs/handover.md, "Which LIID"). */
static int resolve_liids(struct deliverer *d, char *errbuf, size_t errlen)
{
	const struct order *o = &d->order;
	const char *want = d->opt->liid;
	if (want && !liid_ok(want)) {
		snprintf(errbuf, errlen, "--liid: '%.64s' is not an LIID (1 to %d octets of printable ASCII without spaces)",
			 want, HI2_LIID_MAX);
		return DELIVER_EXIT_USAGE;
	}
	bool order_names_liids = o->liid[0] != '\0';
	for (size_t i = 0; i < o->ntargets; i++)
		order_names_liids |= o->targets[i].liid[0] != '\0';
	d->liids = calloc(o->ntargets + 1, sizeof *d->liids);
	d->target_liid = calloc(o->ntargets + 1, sizeof *d->target_liid);
	if (!d->liids || !d->target_liid) {
		snprintf(errbuf, errlen, "out of memory");
		return DELIVER_EXIT_FAILURE;
	}
	for (size_t i = 0; i < o->ntargets; i++) {
		const char *liid = order_target_liid(o, i);
		d->target_liid[i] = -1;
		if (want && !order_names_liids) {
			liid = want;
		} else if (want && strcmp(liid, want) != 0) {
			continue;
		} else if (!liid[0]) {
			snprintf(errbuf, errlen, "%s: order '%s' names no LIID for target %s (add 'liid' to the order or the target, or give --liid)",
				 d->order_path, o->id, o->targets[i].id);
			return DELIVER_EXIT_USAGE;
		}
		d->target_liid[i] = intern_liid(d, liid);
	}
	if (d->nliids == 0) {
		snprintf(errbuf, errlen, "%s: order '%s' has no LIID '%s' (its LIIDs: %s%s)", d->order_path, o->id,
			 want ? want : "", o->liid[0] ? o->liid : "", o->liid[0] ? ", ..." : "per target");
		return DELIVER_EXIT_USAGE;
	}
	size_t used = 0;
	for (size_t i = 0; i < d->nliids && used + 1 < sizeof d->st->liids; i++)
		used += (size_t)snprintf(d->st->liids + used, sizeof d->st->liids - used, "%s%s", i ? "," : "",
					 d->liids[i].liid);
	return 0;
}

static int resolve_destination(struct deliverer *d, char *errbuf, size_t errlen)
{
	const struct deliver_options *o = d->opt;
	if (o->out_path) {
		snprintf(d->st->destination, sizeof d->st->destination, "%s", o->out_path);
		return 0;
	}
	const char *to = o->to ? o->to : d->order.deliver_to;
	if (!to[0]) {
		snprintf(errbuf, errlen, "%s: order '%s' names no deliver_to: give --to HOST:PORT or -o FILE",
			 d->order_path, d->order.id);
		return DELIVER_EXIT_USAGE;
	}
	if (o->to && d->order.deliver_to[0] && strcmp(o->to, d->order.deliver_to) != 0) {
		snprintf(errbuf, errlen, "--to %.256s: order '%s' is delivered to %s only (its deliver_to)", o->to,
			 d->order.id, d->order.deliver_to);
		return DELIVER_EXIT_USAGE;
	}
	if (order_split_hostport(to, d->host, sizeof d->host, &d->port)) {
		snprintf(errbuf, errlen, "--to: '%.256s' is not HOST:PORT", to);
		return DELIVER_EXIT_USAGE;
	}
	snprintf(d->st->destination, sizeof d->st->destination, "%s", to);
	return 0;
}

/* Keeps the order's records of a batch (a store may hold several orders' records). */
static int on_record(const struct record *r, void *ud)
{
	struct deliverer *d = ud;
	d->last_read = r->seq;
	if (strcmp(r->order, d->order.id) == 0)
		d->batch[d->nbatch++] = *r;
	return 0;
}

int deliver_fetch(struct deliverer *d, uint64_t after, char *errbuf, size_t errlen)
{
	/* read on past batches of other orders' records, so an empty batch means the end */
	d->nbatch = 0;
	d->last_read = after;
	for (;;) {
		uint64_t from = d->last_read;
		if (store_records_after(d->store, from, DELIVER_BATCH, on_record, d, errbuf, errlen))
			return -1;
		if (d->nbatch > 0 || d->last_read == from)
			return 0;
	}
}

/* The store cursor that keeps what destination acknowledged of chain c of order under liid. */
static void state_name(const struct deliverer *d, const struct deliver_chain *c, const char *liid, char *out,
		       size_t len)
{
	int n = snprintf(out, len, "deliver %s %s %s", d->order.id, liid, d->st->destination);
	if (c->genesis[0] && n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " chain %s", c->genesis);
}

static int add_chain(struct deliverer *d, const char *genesis, const char *sensor)
{
	for (size_t i = 0; i < d->nchains; i++)
		if (strcmp(d->chains[i]->genesis, genesis) == 0)
			return 0;
	struct deliver_chain **grown = realloc(d->chains, (d->nchains + 1) * sizeof *grown);
	if (!grown)
		return -1;
	d->chains = grown;
	struct deliver_chain *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->genesis, sizeof c->genesis, "%s", genesis);
	/* the IRI's network-Element-Identifier (1 to 25 octets): the sensor that saw it */
	if (sensor && sensor[0] && strlen(sensor) <= 25)
		snprintf(c->element, sizeof c->element, "%s", sensor);
	d->chains[d->nchains++] = c;
	return 0;
}

static int on_chain(const struct store_chain *sc, void *ud)
{
	return add_chain(ud, sc->genesis, sc->sensor);
}

int deliver_list_chains(struct deliverer *d, char *errbuf, size_t errlen)
{
	if (!store_is_central(d->opt->db)) {
		if (d->nchains == 0 && add_chain(d, "", NULL))
			goto oom;
		return 0;
	}
	int rc = store_each_chain(d->store, on_chain, d, errbuf, errlen);
	if (rc > 0)
		goto oom;
	return rc;
oom:
	snprintf(errbuf, errlen, "out of memory");
	return -1;
}

int deliver_use_chain(struct deliverer *d, size_t k, char *errbuf, size_t errlen)
{
	struct deliver_chain *c = d->chains[k];
	if (c->genesis[0] && store_use_chain(d->store, c->genesis, errbuf, errlen))
		return -1;
	if (!c->liids) {
		if (!(c->liids = calloc(d->nliids, sizeof *c->liids))) {
			snprintf(errbuf, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < d->nliids; i++)
			memcpy(c->liids[i].liid, d->liid_names[i].liid, sizeof c->liids[i].liid);
	}
	if (!c->calls && !(c->calls = hi2_calls_new())) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	/* a file is written whole every time; a LEMF's acknowledgements are kept */
	for (size_t i = 0; !c->loaded && !d->opt->out_path && i < d->nliids; i++) {
		struct deliver_liid *l = &c->liids[i];
		char name[512];
		state_name(d, c, l->liid, name, sizeof name);
		if (!d->opt->again && store_cursor_get(d->store, name, &l->acked, errbuf, errlen))
			return -1;
		l->acked_before = l->acked;
		l->dirty = d->opt->again; /* --again: the state starts over with this delivery */
	}
	c->loaded = true;
	d->chain = c;
	d->liids = c->liids;
	d->calls = c->calls;
	return 0;
}

int deliver_rewind(struct deliverer *d, char *errbuf, size_t errlen)
{
	for (size_t k = 0; k < d->nchains; k++) {
		struct deliver_chain *c = d->chains[k];
		c->pos = 0;
		if (c->calls) {
			hi2_calls_free(c->calls);
			if (!(c->calls = hi2_calls_new())) {
				snprintf(errbuf, errlen, "out of memory");
				return -1;
			}
		}
	}
	d->calls = d->chain ? d->chain->calls : NULL;
	return 0;
}

static void free_chains(struct deliverer *d)
{
	for (size_t k = 0; k < d->nchains; k++) {
		hi2_calls_free(d->chains[k]->calls);
		free(d->chains[k]->liids);
		free(d->chains[k]);
	}
	free(d->chains);
}

static int target_index(const struct order *o, const char *target)
{
	for (size_t i = 0; i < o->ntargets; i++)
		if (strcmp(o->targets[i].id, target) == 0)
			return (int)i;
	return -1;
}

int deliver_scope(struct deliverer *d, const struct record *r)
{
	const struct order *o = &d->order;
	int t = strcmp(r->order, o->id) == 0 ? target_index(o, r->target) : -1;
	bool out = strcmp(r->direction, "out") == 0, in = strcmp(r->direction, "in") == 0;
	if (t < 0 || r->ts_us < o->valid_from_us || r->ts_us > o->valid_until_us ||
	    !((out && (o->kind & ORDER_PEN_REGISTER)) || (in && (o->kind & ORDER_TRAP_TRACE)))) {
		d->st->outside++;
		return -1;
	}
	if (d->target_liid[t] < 0)
		d->st->other_liid++;
	return d->target_liid[t];
}

int deliver_encode(struct deliverer *d, const struct record *r, int li, uint64_t cin, size_t *len, char *errbuf,
		   size_t errlen)
{
	struct hi2_context c = {
		.liid = d->liids[li].liid,
		.operator_id = d->opt->operator_id ? d->opt->operator_id : DEFAULT_OPERATOR,
		.element_id = d->opt->element_id ? d->opt->element_id : d->chain->element[0] ? d->chain->element : NULL,
		.cin = cin,
	};
	return hi2_encode(r, &c, d->pdu, sizeof d->pdu, len, errbuf, errlen);
}

int deliver_keep_state(struct deliverer *d, char *errbuf, size_t errlen)
{
	int rc = 0;
	for (size_t k = 0; k < d->nchains; k++) {
		struct deliver_chain *c = d->chains[k];
		for (size_t i = 0; c->liids && i < d->nliids; i++) {
			struct deliver_liid *l = &c->liids[i];
			if (!l->dirty)
				continue;
			char name[512];
			state_name(d, c, l->liid, name, sizeof name);
			if (store_cursor_set(d->store, name, l->acked, errbuf, errlen))
				rc = -1;
			else
				l->dirty = false;
		}
	}
	return rc;
}

/* Writes the IRI of the order's records in d->batch (read from the current chain). */
static int deliver_file_batch(struct deliverer *d, FILE *f, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < d->nbatch; i++) {
		const struct record *r = &d->batch[i];
		size_t len = 0;
		d->chain->pos = r->seq;
		/* every record of the order passes the call table, delivered or not */
		uint64_t cin = hi2_calls_cin(d->calls, r);
		int li = deliver_scope(d, r);
		if (li < 0)
			continue;
		if (deliver_encode(d, r, li, cin, &len, errbuf, errlen))
			return -1;
		if (fwrite(d->pdu, 1, len, f) != len) {
			snprintf(errbuf, errlen, "%s: cannot write: %s", d->opt->out_path, strerror(errno));
			return -1;
		}
		d->st->delivered++;
	}
	return 0;
}

/* -o FILE: every record the order allows, as IRI back to back (chain after chain); no state is kept. */
static int deliver_file(struct deliverer *d, char *errbuf, size_t errlen)
{
	bool to_stdout = strcmp(d->opt->out_path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(d->opt->out_path, "wb");
	int rc = DELIVER_EXIT_FAILURE;
	if (!f) {
		snprintf(errbuf, errlen, "%s: cannot write: %s", d->opt->out_path, strerror(errno));
		return DELIVER_EXIT_FAILURE;
	}
	for (size_t k = 0; k < d->nchains; k++) {
		if (deliver_use_chain(d, k, errbuf, errlen))
			goto out;
		for (;;) {
			if (deliver_fetch(d, d->chain->pos, errbuf, errlen))
				goto out;
			if (d->nbatch == 0)
				break;
			if (deliver_file_batch(d, f, errbuf, errlen))
				goto out;
		}
	}
	rc = 0;
out:
	if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
		snprintf(errbuf, errlen, "%s: cannot write: %s", d->opt->out_path, strerror(errno));
		rc = DELIVER_EXIT_FAILURE;
	}
	return rc;
}

static void on_stop(int sig)
{
	(void)sig;
	deliver_stop = 1;
}

int deliver_run(const struct deliver_options *o, struct deliver_stats *st, char *errbuf, size_t errlen)
{
	struct deliverer d = { .opt = o, .st = st };
	int rc = DELIVER_EXIT_FAILURE;
	/* a LEMF that closes must break the link, not the process; SIGINT/SIGTERM end a --follow
	 * delivery after what is in flight is answered */
	struct sigaction stop = { .sa_handler = on_stop }, ignore = { .sa_handler = SIG_IGN }, old[3];
	deliver_stop = 0;
	sigaction(SIGPIPE, &ignore, &old[0]);
	sigaction(SIGINT, &stop, &old[1]);
	sigaction(SIGTERM, &stop, &old[2]);
	memset(st, 0, sizeof *st);
	errbuf[0] = '\0';
	if (!store_is_central(o->db) && access(o->db, F_OK) != 0) {
		snprintf(errbuf, errlen, "%s: cannot open store: %s", o->db, strerror(errno));
		rc = DELIVER_EXIT_USAGE;
		goto out;
	}
	if ((o->out_path ? store_open_readonly(o->db, &d.store, errbuf, errlen)
			 : store_open(o->db, &d.store, errbuf, errlen)) != 0) {
		rc = DELIVER_EXIT_USAGE;
		goto out;
	}
	if ((rc = load_order(&d, errbuf, errlen)) != 0)
		goto out;
	snprintf(st->order_id, sizeof st->order_id, "%s", d.order.id);
	if ((rc = resolve_liids(&d, errbuf, errlen)) != 0 ||
	    (rc = resolve_destination(&d, errbuf, errlen)) != 0)
		goto out;
	rc = DELIVER_EXIT_FAILURE;
	/* resolve_liids made the LIIDs; each chain gets its own copy of them */
	d.liid_names = d.liids;
	d.liids = NULL;
	d.batch = malloc(DELIVER_BATCH * sizeof *d.batch);
	if (!d.batch) {
		snprintf(errbuf, errlen, "out of memory");
		goto out;
	}
	if (deliver_list_chains(&d, errbuf, errlen))
		goto out;
	rc = o->out_path ? deliver_file(&d, errbuf, errlen) : deliver_tcp(&d, errbuf, errlen);
out:
	free(d.batch);
	free_chains(&d);
	free(d.liid_names ? d.liid_names : d.liids);
	free(d.target_liid);
	order_fini(&d.order);
	store_close(d.store);
	sigaction(SIGPIPE, &old[0], NULL);
	sigaction(SIGINT, &old[1], NULL);
	sigaction(SIGTERM, &old[2], NULL);
	return rc;
}
