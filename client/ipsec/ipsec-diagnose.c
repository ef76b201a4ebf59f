// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Turning a failed initiate into one named error with a hint. charon tells us
 * little directly (initiate answers "establishing CHILD_SA 'x' failed"), so we
 * read its control-log lines (charon 5.9.8 wording) and the phase we reached.
 */
#include <stdio.h>
#include <string.h>

#include "ipsec-private.h"

void ipsec_initiate_log_init(IpsecInitiateLog *log)
{
	memset(log, 0, sizeof(*log));
	log->lines = g_ptr_array_new_with_free_func(g_free);
}

void ipsec_initiate_log_add(IpsecInitiateLog *log, const char *line)
{
	g_ptr_array_add(log->lines, g_strdup(line));
	if (strstr(line, "sending packet:"))
		log->sent_packet = TRUE;
	if (strstr(line, "received packet:"))
		log->received_packet = TRUE;
	if (strstr(line, "behind NAT"))
		log->nat_detected = TRUE;
	if (strstr(line, "IKE_SA ") && strstr(line, " established between "))
		log->ike_established = TRUE;
}

void ipsec_initiate_log_clear(IpsecInitiateLog *log)
{
	g_clear_pointer(&log->lines, g_ptr_array_unref);
}

static const char *find_line(const IpsecInitiateLog *log, const char *needle)
{
	for (guint i = 0; i < log->lines->len; i++)
		if (strstr(log->lines->pdata[i], needle))
			return log->lines->pdata[i];
	return NULL;
}

gboolean ipsec_version_may_lack_ikev1(const char *v)
{
	unsigned major = 0, minor = 0;
	if (!v || sscanf(v, "%u.%u", &major, &minor) != 2)
		return FALSE;
	return major > 6 || (major == 6 && minor >= 1);
}

static char *joined(char **list)
{
	return g_strjoinv(", ", list);
}

/* Suggest presets that offer algorithms we did not, in a stable order. */
static char *preset_hint(const IpsecSettings *s, gboolean esp)
{
	g_auto(GStrv) ours = esp ? ipsec_esp_proposals(s) : ipsec_ike_proposals(s);
	g_autofree char *offered = joined(ours);
	const char *current = s->proposal_preset && *s->proposal_preset ? s->proposal_preset : "default";
	gboolean free_text =
	    esp ? (s->esp_proposals && *s->esp_proposals) : (s->ike_proposals && *s->ike_proposals);
	GString *hint = g_string_new(NULL);
	g_string_append_printf(hint, "we offered %s%s%s", free_text ? "" : current, free_text ? "" : ": ",
			       offered);
	if (esp)
		g_string_append_printf(hint, ". The gateway may %s PFS: try with PFS %s",
				       s->pfs ? "refuse" : "require", s->pfs ? "off" : "on");
	if (g_strcmp0(current, "legacy") != 0 || free_text)
		g_string_append(
		    hint, esp ? "; or a preset matching the server: windows, macos, mikrotik, cisco "
				"(SHA1/3DES), meraki (3DES, no PFS), fortinet, sonicwall, or legacy (MD5)"
			      : ". Try the preset for the server's vendor (windows, macos, meraki, mikrotik, "
				"cisco, fortinet, sonicwall), or legacy for old SHA1/MODP1024/3DES servers");
	return g_string_free(hint, FALSE);
}

static GError *err(IpsecError code, const char *format, ...) G_GNUC_PRINTF(2, 3);

static GError *err(IpsecError code, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	return g_error_new_literal(IPSEC_ERROR, code, msg);
}

static GError *diagnose_kernel(const IpsecInitiateLog *log)
{
	if (!find_line(log, "unable to add SAD entry") &&
	    !find_line(log, "unable to install inbound and outbound") &&
	    !find_line(log, "Protocol not supported"))
		return NULL;
	/* The netlink errno says why: ENOSYS/EPROTONOSUPPORT mean no ESP in this kernel. */
	const char *why = find_line(log, "received netlink error");
	if (!why)
		why = find_line(log, "unable to add SAD entry");
	return err(
	    IPSEC_ERROR_KERNEL_NO_ESP,
	    "IKE_SA established, but the kernel refused to install the ESP SA (%s). This kernel lacks ESP "
	    "support (CONFIG_INET_ESP / esp4 module, xfrm): load esp4 or use a kernel with IPsec",
	    why ? why : "unable to install IPsec SA");
}

