/* cmd_gen.c — `pentrap gen`: options in, gen_run out. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "gen/gen.h"

static const char usage[] =
	"usage: pentrap gen [--seed N] [--subscribers N] [--packets N | --duration S] [--mix NAME]\n"
	"                   [--noise LIST] [--message-rate F] -o OUT.pcap [--truth OUT.jsonl] [-q]\n"
	"\n"
	"Writes a synthetic capture of a mobile core (GTPv2-C attaches and GTP-U data on S5,\n"
	"SIP calls with RTP, SMS over SIP MESSAGE, SMPP and MAP, RADIUS on a Wi-Fi side, DNS,\n"
	"TLS and QUIC web traffic, Apple push with iMessage and FaceTime, WhatsApp chat and\n"
	"calls) and its ground truth as JSON lines: every call, SMS, app message and app call\n"
	"with its parties and times, and the subscriber-to-address bindings. Same options,\n"
	"same bytes.\n"
	"\n"
	"  --seed N         the seed (default 1)\n"
	"  --subscribers N  subscribers (default 1000)\n"
	"  --packets N      stop after N packets\n"
	"  --duration S     stop at S seconds of capture time (default 60 without --packets)\n"
	"  --mix NAME       default, voice, sms, ott, imessage-story, apps\n"
	"  --noise LIST     comma-separated: retrans, reorder, frag, snaplen (or none)\n"
	"  --message-rate F the mix's rates of SMS and app messages times F (default 1)\n"
	"  -o FILE          the pcap to write ('-' for standard output)\n"
	"  --truth FILE     the truth (JSON lines)\n"
	"  -q, --quiet      no summary\n"
	"\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage.\n";

int cmd_gen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "subscribers", required_argument, NULL, 'S' },
		{ "packets", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "mix", required_argument, NULL, 'm' },
		{ "noise", required_argument, NULL, 'n' },
		{ "message-rate", required_argument, NULL, 'R' },
		{ "truth", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_OPT_HELP_END,
	};
	struct gen_options opt = { .seed = 1, .mix = "default" };
	bool quiet = false;
	uint64_t v;
	struct cli_opts co = { .cmd = "gen", .usage = usage, .shortopts = "o:qh", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 's':
			if (cli_opt_u64("gen", "--seed", optarg, 0, UINT64_MAX, NULL, &opt.seed) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (cli_opt_u64("gen", "--subscribers", optarg, 2, 5000000, NULL, &v) != 0)
				return EXIT_USAGE;
			opt.subscribers = (uint32_t)v;
			break;
		case 'p':
			if (cli_opt_u64("gen", "--packets", optarg, 1, UINT64_MAX, NULL, &opt.packets) != 0)
				return EXIT_USAGE;
			break;
		case 'd':
			if (cli_opt_double("gen", "--duration", optarg, 0, 30 * 86400.0, "seconds", &opt.duration_s) != 0)
				return EXIT_USAGE;
			break;
		case 'm':
			opt.mix = optarg;
			break;
		case 'R':
			if (cli_opt_double("gen", "--message-rate", optarg, 0, 1000, NULL, &opt.message_rate) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			if (gen_parse_noise(optarg, &opt.noise) != 0)
				return cli_usage_error("gen", "--noise: not a list of retrans, reorder, frag, snaplen "
							      "or none: '%s'", optarg);
			break;
		case 'o':
			opt.out_path = optarg;
			break;
		case 't':
			opt.truth_path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!opt.out_path)
		return cli_usage_error("gen", "needs -o OUT.pcap (see --help)");
	if (!opt.packets && opt.duration_s == 0)
		opt.duration_s = 60;
	char err[512] = "";
	struct gen_result res = { 0 };
	int status = gen_run(&opt, &res, err, sizeof err);
	if (status != 0) {
		fprintf(stderr, "pentrap gen: %s\n", err[0] ? err : "failed");
		return status;
	}
	if (!quiet)
		fprintf(stderr, "pentrap gen: %llu packets, %llu bytes, %.1f s of capture, %llu truth lines\n",
			(unsigned long long)res.packets, (unsigned long long)res.bytes, res.capture_s,
			(unsigned long long)res.truth_lines);
	return 0;
}
