/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LAC on a real UDP socket in the GLib main loop.
 *
 * Owns one UDP socket bound to the local address (the one the IPsec SA
 * covers) and port 1701 or an ephemeral port by policy; feeds the LAC with
 * received datagrams and the monotonic clock; runs its timers as GLib
 * timeouts. On TUNNEL_UP it connect()s the socket to the LNS's address as the
 * LNS answered (the port may differ from the one SCCRQ went to), which is
 * also what the kernel's L2TP tunnel needs. Events are passed through
 * unchanged (see l2tp.h); l2tp_udp_fd() is the socket for TUNNEL_CREATE.
 */
#ifndef L2TP_UDP_H
#define L2TP_UDP_H

#include <glib.h>

#include "l2tp.h"

G_BEGIN_DECLS

#define L2TP_UDP_ERROR (l2tp_udp_error_quark())
GQuark l2tp_udp_error_quark(void);

typedef enum {
	L2TP_UDP_ERROR_CONFIG,  /* unusable settings */
	L2TP_UDP_ERROR_ADDRESS, /* an address that does not parse or families that differ */
	L2TP_UDP_ERROR_SOCKET,  /* socket(), bind() or sending failed */
} L2tpUdpError;

typedef enum {
	L2TP_PORT_POLICY_1701_OR_EPHEMERAL, /* default: 1701 if free (what many LNSes expect), else any */
	L2TP_PORT_POLICY_1701,              /* 1701 or fail */
	L2TP_PORT_POLICY_EPHEMERAL,         /* any free port */
} L2tpPortPolicy;

struct l2tp_udp_config {
	const char *lns_address;   /* numeric IPv4 or IPv6 address of the LNS */
	guint16 lns_port;          /* 0 = 1701 */
	const char *local_address; /* numeric; NULL = any address of the LNS's family */
	L2tpPortPolicy port_policy;
	/* RFC 2661 lets the LNS answer from another port and the LAC follow it. Under IPsec
	 * that would take L2TP outside the SA's selectors (udp/lns_port) and onto the wire
	 * in clear, so by default (FALSE) datagrams from any other address or port are
	 * dropped; set TRUE only for L2TP without IPsec. */
	gboolean follow_lns_port;
	/* Optional: TRUE if the host already uses this tunnel ID (see struct l2tp_lac_ops). */
	gboolean (*tunnel_id_taken)(guint16 id, gpointer data);
	gpointer tunnel_id_taken_data;
};

typedef struct l2tp_udp L2tpUdp;

typedef void (*L2tpUdpEventFunc)(L2tpUdp *udp, const struct l2tp_event *ev, gpointer user_data);
typedef void (*L2tpUdpLogFunc)(L2tpUdp *udp, enum l2tp_log_level level, const char *message,
			       gpointer user_data);
/* Sees every datagram received, before the LAC does (captures for test corpora). */
typedef void (*L2tpUdpRxHook)(const guint8 *data, gsize len, gpointer user_data);

/* Creates and binds the socket. on_log may be NULL. */
L2tpUdp *l2tp_udp_new(const struct l2tp_udp_config *ucfg, const struct l2tp_lac_config *cfg,
		      L2tpUdpEventFunc on_event, L2tpUdpLogFunc on_log, gpointer user_data, GError **error);
/* Sends SCCRQ; everything else happens in the main loop (the thread-default context). */
gboolean l2tp_udp_start(L2tpUdp *udp, GError **error);
/* After SESSION_READY: sends ICCN. */
gboolean l2tp_udp_session_confirm(L2tpUdp *udp);
/* l2tp_lac_restart_tunnel(): a new SCCRQ now, under a new tunnel ID; FALSE unless waiting for SCCRP. */
gboolean l2tp_udp_restart_tunnel(L2tpUdp *udp);
/* Orderly shutdown; FINISHED follows. */
void l2tp_udp_close(L2tpUdp *udp, const char *why);
void l2tp_udp_set_rx_hook(L2tpUdp *udp, L2tpUdpRxHook hook, gpointer user_data);
int l2tp_udp_fd(L2tpUdp *udp);
guint16 l2tp_udp_local_port(L2tpUdp *udp);
struct l2tp_lac *l2tp_udp_lac(L2tpUdp *udp);
/* Not from inside an event callback. */
void l2tp_udp_free(L2tpUdp *udp);

G_END_DECLS

#endif
