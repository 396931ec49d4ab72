/* cmd_keygen.c — `pentrap keygen`: the sensor's Ed25519 key pair (docs/evidence.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "record/sign.h"

static const char usage[] =
	"usage: pentrap keygen -o FILE.key\n"
	"\n"
	"Makes the sensor's Ed25519 key pair: the private key into FILE.key (PEM, mode 0600)\n"
	"and the public key into FILE.pub (PEM). 'pentrap run --key FILE.key' signs the\n"
	"records' checkpoints with it; give FILE.pub to whoever verifies, by another way\n"
	"than the records ('pentrap verify --pubkey FILE.pub'). Existing files are never\n"
	"overwritten.\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or a file that exists.\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_OPT_HELP_END,
	};
	const char *path = NULL;
	struct cli_opts co = { .cmd = "keygen", .usage = usage, .shortopts = "o:h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'o':
			path = optarg;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!path || !path[0])
		return cli_usage_error("keygen", "needs -o FILE.key (see --help)");
	/* FILE.key → FILE.pub; any other name → NAME.pub */
	char pub[4096];
	size_t n = strlen(path);
	int w = (n > 4 && strcmp(path + n - 4, ".key") == 0)
			? snprintf(pub, sizeof pub, "%.*s.pub", (int)(n - 4), path)
			: snprintf(pub, sizeof pub, "%s.pub", path);
	if (w < 0 || (size_t)w >= sizeof pub)
		return cli_usage_error("keygen", "%s: path too long", path);
	struct sign_key *k = sign_key_generate();
	if (!k) {
		fprintf(stderr, "pentrap keygen: cannot make a key\n");
		return 1;
	}
	char err[1024], id[SIGN_KEY_ID_LEN];
	if (sign_key_save(k, path, pub, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap keygen: %s\n", err);
		sign_key_free(k);
		return EXIT_USAGE;
	}
	sign_key_id(k, id);
	sign_key_free(k);
	printf("key %s\n  private  %s (mode 0600: keep it on the sensor)\n  public   %s (give it to whoever verifies)\n",
	       id, path, pub);
	return 0;
}
