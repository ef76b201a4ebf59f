/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of client/ipsec shared between its files and unit tests: the
 * connection builder (settings → vici messages), failure diagnosis from
 * charon's control-log, credential loading, and the charon locator.
 */
#ifndef L2TPVPN_IPSEC_PRIVATE_H
#define L2TPVPN_IPSEC_PRIVATE_H

#include "ipsec.h"
#include "vici-codec.h"

G_BEGIN_DECLS

/* ---- settings and names -------------------------------------------------- */

gboolean ipsec_settings_validate(const IpsecSettings *s, GError **error);
IpsecSettings *ipsec_settings_copy(const IpsecSettings *s);
void ipsec_settings_free(IpsecSettings *s); /* wipes secrets */
/* "l2tp-vpn-<profile>-<8 hex>", unique per session. */
char *ipsec_make_conn_name(const char *profile);

/* Effective proposals as NULL-terminated vectors (preset, free text, PFS applied). */
char **ipsec_ike_proposals(const IpsecSettings *s);
char **ipsec_esp_proposals(const IpsecSettings *s);
/* Traffic selectors: only the L2TP UDP flow, pinned to our real source port. */
char *ipsec_local_ts(const IpsecSettings *s);
char *ipsec_remote_ts(const IpsecSettings *s);

/* Resolved credentials, ready to hand to charon. */
typedef struct {
	GBytes *cert_pem;     /* our certificate (PEM), NULL for PSK */
	GBytes *ca_pem;       /* CA certificate (PEM), may be NULL */
	GBytes *key_pem;      /* unencrypted private key (PEM); wiped on clear */
	const char *key_type; /* "rsa", "ecdsa" or "any" */
	char *subject;        /* our certificate's subject DN */
} IpsecCreds;

gboolean ipsec_creds_load(const IpsecSettings *s, IpsecCreds *creds, GError **error);
void ipsec_creds_clear(IpsecCreds *creds);

/* Messages for charon; remote_addr is the resolved gateway address. */
void ipsec_build_load_conn(struct vici_builder *b, const IpsecSettings *s, const char *conn_name,
			   const char *remote_addr, const IpsecCreds *creds);
void ipsec_build_load_shared(struct vici_builder *b, const IpsecSettings *s, const char *id,
			     const char *remote_addr);
void ipsec_build_load_key(struct vici_builder *b, const IpsecCreds *creds);

/* ---- diagnosis ----------------------------------------------------------- */

typedef struct {
	GPtrArray *lines;           /* control-log messages, in order */
	gboolean ike_established;   /* seen "IKE_SA ... established" */
	gboolean sent_packet;       /* seen "sending packet" */
	gboolean received_packet;   /* seen "received packet" */
	gboolean nat_detected;      /* seen "behind NAT" */
	const char *errmsg;         /* initiate's errmsg, if any */
	const char *daemon_version; /* from the version command, e.g. "5.9.8" */
} IpsecInitiateLog;

void ipsec_initiate_log_init(IpsecInitiateLog *log);
void ipsec_initiate_log_add(IpsecInitiateLog *log, const char *line);
void ipsec_initiate_log_clear(IpsecInitiateLog *log);
/* Classifies a failed initiate into one IPSEC_ERROR code with a hint. */
GError *ipsec_diagnose_failure(const IpsecInitiateLog *log, const IpsecSettings *s);
/* strongSwan >= 6.1 drops IKEv1 unless built with --enable-ikev1. */
gboolean ipsec_version_may_lack_ikev1(const char *daemon_version);

/* ---- finding charon ------------------------------------------------------ */

typedef enum {
	IPSEC_CHARON_CONNECT,       /* socket exists: connect */
	IPSEC_CHARON_START_SYSTEMD, /* absent, systemd is PID 1, default socket: start strongswan.service */
	IPSEC_CHARON_NOT_RUNNING,   /* absent and we cannot start it: clear error */
} IpsecCharonAction;

/* Pure decision, unit-tested: socket_exists / pid1_is_systemd / uri is the default. */
IpsecCharonAction ipsec_charon_decide(gboolean socket_exists, gboolean pid1_is_systemd, gboolean default_uri);
/* Reads /proc/1/comm (or a test override path). */
gboolean ipsec_pid1_is_systemd(const char *proc1_comm_path);
GError *ipsec_charon_not_running_error(const char *socket_path, gboolean pid1_is_systemd,
				       gboolean default_uri);

G_END_DECLS

#endif
