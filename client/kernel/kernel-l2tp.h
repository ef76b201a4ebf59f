/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel L2TP data plane (L2TPv2 over UDP, PPP pseudowires).
 *
 * The control plane (client/l2tp) owns the UDP socket and negotiates tunnel
 * and session ids; this layer then asks the kernel, over the generic netlink
 * family "l2tp", to carry data for them: a managed tunnel on our UDP socket,
 * a PPP session in it, and a PPPoL2TP socket connected to that session which
 * pppd drives (client/ppp). Everything works in whatever network namespace
 * the caller runs in; every command needs CAP_NET_ADMIN.
 *
 * Order (FACTS §3): open → tunnel_create after SCCCN → session_create and
 * pppox_connect after ICRP and *before* sending ICCN → spawn pppd. Teardown:
 * stop pppd, close the PPPoX socket (the kernel deletes the session with it),
 * CDN/StopCCN, tunnel_delete, close the UDP socket.
 */
#ifndef L2TP_VPN_KERNEL_L2TP_H
#define L2TP_VPN_KERNEL_L2TP_H

#include <glib.h>

#define L2TP_KERNEL_ERROR (l2tp_kernel_error_quark())
GQuark l2tp_kernel_error_quark(void);

typedef enum {
	L2TP_KERNEL_ERROR_MODULE_MISSING, /* no genl family "l2tp" (l2tp_netlink / l2tp_ppp not loaded) */
	L2TP_KERNEL_ERROR_PPPOX_MISSING,  /* no AF_PPPOX / PX_PROTO_OL2TP (l2tp_ppp, pppox not loaded) */
	L2TP_KERNEL_ERROR_PERMISSION,     /* CAP_NET_ADMIN needed */
	L2TP_KERNEL_ERROR_EXISTS,         /* tunnel or session id already in use in this namespace */
	L2TP_KERNEL_ERROR_NOT_FOUND,      /* no such tunnel or session */
	L2TP_KERNEL_ERROR_INVALID,        /* bad id, fd or socket */
	L2TP_KERNEL_ERROR_NETLINK,        /* any other netlink failure */
} L2tpKernelError;

typedef struct {
	guint64 tx_packets, tx_bytes, tx_errors;
	guint64 rx_packets, rx_bytes, rx_errors;
	guint64 rx_seq_discards, rx_oos_packets;
} L2tpKernelStats;

typedef struct _L2tpKernel L2tpKernel;

typedef enum {
	L2TP_KERNEL_OPEN_NO_MODPROBE = 1 << 0, /* report a missing family without trying modprobe */
} L2tpKernelOpenFlags;

/*
 * Connect to the "l2tp" genl family; if it is missing, run
 * `modprobe -a l2tp_netlink l2tp_ppp` once and retry. The error names the
 * modules and any modprobe.d file that blacklists them (Fedora and RHEL ship
 * such files), so the user knows exactly what to change.
 */
L2tpKernel *l2tp_kernel_open(guint flags, GError **error);
void l2tp_kernel_close(L2tpKernel *k);

/* L2TPv2 ids are 16-bit and never 0. @udp_fd: our connected UDP socket (stays ours). */
gboolean l2tp_kernel_tunnel_create(L2tpKernel *k, guint32 tunnel_id, guint32 peer_tunnel_id, int udp_fd,
				   GError **error);
gboolean l2tp_kernel_tunnel_delete(L2tpKernel *k, guint32 tunnel_id, GError **error);
/* TRUE if the kernel has a tunnel with this (local) id; FALSE with error unset if it has not. */
gboolean l2tp_kernel_tunnel_exists(L2tpKernel *k, guint32 tunnel_id, GError **error);
gboolean l2tp_kernel_session_create(L2tpKernel *k, guint32 tunnel_id, guint32 session_id,
				    guint32 peer_session_id, GError **error);
gboolean l2tp_kernel_session_delete(L2tpKernel *k, guint32 tunnel_id, guint32 session_id, GError **error);
gboolean l2tp_kernel_session_stats(L2tpKernel *k, guint32 tunnel_id, guint32 session_id, L2tpKernelStats *out,
				   GError **error);

/*
 * A PPPoL2TP socket connected to (tunnel_id, session_id) — created by
 * session_create, or created by this connect if it does not exist yet.
 * Returns the socket (O_CLOEXEC; the pppd launcher passes it on) or -1.
 */
int l2tp_kernel_pppox_connect(guint32 tunnel_id, guint32 session_id, guint32 peer_tunnel_id,
			      guint32 peer_session_id, int udp_fd, GError **error);
/*
 * The same in two steps: an unconnected PPPoL2TP socket (O_CLOEXEC) now, connected
 * to the session once it exists. pppd can be started with the first (held before it
 * looks at the socket, see L2tpPppLaunch.hold), so its start-up overlaps IKE and L2TP.
 */
int l2tp_kernel_pppox_open(GError **error);
gboolean l2tp_kernel_pppox_attach(int fd, guint32 tunnel_id, guint32 session_id, guint32 peer_tunnel_id,
				  guint32 peer_session_id, int udp_fd, GError **error);

/*
 * modprobe.d lines under @root ("/" normally) that blacklist or disable an
 * L2TP module, as "path: line". Empty when none.
 */
GStrv l2tp_kernel_find_blacklists(const char *root);

/* The explanation used for MODULE_MISSING (exposed for tests and tools). */
char *l2tp_kernel_missing_message(const char *root, const char *modprobe_result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpKernel, l2tp_kernel_close)

#endif
