/*
 * pcap_writer.c — the classic libpcap file format (draft-ietf-opsawg-pcap: a 24-byte
 * file header, magic 0xa1b2c3d4, version 2.4, microsecond timestamps; a 16-byte record
 * header per frame), link type 1 (Ethernet), always little-endian so the same seed
 * gives the same bytes on every host. A snaplen below the frame length cuts the stored
 * bytes and keeps the original length, as a capture with -s would.
 */
#include "gen/pcap_writer.h"

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int gen_pcap_header(FILE *f, uint32_t snaplen)
{
	uint8_t h[24] = { 0 };
	le32(h, 0xa1b2c3d4u);
	h[4] = 2; /* version 2.4, little-endian 16-bit fields */
	h[6] = 4;
	le32(h + 16, snaplen);
	le32(h + 20, 1);
	return fwrite(h, sizeof h, 1, f) == 1 ? 0 : -1;
}

int gen_pcap_frame(FILE *f, uint32_t snaplen, uint64_t ts_us, const uint8_t *p, size_t len)
{
	uint32_t caplen = len < snaplen ? (uint32_t)len : snaplen;
	uint8_t r[16];
	le32(r, (uint32_t)(ts_us / 1000000u));
	le32(r + 4, (uint32_t)(ts_us % 1000000u));
	le32(r + 8, caplen);
	le32(r + 12, (uint32_t)len);
	if (fwrite(r, sizeof r, 1, f) != 1 || fwrite(p, 1, caplen, f) != caplen)
		return -1;
	return 0;
}
