/*
 * run_options.c — whether a run's options go together (run.h run_options_check): the
 * rules the command line cannot see option by option, checked before anything is
 * opened so that a bad combination is a usage error, not a run's.
 */
#include <stdio.h>

#include "record/store.h"
#include "run/limits.h"
#include "run/run.h"

int run_options_check(const struct run_options *opt, char *errbuf, size_t errlen)
{
	if (opt->ncaptures && opt->nifaces) {
		snprintf(errbuf, errlen, "-r and -i do not go together: read captures or capture live");
		return -1;
	}
	if (!opt->order_path || (opt->ncaptures == 0 && opt->nifaces == 0)) {
		snprintf(errbuf, errlen, "needs --order FILE and at least one -r CAPTURE or -i IFACE (see --help)");
		return -1;
	}
	if (opt->nifaces && opt->resume) {
		snprintf(errbuf, errlen, "--resume continues an interrupted run of captures, not a live one");
		return -1;
	}
	if (!opt->nifaces && (opt->live.bpf || opt->user || opt->max_db_bytes)) {
		snprintf(errbuf, errlen, "%s is for live capture (-i)",
			 opt->live.bpf ? "-f" : opt->user ? "-Z" : "--max-db-mb");
		return -1;
	}
	if (store_is_central(opt->db_path)) {
		snprintf(errbuf, errlen, "--db %s: a sensor records into its own SQLite store (its spool and evidence); "
			 "'pentrap collect' fills the central store (docs/scale.md)", opt->db_path);
		return -1;
	}
	if (opt->broker_url && !opt->db_path) {
		snprintf(errbuf, errlen, "--broker needs a store (not --no-db): the store is what is published, and "
			 "what waits while the broker is away");
		return -1;
	}
	if (!opt->broker_url && (opt->no_shared_identity || opt->identity_wait_s > 0 || opt->broker_wait_s > 0)) {
		snprintf(errbuf, errlen, "%s is for a sensor with --broker",
			 opt->no_shared_identity ? "--no-shared-identity" : opt->identity_wait_s > 0 ? "--identity-wait"
												    : "--broker-wait");
		return -1;
	}
	if (!opt->nifaces && opt->identity_wait_s > 0) {
		snprintf(errbuf, errlen, "--identity-wait is for live capture (-i); a capture file reads the shared "
			 "bindings before its first frame");
		return -1;
	}
	if (!opt->db_path && (opt->resume || opt->key_path)) {
		snprintf(errbuf, errlen, "--%s needs a store (not --no-db)", opt->resume ? "resume" : "key");
		return -1;
	}
	struct decode_config dc = { 0 };
	struct flow_config fc = { 0 };
	return limits_apply_workers(opt->max_memory_mib, opt->max_flows, opt->workers, &dc, &fc, NULL, errbuf, errlen);
}
