/* cli.h — the subcommands of the pentrap command line; each parses its options only. */
#ifndef PENTRAP_CLI_CLI_H
#define PENTRAP_CLI_CLI_H

int cmd_run(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_sigs(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_publish(int argc, char **argv);

/* Exit status for bad usage (same as bad input, docs/cli.md). */
enum { EXIT_USAGE = 2 };

#endif
