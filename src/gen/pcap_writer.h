/* pcap_writer.h — writing classic pcap files (see pcap_writer.c). */
#ifndef PENTRAP_GEN_PCAP_WRITER_H
#define PENTRAP_GEN_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The file header (Ethernet link type). Returns 0 or -1 on a write error. */
int gen_pcap_header(FILE *f, uint32_t snaplen);
/* One frame, cut at snaplen. Returns 0 or -1. */
int gen_pcap_frame(FILE *f, uint32_t snaplen, uint64_t ts_us, const uint8_t *p, size_t len);

#endif
