// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn-ipsec: bring the L2TP transport-mode SA up and down from the command
 * line, printing progress and the negotiated algorithms. Used by the host
 * interop tests and the VM lab; also a debugging aid for users.
 *
 *   l2tp-vpn-ipsec up [options]        up, hold (--hold), then down
 *   l2tp-vpn-ipsec check-clean [--vici URI] [--prefix P]
 *                                      exit 0 iff charon holds no conn, SA, shared
 *                                      secret or key whose name starts with P
 *   l2tp-vpn-ipsec presets             list proposal presets
 *
 * Secrets never go on the command line: --psk-file / --passphrase-file, or the
 * L2TP_VPN_PSK / L2TP_VPN_PASSPHRASE environment variables.
 * Output lines start with a tag (PROGRESS, EVENT, RESULT, DOWN, LEFT) for scripts.
 */
#include <arpa/inet.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipsec-private.h"
#include "vici-client.h"

typedef struct {
	GMainLoop *loop;
	IpsecSession *session;
	gboolean up_ok;
	GError *up_error;
	gboolean down_ok;
	GError *down_error;
	gint64 start_us;
} Tool;

static void print_event(const IpsecEvent *ev, gpointer data)
{
	Tool *t = data;
	double at = (double)(ev->timestamp_us - t->start_us) / G_USEC_PER_SEC;
	printf("%s %7.3f %s: %s\n", ev->type == IPSEC_EVENT_PROGRESS ? "PROGRESS" : "EVENT", at,
	       ipsec_event_type_name(ev->type), ev->text);
	fflush(stdout);
}

static void on_up(GObject *src, GAsyncResult *res, gpointer data)
{
	Tool *t = data;
	t->up_ok = ipsec_session_up_finish(t->session, res, &t->up_error);
	g_main_loop_quit(t->loop);
}

static void on_down(GObject *src, GAsyncResult *res, gpointer data)
{
	Tool *t = data;
	t->down_ok = ipsec_session_down_finish(t->session, res, &t->down_error);
	g_main_loop_quit(t->loop);
}

static gboolean on_quit(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

static char *read_secret(const char *file, const char *env, GError **error)
{
	if (file) {
		char *data;
		if (!g_file_get_contents(file, &data, NULL, error))
			return NULL;
		/* A trailing newline is never part of a PSK written with echo. */
		g_strchomp(data);
		return data;
	}
	const char *v = env ? g_getenv(env) : NULL;
	return v ? g_strdup(v) : NULL;
}

/* Binds a UDP socket like the L2TP layer does and returns its real port. */
static int bind_l2tp_socket(const char *local_address, guint16 port, guint16 *bound)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (local_address && inet_pton(AF_INET, local_address, &sin.sin_addr) != 1)
		return -1;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* The selector port comes from the socket itself, as the orchestrator will do it. */
	*bound = ipsec_l2tp_socket_port(fd, NULL);
	return fd;
}

/* Proves the selector covers real traffic from the socket: the lab checks the wire. */
static void send_probe(int fd, const char *gateway)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(IPSEC_L2TP_PORT)};
	static const char payload[] = "l2tp-vpn-ipsec probe";
	if (!gateway || inet_pton(AF_INET, gateway, &to.sin_addr) != 1) {
		printf("PROBE skipped (gateway address %s)\n", gateway ? gateway : "-");
		return;
	}
	ssize_t n = sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to));
	printf("PROBE %s\n", n == (ssize_t)sizeof(payload) ? "sent" : "failed");
}

typedef struct {
	GMainLoop *loop;
	guint id;
} PeerWait;

static gboolean on_peer_ready(gpointer data)
{
	PeerWait *w = data;
	w->id = 0;
	g_main_loop_quit(w->loop);
	return G_SOURCE_REMOVE;
}

/* Sent as the orchestrator sends its first SCCRQ: once the gateway's side of the SA should be in. */
static void probe_when_peer_ready(Tool *t, int fd, const IpsecSaInfo *sa)
{
	PeerWait w = {t->loop, 0};
	guint wait_ms = ipsec_sa_info_peer_ready_ms(sa);
	if (wait_ms) {
		printf("PROBE in %u ms\n", wait_ms);
		w.id = g_timeout_add(wait_ms, on_peer_ready, &w);
		g_main_loop_run(t->loop);
		if (w.id) /* interrupted (SIGINT/SIGTERM): the probe still goes, the timer not */
			g_source_remove(w.id);
	}
	send_probe(fd, sa->remote_host);
}

