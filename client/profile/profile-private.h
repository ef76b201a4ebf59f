/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the files of client/profile. Internal. */
#ifndef L2TPVPN_PROFILE_PRIVATE_H
#define L2TPVPN_PROFILE_PRIVATE_H

#include "profile.h"

/*
 * Reads a whole file of at most @max bytes into wiped-on-free memory
 * (release with l2tpvpn_wipe_free(buf, *len)). With @check_owner it must be
 * root-owned with no group/other permission bits. @what names the file in
 * messages ("profile", "secret file").
 */
char *l2tpvpn_read_private_file(const char *path, gboolean check_owner, gsize max, const char *what,
				gsize *len, GError **error);
void l2tpvpn_wipe_free(void *buf, gsize len);

#endif
