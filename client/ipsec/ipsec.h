/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPsec for L2TP through strongSwan's charon, driven over vici (issue 4).
 *
 * One IpsecSession negotiates one IKEv1 SA and one ESP transport-mode CHILD_SA
 * protecting exactly the L2TP UDP flow (local port → gateway port 1701). It never
 * restarts or reconfigures anything else in charon: every name it loads (conn,
 * shared secret, key) is unique to the session, and every failure path runs the
 * same idempotent cleanup (terminate → unload-conn → unload-shared → unload-key).
 *
 * Everything runs on the thread-default GLib main context of the caller.
 *
 * Typical use by an orchestrator:
 *
 *	IpsecSettings s;
 *	ipsec_settings_init(&s);
 *	s.gateway = "vpn.example.net"; s.local_port = bound_l2tp_port; s.psk = "...";
 *	IpsecSession *sess = ipsec_session_new(&s, &error);     // validates, copies
 *	ipsec_session_set_event_handler(sess, on_event, self);  // progress, up/down/rekey/vanished
 *	ipsec_session_up_async(sess, cancellable, on_up, self); // load → initiate → verify
 *	... ipsec_session_up_finish(sess, res, &error) → TRUE: SA is TRANSPORT mode;
 *	    ipsec_session_get_sa_info(sess) tells the negotiated algorithms.
 *	ipsec_session_down_async(sess, NULL, on_down, self);    // terminate + unload, idempotent
 *	ipsec_session_free(sess);                                // also cleans up if still loaded
 *
 * Errors are in IPSEC_ERROR; each code is one failure class, and the message
 * always carries a human hint (what to change, which preset might fit).
 */
#ifndef L2TPVPN_IPSEC_H
#define L2TPVPN_IPSEC_H

#include <gio/gio.h>
#include <glib.h>

G_BEGIN_DECLS

#define IPSEC_DEFAULT_VICI_URI "unix:///var/run/charon.vici"
#define IPSEC_L2TP_PORT        1701

/* ---- errors -------------------------------------------------------------- */

#define IPSEC_ERROR (ipsec_error_quark())
GQuark ipsec_error_quark(void);

typedef enum {
	IPSEC_ERROR_INVALID_SETTINGS, /* settings are inconsistent or incomplete */
	IPSEC_ERROR_CREDENTIALS, /* certificate/key file unreadable, wrong passphrase, unsupported format */
	IPSEC_ERROR_CHARON_NOT_RUNNING,  /* no vici socket, or nobody listening on it */
	IPSEC_ERROR_PERMISSION_DENIED,   /* vici socket exists but we may not connect (root only) */
	IPSEC_ERROR_CHARON_START_FAILED, /* asked systemd to start strongswan.service and it failed */
	IPSEC_ERROR_IKEV1_UNSUPPORTED,   /* charon built without IKEv1 (strongSwan >= 6.1 default) */
	IPSEC_ERROR_PROTOCOL,            /* malformed vici traffic, or charon refused a command */
	IPSEC_ERROR_TIMEOUT,             /* charon did not answer a command in time */
	IPSEC_ERROR_PEER_UNREACHABLE,    /* no answer from the gateway at all */
	IPSEC_ERROR_NO_PROPOSAL_CHOSEN,  /* gateway accepted none of our IKE or ESP proposals */
	IPSEC_ERROR_AUTH_FAILED_PSK,     /* pre-shared key (most likely) wrong */
	IPSEC_ERROR_AUTH_FAILED_CERT,    /* certificate authentication failed (either side) */
	IPSEC_ERROR_TRANSPORT_REFUSED,   /* gateway refused transport mode / our traffic selectors */
	IPSEC_ERROR_NAT_T_BLOCKED,       /* NAT detected but UDP 4500 traffic does not get through */
	IPSEC_ERROR_KERNEL_NO_ESP,       /* IKE_SA up, but the kernel cannot install the ESP SA */
	IPSEC_ERROR_CHILD_FAILED,        /* CHILD_SA failed for another reason */
	IPSEC_ERROR_NOT_TRANSPORT,       /* SA came up, but not in TRANSPORT mode: refuse to use it */
	IPSEC_ERROR_CANCELLED_BY_PEER,   /* the gateway deleted the SA */
	IPSEC_ERROR_FAILED,              /* anything else; message says what charon said */
} IpsecError;

const char *ipsec_error_code_name(int code);

/* ---- settings ------------------------------------------------------------ */

typedef enum {
	IPSEC_AUTH_PSK,
	IPSEC_AUTH_CERT,
} IpsecAuth;

typedef enum {
	IPSEC_NAT_T_AUTO,   /* charon detects NAT and switches to UDP 4500 itself */
	IPSEC_NAT_T_FORCED, /* encap=yes: always UDP-encapsulate ESP */
} IpsecNatT;