static void print_sa(const IpsecSaInfo *sa)
{
	g_autofree char *desc = ipsec_sa_info_describe(sa);
	printf("RESULT up %s\n", desc);
	printf("SA ike_encr=%s ike_integ=%s ike_prf=%s ike_dh=%s\n", sa->ike_encr, sa->ike_integ, sa->ike_prf,
	       sa->ike_dh);
	printf("SA child_mode=%s child_protocol=%s child_encap=%s child_encr=%s child_integ=%s\n",
	       sa->child_mode, sa->child_protocol, sa->child_encap ? "yes" : "no", sa->child_encr,
	       sa->child_integ ? sa->child_integ : "-");
	printf("SA remote_ike_port=%u nat=%s local_ts=%s remote_ts=%s\n", sa->remote_ike_port,
	       sa->nat_detected ? "yes" : "no", sa->local_ts, sa->remote_ts);
}

static int run_up(int argc, char **argv)
{
	g_autofree char *gateway = NULL, *local_address = NULL, *psk_file = NULL, *pass_file = NULL;
	g_autofree char *cert = NULL, *key = NULL, *ca = NULL, *local_id = NULL, *remote_id = NULL;
	g_autofree char *preset = NULL, *ike = NULL, *esp = NULL, *nat_t = NULL, *vici = NULL,
			*profile = NULL;
	gint local_port = 0, dpd = 30, ike_life = 0, child_life = 0, timeout = 60000, hold = 0, watch_ms = 0;
	gboolean aggressive = FALSE, pfs = FALSE, bind_l2tp = FALSE, hold_signal = FALSE, probe = FALSE;
	GOptionEntry entries[] = {
	    {"gateway", 0, 0, G_OPTION_ARG_STRING, &gateway, "Gateway host or address", "HOST"},
	    {"local-address", 0, 0, G_OPTION_ARG_STRING, &local_address, "Local address", "ADDR"},
	    {"local-port", 0, 0, G_OPTION_ARG_INT, &local_port, "L2TP socket's local UDP port", "PORT"},
	    {"bind-l2tp", 0, 0, G_OPTION_ARG_NONE, &bind_l2tp,
	     "Bind a UDP socket (port --local-port, 0 = ephemeral) and use its real port", NULL},
	    {"psk-file", 0, 0, G_OPTION_ARG_FILENAME, &psk_file, "PSK from file (else $L2TP_VPN_PSK)",
	     "FILE"},
	    {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Certificate (PEM/DER) or PKCS#12", "FILE"},
	    {"key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Private key (PEM/DER, maybe encrypted)", "FILE"},
	    {"passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &pass_file,
	     "Key/PKCS#12 passphrase (else $L2TP_VPN_PASSPHRASE)", "FILE"},
	    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "CA certificate", "FILE"},
	    {"local-id", 0, 0, G_OPTION_ARG_STRING, &local_id, "Local identity", "ID"},
	    {"remote-id", 0, 0, G_OPTION_ARG_STRING, &remote_id, "Gateway identity", "ID"},
	    {"aggressive", 0, 0, G_OPTION_ARG_NONE, &aggressive, "IKEv1 aggressive mode", NULL},
	    {"preset", 0, 0, G_OPTION_ARG_STRING, &preset, "Proposal preset", "NAME"},
	    {"ike", 0, 0, G_OPTION_ARG_STRING, &ike, "IKE proposals (free text)", "LIST"},
	    {"esp", 0, 0, G_OPTION_ARG_STRING, &esp, "ESP proposals (free text)", "LIST"},
	    {"pfs", 0, 0, G_OPTION_ARG_NONE, &pfs, "PFS for ESP", NULL},
	    {"nat-t", 0, 0, G_OPTION_ARG_STRING, &nat_t, "auto or force", "MODE"},
	    {"dpd", 0, 0, G_OPTION_ARG_INT, &dpd, "DPD delay in s (0 = off)", "S"},
	    {"ike-lifetime", 0, 0, G_OPTION_ARG_INT, &ike_life, "IKE rekey time in s", "S"},
	    {"child-lifetime", 0, 0, G_OPTION_ARG_INT, &child_life, "CHILD rekey time in s", "S"},
	    {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Initiate timeout in ms", "MS"},
	    {"watch-interval", 0, 0, G_OPTION_ARG_INT, &watch_ms, "Vanished-conn check interval in ms", "MS"},
	    {"vici", 0, 0, G_OPTION_ARG_STRING, &vici, "vici URI", "URI"},
	    {"profile", 0, 0, G_OPTION_ARG_STRING, &profile, "Profile name", "NAME"},
	    {"hold", 0, 0, G_OPTION_ARG_INT, &hold, "Stay up for S seconds before going down", "S"},
	    {"hold-until-signal", 0, 0, G_OPTION_ARG_NONE, &hold_signal, "Stay up until SIGINT/SIGTERM",
	     NULL},
	    {"probe", 0, 0, G_OPTION_ARG_NONE, &probe,
	     "Once up, send one datagram from the bound L2TP socket to the gateway's port 1701", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("up - bring the L2TP transport SA up");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return 64;
	}
	IpsecSettings s;
	ipsec_settings_init(&s);
	s.gateway = gateway;
	s.local_address = local_address;
	if (vici)
		s.vici_uri = vici;
	if (profile)
		s.profile = profile;
	int l2tp_fd = -1;
	guint16 port = (guint16)local_port;
	if (bind_l2tp && (l2tp_fd = bind_l2tp_socket(local_address, port, &port)) < 0) {
		perror("binding the L2TP UDP socket");
		return 1;
	}
	s.local_port = port;
	g_autofree char *psk = read_secret(psk_file, "L2TP_VPN_PSK", &error);
	g_autofree char *pass = read_secret(pass_file, "L2TP_VPN_PASSPHRASE", &error);
	if (error) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	s.auth = cert ? IPSEC_AUTH_CERT : IPSEC_AUTH_PSK;
	s.psk = psk;
	s.cert_path = cert;
	s.key_path = key;
	s.key_passphrase = pass;
	s.ca_cert_path = ca;
	s.local_id = local_id;
	s.remote_id = remote_id;
	s.aggressive = aggressive;
	s.proposal_preset = preset;
	s.ike_proposals = ike;
	s.esp_proposals = esp;
	s.pfs = pfs;
	s.nat_t = g_strcmp0(nat_t, "force") == 0 ? IPSEC_NAT_T_FORCED : IPSEC_NAT_T_AUTO;
	s.dpd_delay_s = (guint)dpd;
	s.ike_lifetime_s = (guint)ike_life;
	s.child_lifetime_s = (guint)child_life;
	s.initiate_timeout_ms = (guint)timeout;
	if (watch_ms > 0)
		s.watch_interval_ms = (guint)watch_ms;

	Tool t = {.start_us = g_get_real_time()};
	t.session = ipsec_session_new(&s, &error);
	if (psk)
		explicit_bzero(psk, strlen(psk));
	if (pass)
		explicit_bzero(pass, strlen(pass));
	if (!t.session) {
		printf("RESULT error %s: %s\n", ipsec_error_code_name(error->code), error->message);
		if (l2tp_fd >= 0)
			close(l2tp_fd);
		return 2;
	}
	t.loop = g_main_loop_new(NULL, FALSE);
	printf("CONN %s local_ts=dynamic[17/%u]\n", ipsec_session_get_conn_name(t.session), port);
	ipsec_session_set_event_handler(t.session, print_event, &t);
	guint sigint = g_unix_signal_add(SIGINT, on_quit, t.loop);
	guint sigterm = g_unix_signal_add(SIGTERM, on_quit, t.loop);
	ipsec_session_up_async(t.session, NULL, on_up, &t);
	g_main_loop_run(t.loop);
	int rc = 0;
	if (t.up_ok) {
		print_sa(ipsec_session_get_sa_info(t.session));
		if (probe && l2tp_fd >= 0)
			probe_when_peer_ready(&t, l2tp_fd, ipsec_session_get_sa_info(t.session));
		fflush(stdout);
		if (hold > 0 || hold_signal) {
			guint timer = hold > 0 ? g_timeout_add_seconds((guint)hold, on_quit, t.loop) : 0;
			g_main_loop_run(t.loop);
			if (timer)
				g_source_remove(timer);
		}
	} else {
		printf("RESULT error %s: %s\n",
		       t.up_error->domain == IPSEC_ERROR ? ipsec_error_code_name(t.up_error->code) : "other",
		       t.up_error->message);
		rc = 2;
	}
	fflush(stdout);
	ipsec_session_down_async(t.session, NULL, on_down, &t);
	g_main_loop_run(t.loop);
	if (t.down_ok)
		printf("DOWN ok\n");
	else
		printf("DOWN error: %s\n", t.down_error->message), rc = rc ? rc : 3;
	g_source_remove(sigint);
	g_source_remove(sigterm);
	ipsec_session_free(t.session);
	g_clear_error(&t.up_error);
	g_clear_error(&t.down_error);
	g_main_loop_unref(t.loop);
	if (l2tp_fd >= 0)
		close(l2tp_fd);
	return rc;
}

/* ---- check-clean --------------------------------------------------------- */

typedef struct {
	GMainLoop *loop;
	gboolean no_keys;
	const char *prefix;
	ViciClient *client;
	int leftovers;
	GError *error;
	int pending;
} Check;

static void note_left(Check *c, const char *what, const char *name)
{
	if (g_str_has_prefix(name, c->prefix)) {
		printf("LEFT %s %s\n", what, name);
		c->leftovers++;
	}
}

static void on_listed_section(const char *event, const struct vici_node *msg, gpointer data)
{
	Check *c = data;
	for (const struct vici_node *n = msg->children; n; n = n->next)
		if (n->kind == VICI_NODE_SECTION)
			note_left(c, strcmp(event, "list-conn") == 0 ? "conn" : "sa", n->name);
}

/* kind: "shared" (ids we chose) or "key" (key ids: any key is a leftover with --no-keys). */
static void check_reply(Check *c, GAsyncResult *res, const char *kind)
{
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(c->client, res, &error);
	if (!resp && !c->error)
		c->error = g_steal_pointer(&error);
	const struct vici_node *keys = vici_node_list(resp, "keys");
	for (const struct vici_node *k = keys ? keys->children : NULL; k; k = k->next) {
		if (strcmp(kind, "key") == 0) {
			printf("LEFT key %s\n", (const char *)k->value);
			c->leftovers++;
		} else {
			note_left(c, kind, (const char *)k->value);
		}
	}
	vici_node_free(resp);
	if (--c->pending == 0)
		g_main_loop_quit(c->loop);
}

static void on_check_reply(GObject *src, GAsyncResult *res, gpointer data)
{
	check_reply(data, res, "shared");
}

static void on_check_keys(GObject *src, GAsyncResult *res, gpointer data)
{
	check_reply(data, res, "key");
}

static int run_check_clean(int argc, char **argv)
{
	g_autofree char *vici = NULL, *prefix = NULL;
	gboolean no_keys = FALSE;
	GOptionEntry entries[] = {
	    {"vici", 0, 0, G_OPTION_ARG_STRING, &vici, "vici URI", "URI"},
	    {"prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "Name prefix (default l2tp-vpn-)", "P"},
	    {"no-keys", 0, 0, G_OPTION_ARG_NONE, &no_keys, "Any private key counts as a leftover", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("check-clean");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return 64;
	}
	Check c = {.loop = g_main_loop_new(NULL, FALSE),
		   .prefix = prefix ? prefix : "l2tp-vpn-",
		   .no_keys = no_keys};
	c.client = vici_client_new(vici);
	c.pending = no_keys ? 4 : 3;
	if (no_keys)
		vici_client_command_async(c.client, "get-keys", NULL, 0, NULL, NULL, NULL, 10000, NULL,
					  on_check_keys, &c);
	vici_client_command_async(c.client, "list-conns", NULL, 0, "list-conn", on_listed_section, &c, 10000,
				  NULL, on_check_reply, &c);
	vici_client_command_async(c.client, "list-sas", NULL, 0, "list-sa", on_listed_section, &c, 10000,
				  NULL, on_check_reply, &c);
	vici_client_command_async(c.client, "get-shared", NULL, 0, NULL, NULL, NULL, 10000, NULL,
				  on_check_reply, &c);
	g_main_loop_run(c.loop);
	vici_client_close(c.client, NULL);
	vici_client_unref(c.client);
	g_main_loop_unref(c.loop);
	if (c.error) {
		printf("CHECK error: %s\n", c.error->message);
		g_error_free(c.error);
		return 3;
	}
	printf("CHECK %s (%d leftovers)\n", c.leftovers ? "dirty" : "clean", c.leftovers);
	return c.leftovers ? 1 : 0;
}

static int run_presets(void)
{
	gsize n;
	const IpsecProposalPreset *p = ipsec_proposal_presets(&n);
	for (gsize i = 0; i < n; i++)
		printf("%-10s %s%s\n  ike: %s\n  esp: %s\n", p[i].name, p[i].description,
		       p[i].weak ? " [weak]" : "", p[i].ike, p[i].esp);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s up|check-clean|presets [options] (--help per command)\n", argv[0]);
		return 64;
	}
	const char *cmd = argv[1];
	argv[1] = argv[0];
	if (strcmp(cmd, "up") == 0)
		return run_up(argc - 1, argv + 1);
	if (strcmp(cmd, "check-clean") == 0)
		return run_check_clean(argc - 1, argv + 1);
	if (strcmp(cmd, "presets") == 0)
		return run_presets();
	fprintf(stderr, "unknown command %s\n", cmd);
	return 64;
}
