/* timefmt.c — RFC 3339 UTC formatting and parsing without the C library's locale or TZ. */
#include "core/timefmt.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *ts_format(uint64_t ts_us, char *buf, size_t len)
{
	time_t secs = (time_t)(ts_us / 1000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ts_us % 1000000u));
	return buf;
}

static int read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int ts_parse(const char *text, uint64_t *ts_us)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0;
	long long frac_us = 0, offset_s = 0;
	if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' ||
	    read_digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi) || *p++ != ':' ||
		    read_digits(&p, 2, &s))
			return -1;
		if (h > 23 || mi > 59 || s > 60)
			return -1;
		if (*p == '.') {
			p++;
			int digits = 0;
			long long scale = 100000;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p)) {
				if (digits < 6)
					frac_us += (*p - '0') * scale, scale /= 10;
				digits++;
				p++;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om;
			p++;
			if (read_digits(&p, 2, &oh) || *p++ != ':' || read_digits(&p, 2, &om) || oh > 23 ||
			    om > 59)
				return -1;
			offset_s = sign * (oh * 3600LL + om * 60LL);
		} else {
			return -1; /* RFC 3339 requires a zone */
		}
	}
	if (*p != '\0')
		return -1;
	long long secs = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + s - offset_s;
	if (secs < 0)
		return -1;
	*ts_us = (uint64_t)secs * 1000000u + (uint64_t)frac_us;
	return 0;
}
