/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secrets of a connection profile and where they come from.
 *
 * A secret (IPsec PSK, PPP password, L2TP tunnel secret, private key
 * passphrase) is held in an L2tpVpnSecret: a NUL-terminated byte string whose
 * memory is wiped with explicit_bzero() before it is freed. Secrets are never
 * logged; error messages name the secret, never its text.
 *
 * Sources, chosen per secret by the profile (see l2tp-vpn.conf(5)):
 *   inline     KEY=VALUE in the profile itself
 *   file       KEY-file=PATH: a root-owned 0600 file, one trailing newline stripped
 *   libsecret  the Secret Service (GNOME Keyring, KWallet) over the session bus,
 *              looked up by profile name and secret kind
 *   ask        the front end is asked through an L2tpVpnSecretAskFunc: the CLI
 *              prompts without echo or reads --password-stdin, the GTK app shows
 *              a dialog, the NM plugin asks its agent. The core never touches
 *              the terminal.
 */
#ifndef L2TPVPN_PROFILE_SECRET_H
#define L2TPVPN_PROFILE_SECRET_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _L2tpVpnSecret L2tpVpnSecret;

/* Copies @len bytes of @data; the copy is NUL-terminated. */
L2tpVpnSecret *l2tpvpn_secret_new(const char *data, gsize len);
L2tpVpnSecret *l2tpvpn_secret_dup(const L2tpVpnSecret *secret);
const char *l2tpvpn_secret_get(const L2tpVpnSecret *secret);
gsize l2tpvpn_secret_len(const L2tpVpnSecret *secret);
/* Wipes and frees; NULL is fine. */
void l2tpvpn_secret_free(L2tpVpnSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpVpnSecret, l2tpvpn_secret_free)

/* Wipe-then-free for plain strings that held a secret (NULL is fine). */
void l2tpvpn_secret_wipe_string(char *text);

typedef enum {
	L2TPVPN_SECRET_PSK,          /* [ipsec] psk */
	L2TPVPN_SECRET_PPP_PASSWORD, /* [ppp] password */
	L2TPVPN_SECRET_L2TP_SECRET,  /* [l2tp] secret */
	L2TPVPN_SECRET_KEY_PASSWORD, /* [ipsec] private-key-password */
	L2TPVPN_SECRET_N_KINDS,
} L2tpVpnSecretKind;

/* "psk", "ppp-password", "l2tp-secret", "key-password": the libsecret attribute value. */
const char *l2tpvpn_secret_kind_name(L2tpVpnSecretKind kind);
/* "IPsec pre-shared key", ...: for prompts. */
const char *l2tpvpn_secret_kind_describe(L2tpVpnSecretKind kind);

typedef enum {
	L2TPVPN_SECRET_SOURCE_NONE, /* not configured (and not needed) */
	L2TPVPN_SECRET_SOURCE_INLINE,
	L2TPVPN_SECRET_SOURCE_FILE,
	L2TPVPN_SECRET_SOURCE_LIBSECRET,
	L2TPVPN_SECRET_SOURCE_ASK,
} L2tpVpnSecretSource;

const char *l2tpvpn_secret_source_name(L2tpVpnSecretSource source);

/*
 * Reads a secret file. With @check_owner the file must be a regular file owned
 * by root with no group/other permission bits (else L2TPVPN_PROFILE_ERROR_PERMISSIONS
 * or _OWNER naming the chmod/chown fix). One trailing "\n" (or "\r\n") is
 * stripped; an empty secret is refused.
 */
L2tpVpnSecret *l2tpvpn_secret_read_file(const char *path, gboolean check_owner, GError **error);

/*
 * Reads one secret from @fd (--password-stdin): up to the first newline or
 * end of file, byte by byte so nothing after the newline is consumed. An
 * empty line or immediate end of file is refused.
 */
L2tpVpnSecret *l2tpvpn_secret_read_fd(int fd, GError **error);

/* What is being asked for, handed to the front end. */
typedef struct {
	const char *profile;     /* profile name */
	L2tpVpnSecretKind kind;  /* which secret */
	const char *description; /* l2tpvpn_secret_kind_describe(kind) */
	const char *user;        /* PPP user name for PPP_PASSWORD, else NULL */
	const char *gateway;     /* the profile's gateway */
} L2tpVpnSecretRequest;

/*
 * Front-end callback: return a new secret or NULL with an error (the user
 * cancelled: L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED).
 */
typedef L2tpVpnSecret *(*L2tpVpnSecretAskFunc)(const L2tpVpnSecretRequest *request, gpointer user_data,
					       GError **error);

/*
 * A ready-made L2tpVpnSecretAskFunc for --password-stdin: user_data is
 * GINT_TO_POINTER(fd); each request reads one line (l2tpvpn_secret_read_fd).
 */
L2tpVpnSecret *l2tpvpn_secret_ask_fd(const L2tpVpnSecretRequest *request, gpointer user_data, GError **error);

/*
 * libsecret (optional dependency). Items use the schema "org.l2tp-vpn.Secret"
 * with attributes profile=NAME and kind=l2tpvpn_secret_kind_name(kind).
 * Built without libsecret, every call fails with L2TPVPN_PROFILE_ERROR_NO_LIBSECRET.
 * Without a reachable Secret Service: L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE.
 */
gboolean l2tpvpn_secret_have_libsecret(void);
L2tpVpnSecret *l2tpvpn_secret_libsecret_lookup(const char *profile, L2tpVpnSecretKind kind, GError **error);
gboolean l2tpvpn_secret_libsecret_store(const char *profile, L2tpVpnSecretKind kind,
					const L2tpVpnSecret *secret, GError **error);
gboolean l2tpvpn_secret_libsecret_clear(const char *profile, L2tpVpnSecretKind kind, GError **error);

G_END_DECLS

#endif
