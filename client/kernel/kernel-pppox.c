// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PPPoL2TP socket. A file of its own: <linux/if_pppox.h> pulls in the
 * kernel's <linux/in.h>, which clashes with glibc's <netinet/in.h>.
 */
#include "kernel-l2tp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_pppox.h>

static gboolean id_ok(guint32 id)
{
	return id > 0 && id <= 0xffff;
}

static gboolean session_ok(guint32 tunnel_id, guint32 session_id, guint32 peer_tunnel_id,
			   guint32 peer_session_id, int udp_fd, GError **error)
{
	if (id_ok(tunnel_id) && id_ok(session_id) && id_ok(peer_tunnel_id) && id_ok(peer_session_id) &&
	    udp_fd >= 0)
		return TRUE;
	g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_INVALID,
			    "L2TPv2 tunnel and session ids are 1..65535 and a UDP socket is needed");
	return FALSE;
}

int l2tp_kernel_pppox_open(GError **error)
{
	int fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	int e;

	if (fd >= 0)
		return fd;
	e = errno;
	g_set_error(error, L2TP_KERNEL_ERROR,
		    e == EAFNOSUPPORT || e == EPROTONOSUPPORT ? L2TP_KERNEL_ERROR_PPPOX_MISSING
							      : L2TP_KERNEL_ERROR_PERMISSION,
		    "cannot create a PPPoL2TP socket: %s%s", g_strerror(e),
		    e == EAFNOSUPPORT || e == EPROTONOSUPPORT
			? " (load the kernel module l2tp_ppp, which brings pppox and ppp_generic; "
			  "Fedora/RHEL blacklist it in /etc/modprobe.d)"
			: "");
	return -1;
}

gboolean l2tp_kernel_pppox_attach(int fd, guint32 tunnel_id, guint32 session_id, guint32 peer_tunnel_id,
				  guint32 peer_session_id, int udp_fd, GError **error)
{
	struct sockaddr_pppol2tp sa;
	int e;

	if (!session_ok(tunnel_id, session_id, peer_tunnel_id, peer_session_id, udp_fd, error))
		return FALSE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_PPPOX;
	sa.sa_protocol = PX_PROTO_OL2TP;
	/* pid/fd/addr only matter when the tunnel does not exist yet; ours does. */
	sa.pppol2tp.pid = 0;
	sa.pppol2tp.fd = udp_fd;
	sa.pppol2tp.s_tunnel = (__u16)tunnel_id;
	sa.pppol2tp.s_session = (__u16)session_id;
	sa.pppol2tp.d_tunnel = (__u16)peer_tunnel_id;
	sa.pppol2tp.d_session = (__u16)peer_session_id;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return TRUE;
	e = errno;
	g_set_error(error, L2TP_KERNEL_ERROR,
		    e == EEXIST   ? L2TP_KERNEL_ERROR_EXISTS
		    : e == ENOENT ? L2TP_KERNEL_ERROR_NOT_FOUND
				  : L2TP_KERNEL_ERROR_NETLINK,
		    "cannot connect the PPPoL2TP socket to tunnel %u session %u: %s", tunnel_id, session_id,
		    g_strerror(e));
	return FALSE;
}

int l2tp_kernel_pppox_connect(guint32 tunnel_id, guint32 session_id, guint32 peer_tunnel_id,
			      guint32 peer_session_id, int udp_fd, GError **error)
{
	int fd;

	if (!session_ok(tunnel_id, session_id, peer_tunnel_id, peer_session_id, udp_fd, error))
		return -1;
	fd = l2tp_kernel_pppox_open(error);
	if (fd >= 0 && !l2tp_kernel_pppox_attach(fd, tunnel_id, session_id, peer_tunnel_id, peer_session_id,
						 udp_fd, error)) {
		close(fd);
		fd = -1;
	}
	return fd;
}
