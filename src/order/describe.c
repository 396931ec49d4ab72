/*
 * describe.c — an order as `pentrap order check` shows it once it loaded: what it names
 * and when it is in force, so an operator sees the order pentrap will apply, not only
 * that the file parses.
 */
#include "order/order.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "core/timefmt.h"

static const char *kind_text(enum order_kind k)
{
	switch (k) {
	case ORDER_PEN_REGISTER:
		return "pen-register: what the targets originate";
	case ORDER_TRAP_TRACE:
		return "trap-and-trace: what the targets receive";
	default:
		return "both: what the targets originate and receive";
	}
}

void order_describe(const struct order *o, const char *path, uint64_t now_us, FILE *out)
{
	static const char *const kinds[] = { "msisdn", "sip", "imsi", "ip" };
	size_t per[4] = { 0 }, own_liid = 0;
	for (size_t i = 0; i < o->ntargets; i++) {
		if ((unsigned)o->targets[i].kind < 4)
			per[o->targets[i].kind]++;
		own_liid += o->targets[i].liid[0] != '\0';
	}
	char a[TS_STRLEN], b[TS_STRLEN];
	fprintf(out, "%s: ok: order %s (%s)\n", path, o->id, kind_text(o->kind));
	if (o->authority[0])
		fprintf(out, "  authority  %s\n", o->authority);
	uint64_t span = o->valid_until_us - o->valid_from_us;
	fprintf(out, "  window     %s .. %s (%.1f days", ts_format(o->valid_from_us, a, sizeof a),
		ts_format(o->valid_until_us, b, sizeof b), (double)span / 86400e6);
	if (now_us < o->valid_from_us)
		fprintf(out, "; begins in %.1f days", (double)(o->valid_from_us - now_us) / 86400e6);
	else if (now_us > o->valid_until_us)
		fprintf(out, "; ended %.1f days ago", (double)(now_us - o->valid_until_us) / 86400e6);
	else
		fputs("; in force now", out);
	fputs(")\n", out);
	fprintf(out, "  targets    %zu:", o->ntargets);
	const char *sep = " ";
	for (int k = 0; k < 4; k++)
		if (per[k]) {
			fprintf(out, "%s%s %zu", sep, kinds[k], per[k]);
			sep = ", ";
		}
	fputc('\n', out);
	for (size_t i = 0; i < o->ntargets && i < ORDER_DESCRIBE_TARGETS; i++)
		fprintf(out, "             %s%s%s\n", o->targets[i].id, o->targets[i].liid[0] ? "  liid " : "",
			o->targets[i].liid);
	if (o->ntargets > ORDER_DESCRIBE_TARGETS)
		fprintf(out, "             and %zu more\n", o->ntargets - ORDER_DESCRIBE_TARGETS);
	if (o->liid[0] || own_liid)
		fprintf(out, "  liid       %s (%zu target%s with their own)\n", o->liid[0] ? o->liid : "none for the order",
			own_liid, own_liid == 1 ? "" : "s");
	if (o->deliver_to[0])
		fprintf(out, "  deliver to %s\n", o->deliver_to);
	fprintf(out, "  sha256     %s\n", o->file_sha256);
}