static GError *diagnose_auth(const IpsecInitiateLog *log, const IpsecSettings *s)
{
	gboolean psk = s->auth == IPSEC_AUTH_PSK;
	const char *line = find_line(log, "AUTHENTICATION_FAILED");
	if (!line && psk) {
		/* IKEv1 main mode: a wrong PSK makes the peer's encrypted messages undecryptable. */
		line = find_line(log, "could not decrypt payloads");
		if (!line)
			line = find_line(log, "integrity check failed");
		if (!line)
			line = find_line(log, "message parsing failed");
		if (!line)
			line = find_line(log, "INVALID_PAYLOAD_TYPE");
		if (!line)
			line = find_line(log, "INVALID_HASH_INFORMATION");
	}
	if (!line && !psk) {
		const char *needles[] = {
		    "no trusted",         "constraint check failed",     "no private key found",
		    "certificate status", "signature validation failed", "no RSA public key",
		    "not trusted"};
		for (gsize i = 0; !line && i < G_N_ELEMENTS(needles); i++)
			line = find_line(log, needles[i]);
	}
	if (!line)
		line = find_line(log, "INVALID_ID_INFORMATION");
	if (!line)
		return NULL;
	if (psk)
		return err(
		    IPSEC_ERROR_AUTH_FAILED_PSK,
		    "Authentication failed, most likely a wrong pre-shared key (charon: %s). IKEv1 main mode "
		    "gives no clear refusal: check the PSK%s",
		    line,
		    s->aggressive ? " and the local identity the gateway expects" : " (and identities)");
	return err(IPSEC_ERROR_AUTH_FAILED_CERT,
		   "Certificate authentication failed (charon: %s): check that the CA certificate signed the "
		   "gateway's certificate, the gateway identity, and that the gateway trusts our certificate",
		   line);
}

static GError *diagnose_proposals(const IpsecInitiateLog *log, const IpsecSettings *s)
{
	const char *line = find_line(log, "NO_PROPOSAL_CHOSEN");
	if (!line)
		line = find_line(log, "no acceptable proposal");
	if (!line)
		line = find_line(log, "proposals unacceptable");
	if (!line)
		return NULL;
	gboolean esp = log->ike_established;
	g_autofree char *hint = preset_hint(s, esp);
	return err(IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "The gateway accepted none of our %s proposals (%s): %s",
		   esp ? "ESP (quick mode)" : "IKE (main mode)", line, hint);
}

static GError *diagnose_child(const IpsecInitiateLog *log, const IpsecSettings *s)
{
	const char *line = find_line(log, "INVALID_ID_INFORMATION");
	if (!line)
		line = find_line(log, "no matching CHILD_SA config");
	if (!line)
		line = find_line(log, "traffic selectors");
	if (line)
		return err(
		    IPSEC_ERROR_TRANSPORT_REFUSED,
		    "The gateway refused our transport-mode SA for UDP %u → %u (%s): it must accept L2TP in "
		    "transport mode; some servers reject a source port other than 1701",
		    s->local_port, s->remote_port, line);
	return err(IPSEC_ERROR_CHILD_FAILED, "The IKE_SA is up but the CHILD_SA failed%s%s",
		   log->errmsg ? ": " : "", log->errmsg ? log->errmsg : "");
}

