/*
 * radius.c — the Wi-Fi side: a phone joining the operator's Wi-Fi is accounted by
 * RADIUS (RFC 2866 Accounting-Request Start/Stop and Accounting-Response, attributes
 * of RFC 2865/2866/2869, the 3GPP-IMSI vendor attribute of 3GPP TS 29.061 §16.4.7
 * (vendor 10415, type 1)). The NAS is the Wi-Fi gateway (172.16.50.1), the AAA server
 * 172.16.50.2:1813. User-Name is the EAP-AKA permanent identity "0<IMSI>@wlan.mnc001.
 * mcc001.3gppnetwork.org" (3GPP TS 23.003 §19.3.2); Framed-IP-Address is the address
 * the phone's Wi-Fi traffic then comes from. Authenticators are real: MD5 over the
 * packet and the shared secret (RFC 2866 §3, RFC 2865 §3).
 *
 * While the session lasts, the subscriber's app and web traffic goes over Wi-Fi in the
 * clear on LINK_WIFI (gen/net.c); calls and SMS over IMS stay on LTE (VoWiFi would be
 * inside IPsec to an ePDG, which a sensor cannot read).
 */
#include <openssl/evp.h>
#include <string.h>

#include "gen/gen_internal.h"

enum {
	RADIUS_ACCT_PORT = 1813,
	CODE_ACCT_REQUEST = 4,
	CODE_ACCT_RESPONSE = 5,
	A_USER_NAME = 1, A_NAS_IP = 4, A_FRAMED_IP = 8, A_VENDOR = 26, A_CALLED_ID = 30, A_CALLING_ID = 31,
	A_ACCT_STATUS = 40, A_ACCT_IN_OCTETS = 42, A_ACCT_OUT_OCTETS = 43, A_ACCT_SESSION_ID = 44,
	A_ACCT_SESSION_TIME = 46, A_TERMINATE_CAUSE = 49, A_EVENT_TIMESTAMP = 55, A_NAS_PORT_TYPE = 61,
	VENDOR_3GPP = 10415,
};

static const char secret[] = "generator-shared-secret"; /* synthetic: not a real deployment's */

static void attr(struct wbuf *b, unsigned type, const void *v, size_t n)
{
	wb_u8(b, type);
	wb_u8(b, (unsigned)(n + 2));
	wb_mem(b, v, n);
}

static void attr_str(struct wbuf *b, unsigned type, const char *s)
{
	attr(b, type, s, strlen(s));
}

static void attr_u32(struct wbuf *b, unsigned type, uint32_t v)
{
	uint8_t x[4];
	wb_put_be32(x, v);
	attr(b, type, x, 4);
}

static void md5(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t out[16])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (!m)
		gen_wb_overflow();
	unsigned len = 16;
	EVP_DigestInit_ex(m, EVP_md5(), NULL);
	EVP_DigestUpdate(m, a, na);
	EVP_DigestUpdate(m, b, nb);
	EVP_DigestFinal_ex(m, out, &len);
	EVP_MD_CTX_free(m);
}

struct wifi {
	uint32_t sub;
	struct gen_conn c;
	char session_id[24];
	char mac[18];
	uint64_t start;
};

static void wifi_truth(struct gen_ctx *g, const struct wifi *w, const char *type)
{
	const struct subscriber *s = &g->subs[w->sub];
	char ip[ADDR_STRLEN];
	gen_truth(g, "\"type\":\"%s\",\"protocol\":\"radius\",\"from\":\"+%s\",\"imsi\":\"%s\",\"ip\":\"%s\","
		     "\"session_id\":\"%s\"",
		  type, s->msisdn, s->imsi, gen_addr_text(&s->wifi_ip, ip), w->session_id);
}

/* Accounting-Request (status 1 Start, 2 Stop) with its truth line, and the Response;
 * returns the response time. */
