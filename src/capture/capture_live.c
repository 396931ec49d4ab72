/*
 * capture_live.c — live interfaces through libpcap: pcap_create + activate, so the
 * kernel's memory-mapped ring (TPACKET_V3 on Linux) carries packets without a copy per
 * read, with a configurable ring size, snaplen, promiscuous mode and BPF filter. The
 * read timeout makes an idle link wake the loop, so signals and statistics are
 * handled even when no packet comes.
 */
#include "capture/capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct live_source {
	pcap_t *pcap;
	int linktype;
};

static enum capture_next live_next(struct capture_source *src, struct capture_frame *frame, char *errbuf,
				   size_t errlen)
{
	struct live_source *ls = src->impl;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc = pcap_next_ex(ls->pcap, &hdr, &data);
	if (rc == 1) {
		frame->ts_us = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
		frame->caplen = hdr->caplen;
		frame->wirelen = hdr->len;
		frame->data = data;
		frame->linktype = ls->linktype;
		return CAPTURE_FRAME;
	}
	if (rc == 0)
		return CAPTURE_IDLE;
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	snprintf(errbuf, errlen, "%s: capture failed: %s", src->name, pcap_geterr(ls->pcap));
	return CAPTURE_ERROR;
}

static void live_stats(struct capture_source *src, uint64_t *received, uint64_t *dropped, uint64_t *if_dropped)
{
	struct live_source *ls = src->impl;
	struct pcap_stat st;
	*received = *dropped = *if_dropped = 0;
	if (pcap_stats(ls->pcap, &st) == 0) {
		*received = st.ps_recv;
		*dropped = st.ps_drop;
		*if_dropped = st.ps_ifdrop;
	}
}

static int live_fd(struct capture_source *src)
{
	struct live_source *ls = src->impl;
	return pcap_get_selectable_fd(ls->pcap);
}

static void live_close(struct capture_source *src)
{
	struct live_source *ls = src->impl;
	if (ls) {
		if (ls->pcap)
			pcap_close(ls->pcap);
		free(ls);
	}
	src->impl = NULL;
	src->ops = NULL;
}

static const struct capture_source_ops live_ops = {
	.kind = "live",
	.next = live_next,
	.progress = NULL,
	.close = live_close,
	.stats = live_stats,
	.fd = live_fd,
};

/* pcap_activate's warnings are not failures; its errors are. */
static int activate(pcap_t *p, const char *iface, char *errbuf, size_t errlen)
{
	int rc = pcap_activate(p);
	if (rc >= 0)
		return 0;
	const char *why = pcap_geterr(p);
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		snprintf(errbuf, errlen, "%s: no such interface", iface);
	else if (rc == PCAP_ERROR_PERM_DENIED)
		snprintf(errbuf, errlen, "%s: permission denied (capturing needs root or CAP_NET_RAW)", iface);
	else if (rc == PCAP_ERROR_IFACE_NOT_UP)
		snprintf(errbuf, errlen, "%s: interface is down", iface);
	else
		snprintf(errbuf, errlen, "%s: cannot capture: %s", iface, why && *why ? why : pcap_statustostr(rc));
	return -1;
}

int capture_live_open(const char *iface, const struct live_options *opt, struct capture_source *out,
		      char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct live_source *ls = calloc(1, sizeof *ls);
	if (!ls) {
		snprintf(errbuf, errlen, "%s: out of memory", iface);
		return -1;
	}
	ls->pcap = pcap_create(iface, perr);
	if (!ls->pcap) {
		snprintf(errbuf, errlen, "%s: %s", iface, perr);
		free(ls);
		return -1;
	}
	pcap_set_snaplen(ls->pcap, opt->snaplen > 0 ? opt->snaplen : 262144);
	pcap_set_promisc(ls->pcap, opt->promisc);
	pcap_set_timeout(ls->pcap, opt->timeout_ms > 0 ? opt->timeout_ms : 200);
	pcap_set_buffer_size(ls->pcap, (opt->buffer_mb > 0 ? opt->buffer_mb : 64) * 1024 * 1024);
	pcap_set_tstamp_precision(ls->pcap, PCAP_TSTAMP_PRECISION_MICRO);
	if (activate(ls->pcap, iface, errbuf, errlen) != 0)
		goto fail;
	/* The loop polls every interface, then reads what is there without waiting. */
	if (pcap_setnonblock(ls->pcap, 1, perr) != 0) {
		snprintf(errbuf, errlen, "%s: cannot set non-blocking: %s", iface, perr);
		goto fail;
	}
	if (opt->bpf && *opt->bpf) {
		struct bpf_program prog;
		if (pcap_compile(ls->pcap, &prog, opt->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, errlen, "%s: bad filter '%s': %s", iface, opt->bpf, pcap_geterr(ls->pcap));
			goto fail;
		}
		int rc = pcap_setfilter(ls->pcap, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			snprintf(errbuf, errlen, "%s: cannot set filter: %s", iface, pcap_geterr(ls->pcap));
			goto fail;
		}
	}
	ls->linktype = pcap_datalink(ls->pcap);
	out->ops = &live_ops;
	out->name = iface;
	out->impl = ls;
	return 0;
fail:
	pcap_close(ls->pcap);
	free(ls);
	return -1;
}