/*
 * Proposal presets: tested combinations for real gateways. "default" is a
 * secure set (AES-GCM/AES-CBC with SHA-2, MODP2048+/ECP); the vendor presets
 * add what those servers actually negotiate (often SHA1, MODP1024, 3DES).
 * The full list with its proposals: ipsec_proposal_presets().
 */
typedef struct {
	const char *name;
	const char *description;
	const char *ike; /* comma-separated, IKEv1 combinations */
	const char *esp; /* comma-separated; with PFS the first IKE DH group is appended */
	gboolean weak;   /* offers 3DES, SHA1 or MODP1024: only for servers that need it */
} IpsecProposalPreset;

const IpsecProposalPreset *ipsec_proposal_presets(gsize *count);
const IpsecProposalPreset *ipsec_proposal_preset_find(const char *name);

typedef struct {
	/* Where charon is: default IPSEC_DEFAULT_VICI_URI ("unix://PATH" only). */
	const char *vici_uri;
	/* Profile name: goes into the unique connection name; [A-Za-z0-9_-], ≤ 32 chars. */
	const char *profile;

	const char *gateway;       /* host name or address of the L2TP/IPsec gateway (required) */
	const char *local_address; /* local address the L2TP socket is bound to; NULL: %any */
	guint16 local_port;        /* actual local UDP port of the L2TP socket (required) */
	guint16 remote_port;       /* L2TP port of the gateway: 1701 */

	gboolean aggressive; /* IKEv1 aggressive mode (needs local_id) */
	IpsecAuth auth;
	/* PSK (auth = PSK). Never logged; wiped when the session is freed. */
	const char *psk;
	/* Certificates (auth = CERT): PEM or DER certificate, or PKCS#12 bundle. */
	const char *cert_path;      /* machine certificate (PEM/DER), or PKCS#12 bundle */
	const char *key_path;       /* private key (PEM/DER, maybe encrypted); NULL with PKCS#12 */
	const char *key_passphrase; /* for an encrypted key or the PKCS#12 bundle */
	const char *ca_cert_path;   /* CA that issued the gateway's certificate (PEM/DER) */

	const char *local_id;  /* IKE identity; NULL: our address (PSK) or cert subject */
	const char *remote_id; /* expected gateway identity; NULL: %any (safe behind NAT) */

	/* Proposals: a preset name, or NULL/"" for the secure default. */
	const char *proposal_preset;
	/* Free text overrides the preset ("aes256-sha1-modp2048,aes128-sha1-modp2048"). */
	const char *ike_proposals;
	const char *esp_proposals;
	gboolean pfs; /* ESP with PFS: DH group of the first IKE proposal */

	IpsecNatT nat_t;
	guint dpd_delay_s;      /* 0: no DPD */
	guint ike_lifetime_s;   /* IKE_SA rekey time; 0: charon default (4 h) */
	guint child_lifetime_s; /* CHILD_SA rekey time; 0: charon default (1 h) */

	guint initiate_timeout_ms; /* whole IKE+CHILD negotiation; default 60000 */
	guint command_timeout_ms;  /* other vici commands; default 10000 */
	guint watch_interval_ms;   /* how often to check our conn is still loaded; 0: 5000 */
	guint ike_restart_ms;      /* no CHILD_SA this long after initiate: start over; 0: 12000 */
} IpsecSettings;

void ipsec_settings_init(IpsecSettings *settings);

/*
 * The local UDP port a bound L2TP socket actually uses (getsockname), for
 * IpsecSettings.local_port: the traffic selector must name the real source
 * port, never a guess. Returns 0 with error set if fd is not a bound UDP socket.
 */
guint16 ipsec_l2tp_socket_port(int fd, GError **error);

/* ---- negotiated SA ------------------------------------------------------- */

typedef struct {
	char *ike_name; /* our unique conn name */
	char *child_name;
	char *ike_version; /* "1" */
	char *local_host;
	char *remote_host;
	guint16 local_ike_port;
	guint16 remote_ike_port; /* 4500 when NAT-T is in use */
	gboolean nat_detected;   /* nat-any */
	gboolean aggressive;
	char *ike_encr; /* "AES_CBC-256" ... */
	char *ike_integ;
	char *ike_prf;
	char *ike_dh;
	char *child_mode;     /* "TRANSPORT" */
	char *child_protocol; /* "ESP" */
	gboolean child_encap; /* ESP in UDP (NAT-T) */
	char *child_encr;
	char *child_integ;
	char *child_dh;
	char *spi_in, *spi_out;
	char *local_ts, *remote_ts;
	/* From charon's quick mode log (0 when not seen): g_get_monotonic_time() of "CHILD_SA ...
	 * established", which is when our QM3 leaves, and how long our charon took from parsing QM2
	 * to that point. The gateway does the same work after QM3 before it can answer under the SA. */
	gint64 child_installed_us;
	gint64 child_install_time_us;
} IpsecSaInfo;

