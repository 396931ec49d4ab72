/*
 * link.c — TCP (and TLS) to a LEMF, link.h. Blocking sockets with send timeouts and
 * poll() before every read; SIGPIPE is not raised (MSG_NOSIGNAL, and the caller ignores
 * it for OpenSSL's writes). TLS: TLS 1.2 or later, the LEMF's certificate verified
 * against the CA file and the host name, our certificate sent when one is given.
 */
#include "handover/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct link {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char name[300]; /* "host:port" for messages */
};

static void tls_error(char *errbuf, size_t errlen, const char *name, const char *what)
{
	char e[256] = "no detail";
	unsigned long code = ERR_get_error();
	if (code)
		ERR_error_string_n(code, e, sizeof e);
	ERR_clear_error();
	snprintf(errbuf, errlen, "%s: %s: %s", name, what, e);
}

/* connect() with a deadline: non-blocking, then poll for writability. */
static int connect_within(int fd, const struct sockaddr *sa, socklen_t salen, unsigned timeout_ms)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	int rc = connect(fd, sa, salen);
	if (rc < 0 && errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		rc = poll(&p, 1, (int)timeout_ms);
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		int err = 0;
		socklen_t len = sizeof err;
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
		rc = 0;
	}
	if (rc == 0 && fcntl(fd, F_SETFL, flags) < 0)
		return -1;
	return rc;
}

