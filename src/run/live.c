/*
 * live.c — the live loop. Interfaces are polled together; a readable one gives up to a
 * batch of frames, so a busy link cannot starve a quiet one. Signal handlers only set
 * flags; the loop acts on them between frames, where the state is consistent. Frame
 * numbers count per interface from 1, like a capture file's.
 */
#include "run/live.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/test_hook.h"

enum { LIVE_MAX_SOURCES = 16, LIVE_BATCH = 64 };

/* With workers, frames wait in a batch until it is full, or until the sources are
 * drained and the batch is this old: under load batches stay large (a hand-over per
 * few thousand frames), on a quiet link a frame waits a few milliseconds at most. */
static const double LIVE_FLUSH_S = 0.005;

/* Signal handlers have nowhere else to write: these flags are the module's only
 * mutable globals, with the SIGHUP handler found installed (set once, at install). */
static volatile sig_atomic_t stop_flag, reload_flag, stats_flag;
static void (*chained_hup)(int);

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		reload_flag = 1;
		if (chained_hup)
			chained_hup(sig);
	} else if (sig == SIGUSR1)
		stats_flag = 1;
	else
		stop_flag = 1;
}

void live_signals_install(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_flag = reload_flag = stats_flag = 0;
	if (sigaction(SIGHUP, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL &&
	    old.sa_handler != SIG_IGN && old.sa_handler != on_signal)
		chained_hup = old.sa_handler;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void live_log(const char *fmt, ...)
{
	char when[32] = "";
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* one write per line, so lines from a crash handler or a reload never interleave */
	fprintf(stderr, "%s pentrap: %s\n", when, line);
	fflush(stderr);
}

static uint64_t wall_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int live_stop_requested(void) { return stop_flag != 0; }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int live_run(const struct live_target *to, struct capture_source *srcs, size_t n, const struct live_hooks *hooks,
	     char *errbuf, size_t errlen)
{
	struct pollfd pfd[LIVE_MAX_SOURCES];
	uint64_t frame_no[LIVE_MAX_SOURCES] = { 0 };
	if (n > LIVE_MAX_SOURCES) {
		snprintf(errbuf, errlen, "at most %d interfaces", LIVE_MAX_SOURCES);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = srcs[i].ops->fd ? srcs[i].ops->fd(&srcs[i]) : -1;
		pfd[i].events = POLLIN;
	}
	/* The evidence names a live capture by its interface: "live:eth0". */
	char labels[LIVE_MAX_SOURCES][80];
	for (size_t i = 0; i < n; i++)
		snprintf(labels[i], sizeof labels[i], "live:%s", srcs[i].name);
	size_t current = SIZE_MAX;
	uint64_t frames = 0; /* over every interface: the test hook's frame numbers */
	double last_stats = now_s(), last_flush = last_stats;
	while (!stop_flag) {
		if (reload_flag) {
			reload_flag = 0;
			if (hooks->reload)
				hooks->reload(hooks->ud);
		}
		double t = now_s();
		if (stats_flag || (hooks->stats_interval_s && t - last_stats >= hooks->stats_interval_s)) {
			stats_flag = 0;
			last_stats = t;
			if (hooks->stats)
				hooks->stats(hooks->ud, srcs, n);
		}
		if (hooks->tick && hooks->tick(hooks->ud, wall_now_us()))
			break;
		/* Wait for a frame; the timeout bounds how late a signal is acted on. */
		int rc = poll(pfd, (nfds_t)n, 200);
		if (rc < 0 && errno != EINTR) {
			snprintf(errbuf, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		bool drained = false;
		for (size_t i = 0; i < n && !stop_flag; i++) {
			for (int b = 0; b < LIVE_BATCH; b++) {
				struct capture_frame frame;
				enum capture_next r = srcs[i].ops->next(&srcs[i], &frame, errbuf, errlen);
				if (r == CAPTURE_IDLE || r == CAPTURE_END) {
					drained = true;
					break;
				}
				if (r == CAPTURE_ERROR)
					return -1;
				if (current != i) {
					if (to->ws)
						workers_set_capture(to->ws, (uint32_t)i, labels[i]);
					else
						pipeline_set_capture(to->pl, (uint32_t)i, labels[i]);
					current = i;
				}
				if (to->ws)
					workers_frame(to->ws, &frame, ++frame_no[i]);
				else
					pipeline_frame(to->pl, &frame, ++frame_no[i]);
				test_hook_frame(++frames);
				if (hooks->after_frame && hooks->after_frame(hooks->ud, frame.ts_us)) {
					stop_flag = 1;
					break;
				}
				if (reload_flag)
					break; /* a SIGHUP lands before the next frame, not after the batch */
			}
		}
		if (to->ws && drained && now_s() - last_flush >= LIVE_FLUSH_S) {
			workers_flush(to->ws);
			last_flush = now_s();
		}
	}
	return 0;
}