static GError *diagnose_silence(const IpsecInitiateLog *log, const IpsecSettings *s)
{
	if (log->nat_detected)
		return err(
		    IPSEC_ERROR_NAT_T_BLOCKED,
		    "A NAT was detected and charon moved to UDP port 4500, but the gateway stopped "
		    "answering: "
		    "UDP 4500 (NAT-T) seems blocked on the way, or the gateway does not support NAT-T");
	if (!log->received_packet && find_line(log, "retransmit"))
		return err(IPSEC_ERROR_PEER_UNREACHABLE,
			   "No answer from the gateway %s on UDP 500: it is unreachable, not an IPsec "
			   "server, or UDP "
			   "500/4500 is filtered",
			   s->gateway);
	/* Silence blames the PSK only once our encrypted [ ID HASH ] went out: before that
	 * nothing depended on the key, so the key exchange itself was lost on the way. */
	if (log->received_packet && !log->ike_established && find_line(log, "retransmit") &&
	    !find_line(log, "request 0 [ ID HASH"))
		return err(IPSEC_ERROR_PEER_UNREACHABLE,
			   "The gateway %s answered, then stopped answering during the key exchange, "
			   "before authentication: packets to or from it are being lost",
			   s->gateway);
	if (log->received_packet && !log->ike_established && s->auth == IPSEC_AUTH_PSK &&
	    find_line(log, "retransmit"))
		return err(IPSEC_ERROR_AUTH_FAILED_PSK,
			   "The gateway stopped answering after the key exchange: this is how IKEv1 main "
			   "mode reacts "
			   "to a wrong pre-shared key, so most likely the PSK is wrong");
	return NULL;
}

GError *ipsec_diagnose_failure(const IpsecInitiateLog *log, const IpsecSettings *s)
{
	GError *e;
	if (!log->sent_packet && ipsec_version_may_lack_ikev1(log->daemon_version))
		return err(
		    IPSEC_ERROR_IKEV1_UNSUPPORTED,
		    "charon %s sent nothing for our IKEv1 connection: strongSwan 6.1 and later disable IKEv1 "
		    "unless built with --enable-ikev1, and L2TP/IPsec needs IKEv1",
		    log->daemon_version);
	if (find_line(log, "IKEv1") && find_line(log, "not supported"))
		return err(
		    IPSEC_ERROR_IKEV1_UNSUPPORTED,
		    "This charon was built without IKEv1 (strongSwan >= 6.1 default; needs --enable-ikev1), "
		    "and L2TP/IPsec needs IKEv1");
	if (log->ike_established && (e = diagnose_kernel(log)))
		return e;
	if ((e = diagnose_proposals(log, s)))
		return e;
	if (!log->ike_established && (e = diagnose_auth(log, s)))
		return e;
	if (log->ike_established)
		return diagnose_child(log, s);
	if ((e = diagnose_silence(log, s)))
		return e;
	return err(IPSEC_ERROR_FAILED, "IPsec negotiation failed%s%s", log->errmsg ? ": " : "",
		   log->errmsg ? log->errmsg : "");
}

/* ---- finding charon ------------------------------------------------------ */

IpsecCharonAction ipsec_charon_decide(gboolean socket_exists, gboolean pid1_is_systemd, gboolean default_uri)
{
	if (socket_exists)
		return IPSEC_CHARON_CONNECT;
	/* strongswan.service only ever opens the default socket: starting it for another URI won't help. */
	if (pid1_is_systemd && default_uri)
		return IPSEC_CHARON_START_SYSTEMD;
	return IPSEC_CHARON_NOT_RUNNING;
}

gboolean ipsec_pid1_is_systemd(const char *proc1_comm_path)
{
	g_autofree char *comm = NULL;
	if (!g_file_get_contents(proc1_comm_path ? proc1_comm_path : "/proc/1/comm", &comm, NULL, NULL))
		return FALSE;
	g_strstrip(comm);
	return g_strcmp0(comm, "systemd") == 0;
}

GError *ipsec_charon_not_running_error(const char *socket_path, gboolean pid1_is_systemd,
				       gboolean default_uri)
{
	if (!pid1_is_systemd)
		return err(IPSEC_ERROR_CHARON_NOT_RUNNING,
			   "strongSwan's charon is not running (no vici socket at %s), and systemd is not "
			   "PID 1 here, "
			   "so it cannot be started for you: start charon (e.g. /usr/lib/ipsec/charon) first",
			   socket_path);
	return err(IPSEC_ERROR_CHARON_NOT_RUNNING,
		   "strongSwan's charon is not running (no vici socket at %s)%s", socket_path,
		   default_uri ? "" : "; it is not the default socket, so strongswan.service would not help");
}