void ipsec_sa_info_free(IpsecSaInfo *info);
/*
 * Milliseconds from now until the gateway has probably installed its side of the SA
 * (0: it should have by now, or nothing is known): a first packet sent sooner may be
 * dropped or answered in the clear. An estimate from our own quick mode timing.
 */
guint ipsec_sa_info_peer_ready_ms(const IpsecSaInfo *info);
/* The same estimate as a duration from our CHILD_SA line (also for a rekeyed SA); 0: unknown. */
guint ipsec_sa_info_peer_install_ms(const IpsecSaInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IpsecSaInfo, ipsec_sa_info_free)
/* One line, e.g. "IKE AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, ESP ...". */
char *ipsec_sa_info_describe(const IpsecSaInfo *info);

/* ---- session ------------------------------------------------------------- */

typedef enum {
	IPSEC_EVENT_PROGRESS, /* text: a charon log line (control-log) or our own step */
	IPSEC_EVENT_IKE_UP,
	IPSEC_EVENT_IKE_DOWN, /* unexpected: error says why when known */
	IPSEC_EVENT_CHILD_UP,
	IPSEC_EVENT_CHILD_DOWN,
	IPSEC_EVENT_IKE_REKEYED,
	IPSEC_EVENT_CHILD_REKEYED,
	IPSEC_EVENT_CONN_VANISHED, /* our conn disappeared from charon (e.g. swanctl --load-all) */
	IPSEC_EVENT_CONN_RESTORED, /* ... and we loaded it again */
	IPSEC_EVENT_INITIATED,     /* initiate is on its way to charon: IKE runs, we only wait */
	IPSEC_EVENT_CHARON_LOST,   /* the event connection to charon closed */
} IpsecEventType;

typedef struct {
	IpsecEventType type;
	gint64 timestamp_us; /* g_get_real_time() when the event was seen */
	const char *text;    /* human text; never contains secrets */
	const GError *error; /* for DOWN/LOST when known, else NULL */
} IpsecEvent;

const char *ipsec_event_type_name(IpsecEventType type);

typedef void (*IpsecEventHandler)(const IpsecEvent *event, gpointer user_data);

typedef struct _IpsecSession IpsecSession;

/* Validates and deep-copies settings (secrets are copied and wiped on free). */
IpsecSession *ipsec_session_new(const IpsecSettings *settings, GError **error);
void ipsec_session_set_event_handler(IpsecSession *session, IpsecEventHandler handler, gpointer user_data);
/* The unique connection name loaded into charon ("l2tp-vpn-<profile>-<random>"). */
const char *ipsec_session_get_conn_name(IpsecSession *session);

/*
 * Brings the SA up: locate charon (starting strongswan.service through systemd
 * when allowed), load credentials and conn, initiate (progress events carry
 * charon's log), verify TRANSPORT mode, then watch events until down. On any
 * failure everything loaded is removed before the callback runs.
 */
void ipsec_session_up_async(IpsecSession *session, GCancellable *cancellable, GAsyncReadyCallback callback,
			    gpointer user_data);
gboolean ipsec_session_up_finish(IpsecSession *session, GAsyncResult *result, GError **error);
const IpsecSaInfo *ipsec_session_get_sa_info(IpsecSession *session);

/*
 * Once up: asks charon to renew our CHILD_SA now (a new quick mode under the same IKE_SA).
 * Finishes when charon has accepted the request; IPSEC_EVENT_CHILD_REKEYED follows when the new
 * SA is installed. Why: IKEv1's last quick-mode message is never acknowledged; if it is lost the
 * gateway has no SA for us until it repeats its own message (4 s, 11 s, 24 s... later), while
 * ours is in place and nothing on our side can tell. A new quick mode is a new chance.
 */
void ipsec_session_rekey_child_async(IpsecSession *session, GCancellable *cancellable,
				     GAsyncReadyCallback callback, gpointer user_data);
gboolean ipsec_session_rekey_child_finish(IpsecSession *session, GAsyncResult *result, GError **error);

/* Terminates the SA and unloads everything; safe to call in any state, any number of times. */
void ipsec_session_down_async(IpsecSession *session, GCancellable *cancellable, GAsyncReadyCallback callback,
			      gpointer user_data);
gboolean ipsec_session_down_finish(IpsecSession *session, GAsyncResult *result, GError **error);

/*
 * Frees the session. An up in progress is cancelled (its callback still runs,
 * with G_IO_ERROR_CANCELLED); if anything is still loaded in charon, the usual
 * cleanup runs detached, holding its own reference.
 */
void ipsec_session_free(IpsecSession *session);

G_END_DECLS

#endif
