/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DNS backends of net-apply.c (systemd-resolved, resolvconf, resolv.conf file). Internal. */
#ifndef L2TP_VPN_NET_DNS_H
#define L2TP_VPN_NET_DNS_H

#include "net-apply.h"

/* Called with the undo record before the change it describes is made; FALSE aborts the change. */
typedef gboolean (*L2tpNetRecordFunc)(const char *record, gpointer data, GError **error);

gboolean l2tp_net_dns_apply(const L2tpNetContext *ctx, const L2tpNetDns *dns, L2tpNetRecordFunc record,
			    gpointer data, GError **error);
/* TRUE if @record (a state file line) belongs to a DNS backend. */
gboolean l2tp_net_dns_is_record(const char *record);
gboolean l2tp_net_dns_undo(const L2tpNetContext *ctx, const char *record, GError **error);

/* resolv.conf text for @dns, keeping what of @original still applies (exposed for unit tests). */
char *l2tp_net_resolv_conf_render(const L2tpNetDns *dns, const char *original);

#endif