static void set_socket_options(int fd, const struct link_options *o)
{
	int one = 1, idle = (int)(o->keepalive_s ? o->keepalive_s : 30);
	int intvl = idle / 3 ? idle / 3 : 1, cnt = 3;
	unsigned user_timeout = o->timeout_ms;
	struct timeval tv = { .tv_sec = o->timeout_ms / 1000, .tv_usec = (o->timeout_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	/* data the LEMF does not acknowledge within the timeout breaks the link too */
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static int tls_start(struct link *l, const struct link_options *o, char *errbuf, size_t errlen)
{
	l->ctx = SSL_CTX_new(TLS_client_method());
	if (!l->ctx)
		return tls_error(errbuf, errlen, l->name, "TLS"), -1;
	SSL_CTX_set_min_proto_version(l->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(l->ctx, SSL_VERIFY_PEER, NULL);
	if (o->ca_file ? SSL_CTX_load_verify_locations(l->ctx, o->ca_file, NULL) != 1
		       : SSL_CTX_set_default_verify_paths(l->ctx) != 1)
		return tls_error(errbuf, errlen, o->ca_file ? o->ca_file : l->name, "cannot load the CA certificates"), -1;
	if (o->cert_file && SSL_CTX_use_certificate_chain_file(l->ctx, o->cert_file) != 1)
		return tls_error(errbuf, errlen, o->cert_file, "cannot load the client certificate"), -1;
	if (o->cert_file &&
	    (SSL_CTX_use_PrivateKey_file(l->ctx, o->key_file ? o->key_file : o->cert_file, SSL_FILETYPE_PEM) != 1 ||
	     SSL_CTX_check_private_key(l->ctx) != 1))
		return tls_error(errbuf, errlen, o->key_file ? o->key_file : o->cert_file,
				 "cannot load the client key"), -1;
	l->ssl = SSL_new(l->ctx);
	if (!l->ssl || SSL_set_fd(l->ssl, l->fd) != 1)
		return tls_error(errbuf, errlen, l->name, "TLS"), -1;
	SSL_set_tlsext_host_name(l->ssl, o->host);
	X509_VERIFY_PARAM *param = SSL_get0_param(l->ssl);
	struct in6_addr a6;
	struct in_addr a4;
	if (inet_pton(AF_INET, o->host, &a4) == 1 || inet_pton(AF_INET6, o->host, &a6) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(param, o->host);
	else
		X509_VERIFY_PARAM_set1_host(param, o->host, 0);
	if (SSL_connect(l->ssl) != 1) {
		long v = SSL_get_verify_result(l->ssl);
		if (v != X509_V_OK) {
			snprintf(errbuf, errlen, "%s: TLS: the LEMF's certificate is not trusted: %s", l->name,
				 X509_verify_cert_error_string(v));
			ERR_clear_error();
			return -1;
		}
		return tls_error(errbuf, errlen, l->name, "TLS handshake failed"), -1;
	}
	return 0;
}

int link_open(const struct link_options *o, struct link **out, char *errbuf, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];
	int rc = -1, saved = 0;
	struct link *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	l->fd = -1;
	snprintf(l->name, sizeof l->name, strchr(o->host, ':') ? "[%s]:%u" : "%s:%u", o->host, o->port);
	snprintf(port, sizeof port, "%u", o->port);
	int gai = getaddrinfo(o->host, port, &hints, &res);
	if (gai != 0) {
		snprintf(errbuf, errlen, "%s: cannot resolve: %s", l->name, gai_strerror(gai));
		goto out;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		l->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (l->fd < 0) {
			saved = errno;
			continue;
		}
		set_socket_options(l->fd, o);
		if (connect_within(l->fd, ai->ai_addr, ai->ai_addrlen, o->timeout_ms) == 0)
			break;
		saved = errno;
		close(l->fd);
		l->fd = -1;
	}
	if (l->fd < 0) {
		snprintf(errbuf, errlen, "cannot connect to %s: %s", l->name, strerror(saved ? saved : ECONNREFUSED));
		goto out;
	}
	if (o->tls && tls_start(l, o, errbuf, errlen))
		goto out;
	*out = l;
	l = NULL;
	rc = 0;
out:
	if (res)
		freeaddrinfo(res);
	link_close(l);
	return rc;
}

void link_close(struct link *l)
{
	if (!l)
		return;
	if (l->ssl) {
		SSL_shutdown(l->ssl);
		SSL_free(l->ssl);
	}
	SSL_CTX_free(l->ctx);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

int link_send(struct link *l, const void *p, size_t n, char *errbuf, size_t errlen)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t k;
		if (l->ssl) {
			int w = SSL_write(l->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
			if (w <= 0) {
				tls_error(errbuf, errlen, l->name, "cannot send");
				return -1;
			}
			k = w;
		} else {
			k = send(l->fd, b, n, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				snprintf(errbuf, errlen, "%s: cannot send: %s", l->name,
					 k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "timed out"
					 : k < 0 && (errno == EPIPE || errno == ECONNRESET) ? "the LEMF closed the connection"
					 : strerror(errno));
				return -1;
			}
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

ssize_t link_recv(struct link *l, void *p, size_t n, int timeout_ms, char *errbuf, size_t errlen)
{
	if (!(l->ssl && SSL_pending(l->ssl) > 0)) {
		struct pollfd pf = { .fd = l->fd, .events = POLLIN };
		int rc = poll(&pf, 1, timeout_ms);
		if (rc == 0 || (rc < 0 && errno == EINTR))
			return 0;
		if (rc < 0) {
			snprintf(errbuf, errlen, "%s: %s", l->name, strerror(errno));
			return -1;
		}
	}
	ssize_t k;
	if (l->ssl) {
		int r = SSL_read(l->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
		if (r <= 0) {
			int e = SSL_get_error(l->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return 0;
			if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				ERR_clear_error();
				snprintf(errbuf, errlen, "%s: the LEMF closed the connection", l->name);
				return -1;
			}
			tls_error(errbuf, errlen, l->name, "cannot receive");
			return -1;
		}
		return r;
	}
	k = recv(l->fd, p, n, 0);
	if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (k <= 0) {
		snprintf(errbuf, errlen, "%s: %s", l->name,
			 k == 0 ? "the LEMF closed the connection"
			 : errno == ECONNRESET ? "the LEMF reset the connection" : strerror(errno));
		return -1;
	}
	return k;
}
