// SPDX-License-Identifier: GPL-2.0-or-later
/* The CLI's side of l2tp-vpnd: reaching it, naming its absence with a way out, its status records. */
#include <string.h>

#include "cli.h"

L2tpVpnDaemonClient *cli_daemon_open(GError **error)
{
	L2tpVpnDaemonClient *client = l2tpvpn_daemon_client_new(NULL, error);

	if (!client)
		cli_daemon_explain_absent(NULL, error);
	return client;
}

L2tpVpnDaemonClient *cli_daemon_open_running(void)
{
	L2tpVpnDaemonClient *client = l2tpvpn_daemon_client_new(NULL, NULL);

	if (client && !l2tpvpn_daemon_client_daemon_running(client))
		g_clear_pointer(&client, l2tpvpn_daemon_client_free);
	return client;
}

void cli_daemon_explain_absent(L2tpVpnDaemonClient *client, GError **error)
{
	GError *old;

	if (!error || !g_error_matches(*error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING))
		return;
	/* The daemon may have answered NotRunning itself; then it is there and the error is its own. */
	if (client && l2tpvpn_daemon_client_daemon_running(client))
		return;
	old = *error;
	*error = g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING,
			     "l2tp-vpnd cannot be reached on the system bus (%s): start it (`systemctl start "
			     "l2tp-vpnd`), or connect without it (root): `l2tp-vpn up --foreground NAME`",
			     old->message);
	g_error_free(old);
}

const char *cli_records_state(GPtrArray *records)
{
	for (guint i = 0; records && i < records->len; i++)
		if (g_str_has_prefix(records->pdata[i], "state="))
			return (const char *)records->pdata[i] + strlen("state=");
	return "";
}

GPtrArray *cli_daemon_status_records(L2tpVpnDaemonClient *client, const char *name, GError **error)
{
	g_autoptr(GVariant) props = l2tpvpn_daemon_client_status(client, name, error);
	GPtrArray *records;

	if (!props)
		return NULL;
	records = l2tpvpn_daemon_client_status_records(props);
	/* After the name: who hosts it (`down` and `status` cover daemon and --foreground runs). */
	g_ptr_array_insert(records, MIN(1, (int)records->len), g_strdup("via=l2tp-vpnd"));
	return records;
}
