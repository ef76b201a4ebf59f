// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket of a running `up`: <run_dir>/<name>/control, a unix
 * stream socket in a 0700 directory, and every peer must be uid 0
 * (SO_PEERCRED) whatever the file modes say.
 *
 * Protocol (version 1), one request line per connection:
 *   "status\n" → "key=value\n"... then "ok\n"; the server closes.
 *   "down\n"   → "disconnecting\n" at once; when the teardown is over,
 *                "disconnected\n" or "error CLASS MESSAGE\n"; the server closes.
 *   anything else → "error unknown-command\n".
 * Values never contain a newline. Requests longer than 64 bytes are refused.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "cli.h"

#define MAX_REQUEST 64

struct _CliControl {
	GSocketService *service;
	char *path;
	L2tpVpnConnection *conn;
	GPtrArray *waiting; /* GSocketConnection: `down` callers awaiting the outcome */
};

gboolean cli_control_parse_request(const char *line, char **command)
{
	g_autofree char *word = g_strstrip(g_strdup(line));

	if (strcmp(word, "status") != 0 && strcmp(word, "down") != 0)
		return FALSE;
	*command = g_steal_pointer(&word);
	return TRUE;
}

static void add(GPtrArray *r, const char *key, const char *value)
{
	g_autofree char *clean = g_strdup(value ? value : "");

	g_strdelimit(clean, "\r\n", ' ');
	g_ptr_array_add(r, g_strdup_printf("%s=%s", key, clean));
}

static void add_uint(GPtrArray *r, const char *key, guint64 value)
{
	g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, value);

	add(r, key, text);
}

static void add_addr(GPtrArray *r, const char *key, struct in_addr a)
{
	char text[INET_ADDRSTRLEN];

	if (a.s_addr != INADDR_ANY)
		add(r, key, inet_ntop(AF_INET, &a, text, sizeof(text)));
}

GPtrArray *cli_control_status_records(L2tpVpnConnection *conn)
{
	GPtrArray *r = g_ptr_array_new_with_free_func(g_free);
	const L2tpVpnInfo *info = l2tp_vpn_connection_get_info(conn);
	L2tpVpnState state = l2tp_vpn_connection_get_state(conn);
	L2tpVpnStats stats;

	add(r, "name", l2tp_vpn_connection_get_config(conn)->name);
	add(r, "state", l2tp_vpn_state_name(state));
	if (state == L2TP_VPN_STATE_CONNECTING || state == L2TP_VPN_STATE_DISCONNECTING)
		add(r, "phase", l2tp_vpn_phase_name(l2tp_vpn_connection_get_phase(conn)));
	add_uint(r, "pid", (guint64)getpid());
	add(r, "gateway", l2tp_vpn_connection_get_config(conn)->gateway);
	if (info->gateway_addr[0])
		add(r, "gateway_address", info->gateway_addr);
	if (info->local_addr[0])
		add(r, "local_address", info->local_addr);
	if (info->local_port)
		add_uint(r, "local_port", info->local_port);
	if (info->ifname[0])
		add(r, "interface", info->ifname);
	add_addr(r, "ppp_local", info->ppp_local);
	add_addr(r, "ppp_peer", info->ppp_peer);
	add_addr(r, "dns", info->dns[0]);
	add_addr(r, "dns", info->dns[1]);
	if (info->ipsec_sa)
		add(r, "ipsec_sa", info->ipsec_sa);
	if (info->tunnel_id)
		add_uint(r, "tunnel_id", info->tunnel_id);
	if (info->session_id)
		add_uint(r, "session_id", info->session_id);
	if (state == L2TP_VPN_STATE_CONNECTED) {
		add_uint(r, "connect_ms", info->connect_ms);
		add_uint(r, "uptime_ms", l2tp_vpn_connection_elapsed_ms(conn) - info->connect_ms);
	}
	if (l2tp_vpn_connection_get_stats(conn, &stats, NULL)) {
		add_uint(r, "rx_bytes", stats.rx_bytes);
		add_uint(r, "tx_bytes", stats.tx_bytes);
		add_uint(r, "rx_packets", stats.rx_packets);
		add_uint(r, "tx_packets", stats.tx_packets);
	}
	return r;
}

/* ---- server ------------------------------------------------------------------ */

static void reply(GSocketConnection *sc, const char *text)
{
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(sc));

	g_output_stream_write_all(out, text, strlen(text), NULL, NULL, NULL);
}

static void hang_up(GSocketConnection *sc)
{
	g_io_stream_close(G_IO_STREAM(sc), NULL, NULL);
	g_object_unref(sc);
}

typedef struct {
	CliControl *control;
	GSocketConnection *sc;
	GDataInputStream *in;
} Request;

static void serve_status(CliControl *control, GSocketConnection *sc)
{
	g_autoptr(GPtrArray) records = cli_control_status_records(control->conn);
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < records->len; i++)
		g_string_append_printf(text, "%s\n", (char *)records->pdata[i]);
	g_string_append(text, "ok\n");
	reply(sc, text->str);
}

