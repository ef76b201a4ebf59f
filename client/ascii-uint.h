/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unsigned numbers in state files, records and profiles: plain digits, nothing else.
 *
 * Not g_ascii_string_to_unsigned(): it fails whenever errno is non-zero after its
 * strtoull_l(), and errno is not only strtoull's: the first call in a process also sets up
 * GLib's C locale inside a g_once section, which can wait on GLib's once-mutex while another
 * thread (GDBus's worker, registering types) holds it. test-net-resolved saw it: 1 run in
 * 30, DNS teardown took its own record "resolved 1 lo" for a malformed one ("“1” is not an
 * unsigned number") and kept the DNS settings.
 */
#ifndef L2TP_VPN_ASCII_UINT_H
#define L2TP_VPN_ASCII_UINT_H

#include <glib.h>

/* TRUE and *out set if @s is 1-20 digits of @base (2-10) with a value in [min, max]. */
static inline gboolean l2tp_ascii_to_uint(const char *s, guint base, guint64 min, guint64 max, guint64 *out)
{
	guint64 v = 0;
	size_t n = 0;

	if (!s || base < 2 || base > 10)
		return FALSE;
	for (; s[n]; n++) {
		guint digit = (guint)(s[n] - '0');

		if (s[n] < '0' || digit >= base || n >= 20 || v > (G_MAXUINT64 - digit) / base)
			return FALSE;
		v = v * base + digit;
	}
	if (n == 0 || v < min || v > max)
		return FALSE;
	*out = v;
	return TRUE;
}

#endif
