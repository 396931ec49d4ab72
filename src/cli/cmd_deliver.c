/* cmd_deliver.c — `pentrap deliver`: an order's records as ETSI HI2 IRI (handover/deliver.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "handover/deliver.h"

static const char usage[] =
	"usage: pentrap deliver --db STORE --order ID|FILE [--liid LIID]\n"
	"                       (-o FILE | [--to HOST:PORT] [--follow])\n"
	"         [--tls [--ca FILE] [--cert FILE [--key FILE]]] [--again]\n"
	"         [--operator ID] [--element NAME] [--retries N] [--keepalive S]\n"
	"         [--ack-timeout S] [--poll-ms MS]\n"
	"\n"
	"Hands the order's records over as ETSI TS 101 671 HI2 intercept-related information\n"
	"(BER IRIsContent): -o writes them back to back into FILE; otherwise they go over TCP\n"
	"(TLS with --tls) to the LEMF the order names in deliver_to (or --to), each as a ROSE\n"
	"sending-of-IRI the LEMF acknowledges. What the LEMF acknowledged is kept in the store:\n"
	"a later delivery resumes after it (--again: from the first record). --follow keeps\n"
	"delivering the records a live sensor writes until SIGINT or SIGTERM.\n"
	"The LIID comes from the order (liid, per order or per target) or --liid.\n"
	"Exit status: 0 done, 1 runtime failure (LEMF unreachable or refusing), 2 bad usage\n"
	"or bad input. docs/handover.md.\n";

int cmd_deliver(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },       { "order", required_argument, NULL, 'O' },
		{ "liid", required_argument, NULL, 'L' },     { "to", required_argument, NULL, 'T' },
		{ "follow", no_argument, NULL, 'F' },         { "again", no_argument, NULL, 'A' },
		{ "tls", no_argument, NULL, 'S' },            { "ca", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },     { "key", required_argument, NULL, 'k' },
		{ "operator", required_argument, NULL, 'p' }, { "element", required_argument, NULL, 'e' },
		{ "retries", required_argument, NULL, 'r' },  { "keepalive", required_argument, NULL, 'K' },
		{ "ack-timeout", required_argument, NULL, 'a' }, { "poll-ms", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	struct deliver_options o = { .retries = 10, .keepalive_s = 30, .ack_timeout_s = 60, .poll_ms = 500 };
	struct cli_opts co = { .cmd = "deliver", .usage = usage, .shortopts = "o:h", .longopts = longopts,
			       .operands = true };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'd': o.db = optarg; break;
		case 'O': o.order = optarg; break;
		case 'L': o.liid = optarg; break;
		case 'T': o.to = optarg; break;
		case 'o': o.out_path = optarg; break;
		case 'F': o.follow = true; break;
		case 'A': o.again = true; break;
		case 'S': o.tls = true; break;
		case 'C': o.tls_ca = optarg; break;
		case 'c': o.tls_cert = optarg; break;
		case 'k': o.tls_key = optarg; break;
		case 'p': o.operator_id = optarg; break;
		case 'e': o.element_id = optarg; break;
		case 'r':
			if (cli_opt_uint("deliver", "--retries", optarg, 0, 1000000, "attempts", &o.retries))
				return EXIT_USAGE;
			break;
		case 'K':
			if (cli_opt_uint("deliver", "--keepalive", optarg, 1, 86400, "seconds", &o.keepalive_s))
				return EXIT_USAGE;
			break;
		case 'a':
			if (cli_opt_uint("deliver", "--ack-timeout", optarg, 1, 86400, "seconds", &o.ack_timeout_s))
				return EXIT_USAGE;
			break;
		case 'P':
			if (cli_opt_uint("deliver", "--poll-ms", optarg, 1, 60000, "milliseconds", &o.poll_ms))
				return EXIT_USAGE;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (optind < argc || !o.db || !o.order)
		return cli_usage_error("deliver", "needs --db STORE and --order ID (see --help)");
	if (o.out_path && (o.to || o.follow || o.tls))
		return cli_usage_error("deliver", "-o FILE writes a file: --to, --follow and --tls go with a LEMF");
	if ((o.tls_ca || o.tls_cert || o.tls_key) && !o.tls)
		return cli_usage_error("deliver", "--ca, --cert and --key go with --tls");
	if (o.operator_id && (strlen(o.operator_id) < 1 || strlen(o.operator_id) > 5))
		return cli_usage_error("deliver", "--operator: 1 to 5 octets, not '%.64s'", o.operator_id);
	if (o.element_id && (strlen(o.element_id) < 1 || strlen(o.element_id) > 25))
		return cli_usage_error("deliver", "--element: 1 to 25 octets, not '%.64s'", o.element_id);
	struct deliver_stats st;
	char err[1024];
	int rc = deliver_run(&o, &st, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return rc;
	}
	fprintf(stderr, "pentrap deliver: %llu IRI of order %s under LIID %s to %s", (unsigned long long)st.delivered,
		st.order_id, st.liids, st.destination);
	if (st.already)
		fprintf(stderr, ", %llu delivered before", (unsigned long long)st.already);
	if (st.outside)
		fprintf(stderr, ", %llu records outside the order left out", (unsigned long long)st.outside);
	if (st.connections > 1)
		fprintf(stderr, ", %llu connections", (unsigned long long)st.connections);
	fputc('\n', stderr);
	return 0;
}