static void on_request_line(GObject *src, GAsyncResult *res, gpointer data)
{
	Request *req = data;
	g_autofree char *line = g_data_input_stream_read_line_finish(req->in, res, NULL, NULL);
	g_autofree char *command = NULL;

	if (!line || strlen(line) > MAX_REQUEST || !cli_control_parse_request(line, &command)) {
		reply(req->sc, "error unknown-command\n");
		hang_up(req->sc);
	} else if (!strcmp(command, "status")) {
		serve_status(req->control, req->sc);
		hang_up(req->sc);
	} else {
		reply(req->sc, "disconnecting\n");
		g_ptr_array_add(req->control->waiting, req->sc);
		l2tp_vpn_connection_disconnect(req->control->conn);
	}
	g_object_unref(req->in);
	g_free(req);
}

static gboolean peer_is_root(GSocketConnection *sc)
{
	g_autoptr(GCredentials) cred = g_socket_get_credentials(g_socket_connection_get_socket(sc), NULL);

	return cred && g_credentials_get_unix_user(cred, NULL) == 0;
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *sc, GObject *source, gpointer data)
{
	CliControl *control = data;
	Request *req;

	g_object_ref(sc);
	if (!peer_is_root(sc)) {
		reply(sc, "error permission only root may control a connection\n");
		hang_up(sc);
		return TRUE;
	}
	req = g_new0(Request, 1);
	req->control = control;
	req->sc = sc;
	req->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(sc)));
	g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(req->in), MAX_REQUEST * 2);
	g_data_input_stream_read_line_async(req->in, G_PRIORITY_DEFAULT, NULL, on_request_line, req);
	return TRUE;
}

CliControl *cli_control_start(const char *state_dir, L2tpVpnConnection *conn, GError **error)
{
	g_autoptr(GSocketAddress) addr = NULL;
	CliControl *control = g_new0(CliControl, 1);
	mode_t old;
	gboolean ok;

	control->path = g_build_filename(state_dir, L2TP_VPN_CONTROL_SOCKET_NAME, NULL);
	control->conn = conn;
	control->waiting = g_ptr_array_new();
	control->service = g_socket_service_new();
	unlink(control->path); /* a crashed run's socket (recovery ran before us) */
	addr = g_unix_socket_address_new(control->path);
	old = umask(0077);
	ok = g_socket_listener_add_address(G_SOCKET_LISTENER(control->service), addr, G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error);
	umask(old);
	if (!ok) {
		cli_control_free(control);
		return NULL;
	}
	g_signal_connect(control->service, "incoming", G_CALLBACK(on_incoming), control);
	g_socket_service_start(control->service);
	return control;
}

void cli_control_finish(CliControl *control, const GError *outcome)
{
	g_autofree char *text = NULL;

	if (outcome)
		text = g_strdup_printf("error %s %s\n", l2tp_vpn_error_code_name(outcome->code),
				       outcome->message);
	for (guint i = 0; i < control->waiting->len; i++) {
		reply(control->waiting->pdata[i], text ? text : "disconnected\n");
		hang_up(control->waiting->pdata[i]);
	}
	g_ptr_array_set_size(control->waiting, 0);
	g_socket_service_stop(control->service);
	g_socket_listener_close(G_SOCKET_LISTENER(control->service));
	unlink(control->path);
}

void cli_control_free(CliControl *control)
{
	if (!control)
		return;
	for (guint i = 0; i < control->waiting->len; i++)
		hang_up(control->waiting->pdata[i]);
	g_ptr_array_unref(control->waiting);
	g_socket_listener_close(G_SOCKET_LISTENER(control->service));
	g_object_unref(control->service);
	g_free(control->path);
	g_free(control);
}

/* ---- client ------------------------------------------------------------------------ */

GPtrArray *cli_control_request(const char *state_dir, const char *command, GError **error)
{
	g_autofree char *path = g_build_filename(state_dir, L2TP_VPN_CONTROL_SOCKET_NAME, NULL);
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) sc = NULL;
	g_autoptr(GDataInputStream) in = NULL;
	g_autofree char *request = g_strconcat(command, "\n", NULL);
	GPtrArray *lines;
	GError *local = NULL;
	char *line;

	sc = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &local);
	if (!sc) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING,
			    "no running connection answers on %s: %s", path, local->message);
		g_error_free(local);
		return NULL;
	}
	if (!g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(sc)), request,
				       strlen(request), NULL, NULL, error))
		return NULL;
	in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(sc)));
	lines = g_ptr_array_new_with_free_func(g_free);
	while ((line = g_data_input_stream_read_line(in, NULL, NULL, &local)))
		g_ptr_array_add(lines, line);
	if (local) {
		g_propagate_error(error, local);
		g_ptr_array_unref(lines);
		return NULL;
	}
	return lines;
}
