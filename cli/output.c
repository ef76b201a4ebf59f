// SPDX-License-Identifier: GPL-2.0-or-later
/* What the CLI prints: progress lines, the connected line, status as text or JSON. */
#include <arpa/inet.h>
#include <string.h>

#include "cli.h"

char *cli_format_phase(const L2tpVpnEvent *ev)
{
	return g_strdup_printf("%6" G_GUINT64_FORMAT " ms  %-15s %s (+%" G_GUINT64_FORMAT " ms)",
			       ev->elapsed_ms, l2tp_vpn_phase_name(ev->phase), ev->text ? ev->text : "",
			       ev->phase_ms);
}

char *cli_format_event(const L2tpVpnEvent *ev, gboolean verbose)
{
	switch (ev->type) {
	case L2TP_VPN_EVENT_PHASE_STARTED:
		return NULL;
	case L2TP_VPN_EVENT_PHASE_DONE:
		return cli_format_phase(ev);
	case L2TP_VPN_EVENT_PROGRESS:
		return verbose ? g_strdup_printf("%6" G_GUINT64_FORMAT " ms  . %s", ev->elapsed_ms, ev->text)
			       : NULL;
	case L2TP_VPN_EVENT_CONNECTED:
		return ev->info ? cli_format_connected(ev->info) : g_strdup("connected");
	case L2TP_VPN_EVENT_DISCONNECTING:
		return g_strdup_printf("%6" G_GUINT64_FORMAT " ms  disconnecting: %s", ev->elapsed_ms,
				       ev->text);
	case L2TP_VPN_EVENT_DISCONNECTED:
		if (ev->error)
			return cli_format_error(ev->error);
		return g_strdup_printf("disconnected after %" G_GUINT64_FORMAT " ms", ev->elapsed_ms);
	}
	return NULL;
}

char *cli_format_error(const GError *error)
{
	return g_strdup_printf("error %s: %s", l2tp_vpn_error_code_name(error->code), error->message);
}

static void append_dns(GString *s, const L2tpVpnInfo *info)
{
	char a[INET_ADDRSTRLEN];
	gboolean any = FALSE;

	for (int i = 0; i < 2; i++) {
		if (info->dns[i].s_addr == INADDR_ANY)
			continue;
		inet_ntop(AF_INET, &info->dns[i], a, sizeof(a));
		g_string_append_printf(s, "%s%s", any ? "," : " dns ", a);
		any = TRUE;
	}
}

char *cli_format_connected(const L2tpVpnInfo *info)
{
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	GString *s = g_string_new(NULL);

	inet_ntop(AF_INET, &info->ppp_local, local, sizeof(local));
	inet_ntop(AF_INET, &info->ppp_peer, peer, sizeof(peer));
	g_string_append_printf(s, "connected %s local %s peer %s gateway %s", info->ifname, local, peer,
			       info->gateway_addr);
	append_dns(s, info);
	g_string_append_printf(s, " in %" G_GUINT64_FORMAT " ms", info->connect_ms);
	return g_string_free(s, FALSE);
}

char *cli_json_string(const char *text)
{
	GString *s = g_string_new("\"");

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(s, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(s, "\\u%04x", *p);
		else
			g_string_append_c(s, (char)*p);
	}
	g_string_append_c(s, '"');
	return g_string_free(s, FALSE);
}

static gboolean numeric_key(const char *key)
{
	static const char *const keys[] = {"pid",       "local_port", "connect_ms", "uptime_ms",
					   "rx_bytes",  "tx_bytes",   "rx_packets", "tx_packets",
					   "tunnel_id", "session_id", "reconnects"};

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(key, keys[i]))
			return TRUE;
	return FALSE;
}

static gboolean is_number(const char *v)
{
	if (!*v)
		return FALSE;
	for (; *v; v++)
		if (!g_ascii_isdigit(*v))
			return FALSE;
	return TRUE;
}

/* Records are "key=value"; "dns" may repeat and becomes an array. */
char *cli_status_to_json(GPtrArray *records)
{
	GString *s = g_string_new("{");
	g_autoptr(GString) dns = g_string_new(NULL);
	gboolean first = TRUE;

	for (guint i = 0; i < records->len; i++) {
		const char *rec = records->pdata[i];
		const char *eq = strchr(rec, '=');
		g_autofree char *key = NULL, *value = NULL;

		if (!eq)
			continue;
		key = g_strndup(rec, (gsize)(eq - rec));
		value = cli_json_string(eq + 1);
		if (!strcmp(key, "dns")) {
			g_string_append_printf(dns, "%s%s", dns->len ? "," : "", value);
			continue;
		}
		g_autofree char *jkey = cli_json_string(key);
		g_string_append_printf(s, "%s%s:%s", first ? "" : ",", jkey,
				       numeric_key(key) && is_number(eq + 1) ? eq + 1 : value);
		first = FALSE;
	}
	g_string_append_printf(s, "%s\"dns\":[%s]}", first ? "" : ",", dns->str);
	return g_string_free(s, FALSE);
}

char *cli_status_to_text(GPtrArray *records)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < records->len; i++) {
		const char *rec = records->pdata[i];
		const char *eq = strchr(rec, '=');

		if (!eq)
			continue;
		if (g_str_has_prefix(rec, "name="))
			g_string_append_printf(s, "connection %s\n", eq + 1);
		else
			g_string_append_printf(s, "  %-14.*s %s\n", (int)(eq - rec), rec, eq + 1);
	}
	return g_string_free(s, FALSE);
}