static uint64_t accounting(struct gen_ctx *g, struct wifi *w, unsigned status, uint64_t t)
{
	struct subscriber *s = &g->subs[w->sub];
	uint8_t id = (uint8_t)(g->radius_id++);
	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	wb_u8(&b, CODE_ACCT_REQUEST);
	wb_u8(&b, id);
	wb_be16(&b, 0);
	wb_zero(&b, 16);
	attr_u32(&b, A_ACCT_STATUS, status);
	char user[96];
	snprintf(user, sizeof user, "0%s@wlan.mnc001.mcc001.3gppnetwork.org", s->imsi);
	attr_str(&b, A_USER_NAME, user);
	attr_u32(&b, A_NAS_IP, 0xac103201u); /* 172.16.50.1 */
	attr_u32(&b, A_NAS_PORT_TYPE, 19);   /* Wireless - IEEE 802.11 */
	attr_str(&b, A_CALLING_ID, w->mac);
	attr_str(&b, A_CALLED_ID, "02-00-5E-20-00-AA:OperatorWiFi");
	attr(&b, A_FRAMED_IP, s->wifi_ip.bytes, 4);
	attr_str(&b, A_ACCT_SESSION_ID, w->session_id);
	attr_u32(&b, A_EVENT_TIMESTAMP, (uint32_t)(t / 1000000u));
	if (status == 2) {
		attr_u32(&b, A_ACCT_SESSION_TIME, (uint32_t)((t - w->start) / 1000000u));
		attr_u32(&b, A_ACCT_IN_OCTETS, gen_rng_between(&g->rng, 100000, 90000000));
		attr_u32(&b, A_ACCT_OUT_OCTETS, gen_rng_between(&g->rng, 20000, 9000000));
		attr_u32(&b, A_TERMINATE_CAUSE, 1); /* User-Request */
	}
	/* Vendor-Specific: 3GPP-IMSI */
	uint8_t v[32];
	struct wbuf vb = wb_make(v, sizeof v);
	wb_be32(&vb, VENDOR_3GPP);
	wb_u8(&vb, 1);
	wb_u8(&vb, (unsigned)(2 + strlen(s->imsi)));
	wb_str(&vb, s->imsi);
	attr(&b, A_VENDOR, vb.p, vb.len);
	wb_put_be16(b.p + 2, (unsigned)b.len);
	uint8_t auth[16];
	md5(b.p, b.len, (const uint8_t *)secret, strlen(secret), auth); /* RFC 2866 §3 */
	memcpy(b.p + 4, auth, 16);
	g->tag = TAG_RADIUS;
	gen_udp(g, &w->c, 0, t, b.p, b.len);
	wifi_truth(g, w, status == 1 ? "data.session.begin" : "data.session.end");

	uint8_t rsp[64];
	struct wbuf r = wb_make(rsp, sizeof rsp);
	wb_u8(&r, CODE_ACCT_RESPONSE);
	wb_u8(&r, id);
	wb_be16(&r, 20);
	wb_mem(&r, auth, 16); /* the request authenticator, replaced below */
	uint8_t ra[16];
	md5(r.p, r.len, (const uint8_t *)secret, strlen(secret), ra);
	memcpy(r.p + 4, ra, 16);
	t += gen_rng_between(&g->rng, 1000, 15000);
	g->tag = TAG_RADIUS;
	gen_udp(g, &w->c, 1, t, r.p, r.len);
	return t;
}

static void ep_wifi_stop(struct gen_ctx *g, const struct episode *e)
{
	struct wifi *w = e->p;
	struct subscriber *s = &g->subs[w->sub];
	if (s->busy_until > g->now) { /* leaving Wi-Fi waits until what is in flight is done */
		gen_schedule(g, s->busy_until + 1000000, ep_wifi_stop, 0, 0, w);
		return;
	}
	accounting(g, w, 2, g->now);
	s->wifi = false;
	s->net_gen++;
	gen_apps_online(g, w->sub);
	free(w);
}

void gen_ep_wifi(struct gen_ctx *g, const struct episode *e)
{
	int si = e->a != GEN_ANY ? (int)e->a : gen_pick_sub(g, false, false, -1);
	if (si < 0 || g->subs[si].wifi || g->subs[si].busy_until > g->now)
		return;
	struct subscriber *s = &g->subs[si];
	struct wifi *w = calloc(1, sizeof *w);
	if (!w)
		gen_wb_overflow();
	w->sub = (uint32_t)si;
	w->start = g->now;
	uint32_t n = g->next_wifi_ip++ % 65000u + 2;
	gen_addr4(&s->wifi_ip, 10, 200, n >> 8, n & 0xff);
	snprintf(w->session_id, sizeof w->session_id, "%016llX", (unsigned long long)(g->next_id++ * 2654435761u));
	uint8_t mac[6];
	gen_rng_bytes(&g->rng, mac, 6);
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* phones use randomised, locally administered MACs */
	snprintf(w->mac, sizeof w->mac, "%02X-%02X-%02X-%02X-%02X-%02X", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	struct ip_addr nas, aaa;
	gen_addr4(&nas, 172, 16, 50, 1);
	gen_addr4(&aaa, 172, 16, 50, 2);
	gen_conn_plain(g, &w->c, LINK_WIFI, 17, &nas, (uint16_t)gen_rng_between(&g->rng, 32768, 60999), &aaa,
		       RADIUS_ACCT_PORT);
	s->wifi = true; /* before the Start, so the truth line names the Wi-Fi address */
	accounting(g, w, 1, g->now);
	s->net_gen++;
	gen_apps_online(g, w->sub);
	/* Wi-Fi sessions of minutes to an hour (mean 15 min) */
	double secs = gen_rng_exp(&g->rng, 900);
	secs = secs < 30 ? 30 : secs > 3600 ? 3600 : secs;
	gen_schedule(g, g->now + (uint64_t)(secs * 1e6), ep_wifi_stop, 0, 0, w);
}
