/*
 * broker_send.c — for tests: puts one message of the test's making on a broker queue,
 * as something other than a pentrap sensor would (a foreign application, a forged or
 * damaged record), so the collector's refusals can be shown.
 *
 * usage: broker_send URL QUEUE TYPE BODY-FILE [NAME=TEXT | NAME:=NUMBER ...]
 *   TYPE "-" sends no type; BODY-FILE "-" an empty body.
 * Exit status 0 when the broker confirmed it, 1 otherwise (one line on stderr).
 */
#include <amqp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/amqp_link.h"
#include "broker/message.h"

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: broker_send URL QUEUE TYPE BODY-FILE [NAME=TEXT | NAME:=NUMBER ...]\n");
		return 2;
	}
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = 0;
	for (int i = 5; i < argc && nh < MESSAGE_MAX_HEADERS; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			continue;
		bool num = eq > argv[i] && eq[-1] == ':';
		if (num)
			eq[-1] = '\0';
		else
			eq[0] = '\0';
		h[nh].key = argv[i];
		if (num) {
			h[nh].text = NULL;
			h[nh].num = strtoll(eq + 1, NULL, 10);
		} else {
			h[nh].text = eq + 1;
			h[nh].text_len = strlen(eq + 1);
		}
		nh++;
	}
	char *body = NULL;
	size_t len = 0;
	if (strcmp(argv[4], "-") != 0) {
		FILE *f = fopen(argv[4], "rb");
		if (!f) {
			perror(argv[4]);
			return 1;
		}
		body = malloc(1 << 22);
		len = body ? fread(body, 1, 1 << 22, f) : 0;
		fclose(f);
	}
	char err[512];
	struct amqp_link *l = NULL;
	if (amqp_link_open(argv[1], 5000, &l, err, sizeof err) != BROKER_OK) {
		fprintf(stderr, "%s\n", err);
		free(body);
		return 1;
	}
	amqp_connection_state_t conn = amqp_link_conn(l);
	amqp_confirm_select(conn, 1);
	int rc = 1;
	if (amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL &&
	    amqp_link_publish(l, argv[2], strcmp(argv[3], "-") == 0 ? "" : argv[3], h, nh, body ? body : "", len) == 0) {
		amqp_frame_t f;
		struct timeval tv = { .tv_sec = 10 };
		while (amqp_simple_wait_frame_noblock(conn, &f, &tv) == AMQP_STATUS_OK)
			if (f.frame_type == AMQP_FRAME_METHOD && f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
				rc = 0;
				break;
			}
	}
	if (rc)
		fprintf(stderr, "broker_send: not confirmed\n");
	amqp_link_close(l);
	free(body);
	return rc;
}
