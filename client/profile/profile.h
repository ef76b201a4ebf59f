/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Connection profiles: one INI keyfile per connection (l2tp-vpn.conf(5)).
 *
 *	/etc/l2tp-vpn/NAME.conf, owned by root, mode 0600
 *
 *	[connection]
 *	gateway=vpn.example.net
 *	[ipsec]
 *	psk=...
 *	[ppp]
 *	user=alice
 *	password=...
 *
 * The text goes through GLib's GKeyFile, after our own line scanner has
 * checked its structure, so that every error names the file and line:
 * "work.conf:7: [ipsec] mode: “agressive” is not one of main, aggressive
 * (did you mean “aggressive”?)". Unknown groups and keys are errors with a
 * did-you-mean; duplicate groups and keys are errors naming both lines.
 * Secret values never enter GKeyFile: the scanner unescapes them itself into
 * wiped memory (L2tpVpnSecret).
 *
 * A loaded profile maps onto the settings of each layer:
 *	l2tpvpn_profile_ipsec_settings()  → IpsecSettings          (client/ipsec)
 *	l2tpvpn_profile_l2tp_config()     → l2tp_lac_config + l2tp_udp_config (client/l2tp)
 *	l2tpvpn_profile_ppp_launch()      → L2tpPppLaunch/L2tpPppOptions (client/ppp)
 *	l2tpvpn_profile_net()             → L2tpNetContext + L2tpNetPlanInput (client/net)
 * The filled structs borrow strings from the profile: keep it alive while
 * they are used. Secrets appear in them only after
 * l2tpvpn_profile_resolve_secrets().
 */
#ifndef L2TPVPN_PROFILE_H
#define L2TPVPN_PROFILE_H

#include <glib.h>
#include <netinet/in.h>

#include "ipsec/ipsec.h"
#include "l2tp/l2tp.h"
#include "l2tp/l2tp-udp.h"
#include "net/net-apply.h"
#include "net/net-plan.h"
#include "ppp/ppp-launcher.h"
#include "ppp/ppp-options.h"
#include "profile-secret.h"

G_BEGIN_DECLS

#define L2TPVPN_PROFILE_DIR       "/etc/l2tp-vpn"
#define L2TPVPN_PROFILE_SUFFIX    ".conf"
#define L2TPVPN_PROFILE_NAME_MAX  64
#define L2TPVPN_PROFILE_MAX_BYTES (64 * 1024)

#define L2TPVPN_PROFILE_ERROR (l2tpvpn_profile_error_quark())
GQuark l2tpvpn_profile_error_quark(void);

typedef enum {
	L2TPVPN_PROFILE_ERROR_SYNTAX, /* a line that is not [group], key=value or # comment; bad escape */
	L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP,      /* [group] we do not know (with a did-you-mean) */
	L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY,        /* key not known in its group (with a did-you-mean) */
	L2TPVPN_PROFILE_ERROR_DUPLICATE,          /* a group or a key given twice */
	L2TPVPN_PROFILE_ERROR_INVALID_VALUE,      /* a value of the wrong type or out of range */
	L2TPVPN_PROFILE_ERROR_MISSING,            /* a required key is absent */
	L2TPVPN_PROFILE_ERROR_CONFLICT,           /* keys that contradict each other */
	L2TPVPN_PROFILE_ERROR_PERMISSIONS,        /* group/other may read or write the file: chmod 600 */
	L2TPVPN_PROFILE_ERROR_OWNER,              /* the file is not owned by root: chown root:root */
	L2TPVPN_PROFILE_ERROR_NOT_FOUND,          /* no such profile or file */
	L2TPVPN_PROFILE_ERROR_IO,                 /* read error, not a regular file, too large */
	L2TPVPN_PROFILE_ERROR_INVALID_NAME,       /* a profile name that could escape the directory */
	L2TPVPN_PROFILE_ERROR_SECRET_NEEDED,      /* a secret is needed and nobody can be asked */
	L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED,   /* the user declined to give a secret */
	L2TPVPN_PROFILE_ERROR_SECRET_INVALID,     /* an empty secret or one with a NUL/newline */
	L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE, /* libsecret: no Secret Service or no such item */
	L2TPVPN_PROFILE_ERROR_NO_LIBSECRET,       /* built without libsecret */
} L2tpVpnProfileError;

const char *l2tpvpn_profile_error_code_name(int code);

/* Where the DNS changes go ([dns] mode). */
typedef enum {
	L2TPVPN_DNS_AUTO,
	L2TPVPN_DNS_RESOLVED,
	L2TPVPN_DNS_RESOLVCONF,
	L2TPVPN_DNS_FILE,
	L2TPVPN_DNS_OFF,
} L2tpVpnDnsMode;

typedef struct {
	L2tpVpnSecretSource source;
	char *file;           /* SOURCE_FILE */
	L2tpVpnSecret *value; /* SOURCE_INLINE: from the profile; any source after resolving */
	guint line;           /* line of the key that chose the source, 0 = default */
} L2tpVpnProfileSecret;

/*
 * A loaded, validated profile. Fields are read-only for users; strings are
 * owned by the profile. Durations are in the units the name says.
 */
typedef struct {
	char *name; /* profile name: file name without ".conf" */
	char *path; /* file it came from, or the source name given to _load_data() */

	/* [connection] */
	char *gateway;     /* host name or address (required) */
	char *description; /* free text, NULL if not given */
	gboolean autoconnect;
	char *local_address; /* numeric address to send from, NULL = any */

	/* [ipsec] */
	gboolean ipsec_enabled; /* enabled=no: plain L2TP (no IPsec at all) */
	int ipsec_auth;         /* IpsecAuth */
	gboolean aggressive;
	char *local_id, *remote_id;
	char *certificate, *private_key, *ca_certificate;
	char *proposal_preset; /* a preset name, NULL = "default" */
	char *ike_proposals;   /* free text, NULL = the preset's */
	char *esp_proposals;   /* free text, NULL = the preset's */
	gboolean pfs;
	int nat_t; /* IpsecNatT */
	guint dpd_s, ike_lifetime_s, sa_lifetime_s;
	guint ipsec_timeout_s;
	char *vici_uri; /* "unix:///path" */

	/* [l2tp] */
	guint l2tp_port;
	int source_port; /* L2tpPortPolicy */
	char *host_name; /* NULL = this machine's host name */
	char *vendor_name;
	gboolean hide_avps;
	guint hello_interval_s; /* 0 = no HELLO */
	guint retries;
	guint window;
	gboolean rx_connect_speed;
	guint connect_speed_bps;
	guint l2tp_timeout_s;

	/* [ppp] */
	char *user;
	guint auth; /* L2tpPppAuth bits */
	guint mtu, mru;
	gboolean mppe;
	guint lcp_echo_interval; /* 0 = no echo */
	guint lcp_echo_failure;
	char *ifname;    /* NULL = derived from the profile name (l2tpvpn_profile_ifname()) */
	char *pppd_path; /* NULL = /usr/sbin/pppd */
	gboolean ppp_debug;

	/* [routes] */
	int route_mode; /* L2tpNetMode */
	GArray *routes; /* L2tpNetPrefix */

	/* [dns] */
	int dns_mode; /* L2tpVpnDnsMode */
	struct in_addr dns_servers[L2TP_NET_MAX_DNS];
	guint n_dns_servers;
	GStrv dns_domains; /* never NULL */
	gboolean use_peer_dns;

	L2tpVpnProfileSecret secrets[L2TPVPN_SECRET_N_KINDS];

	/* private */
	char *derived_ifname;
	char *ipsec_profile;
} L2tpVpnProfile;

void l2tpvpn_profile_free(L2tpVpnProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpVpnProfile, l2tpvpn_profile_free)

/*
 * Parses and validates profile text. @source names it in errors (a path or
 * "<stdin>"), @name is the profile name (NULL: derived from @source's base
 * name without ".conf"; it must be a valid name). No permission checks.
 */
L2tpVpnProfile *l2tpvpn_profile_load_data(const char *data, gsize len, const char *source, const char *name,
					  GError **error);

/* Reads @path (root-owned, no group/other bits, regular file) and parses it. */
L2tpVpnProfile *l2tpvpn_profile_load_file(const char *path, GError **error);

/*
 * `up NAME|PATH`: a valid profile name is looked up as @dir/NAME.conf
 * (@dir NULL = /etc/l2tp-vpn); anything containing '/' is a path.
 */
L2tpVpnProfile *l2tpvpn_profile_open(const char *name_or_path, const char *dir, GError **error);

/* [A-Za-z0-9_.-]{1,64}, no leading dot: a name can never leave its directory. */
gboolean l2tpvpn_profile_name_valid(const char *name, GError **error);
/* @dir/NAME.conf for a valid name, else NULL with INVALID_NAME. */
char *l2tpvpn_profile_path_for_name(const char *dir, const char *name, GError **error);
/*
 * Sorted names of the profiles in @dir (NULL = /etc/l2tp-vpn): regular files
 * NAME.conf with a valid NAME. A missing directory is an empty list.
 */
GStrv l2tpvpn_profile_list(const char *dir, GError **error);

/*
 * Gets every secret the connection needs (PSK with PSK auth, PPP password,
 * L2TP secret and key passphrase when configured) from its source; ASK goes
 * to @ask (NULL: L2TPVPN_PROFILE_ERROR_SECRET_NEEDED naming the options).
 * Already resolved secrets are kept.
 */
gboolean l2tpvpn_profile_resolve_secrets(L2tpVpnProfile *profile, L2tpVpnSecretAskFunc ask,
					 gpointer user_data, GError **error);
/* The resolved secret or NULL. */
const char *l2tpvpn_profile_get_secret(const L2tpVpnProfile *profile, L2tpVpnSecretKind kind);

/*
 * The profile as keyfile text with every effective setting (defaults included),
 * for `l2tp-vpn show`: inline secrets as "********", other secret sources by
 * reference (KEY-file=PATH, KEY-source=ask|libsecret). It parses back into the
 * same settings.
 */
char *l2tpvpn_profile_to_string_masked(const L2tpVpnProfile *profile);

/*
 * The PPP interface: [ppp] interface-name, else "l2tp-NAME" if that fits in 15
 * bytes, else "l2tp-" + the first 5 characters + "-" + 4 hex digits of a hash
 * of the name.
 */
const char *l2tpvpn_profile_ifname(const L2tpVpnProfile *profile);

/*
 * Conversions. The caller still sets what only exists at connect time:
 * IpsecSettings.local_port (and gateway if it wants the resolved address),
 * l2tp_udp_config.lns_address (numeric), the PPP fds, the net plan's
 * gateway/underlay/local/ifname and the context's run_dir.
 */
void l2tpvpn_profile_ipsec_settings(const L2tpVpnProfile *profile, IpsecSettings *out);
void l2tpvpn_profile_l2tp_config(const L2tpVpnProfile *profile, struct l2tp_lac_config *lac,
				 struct l2tp_udp_config *udp);
void l2tpvpn_profile_ppp_launch(const L2tpVpnProfile *profile, L2tpPppLaunch *out);
/*
 * Net context and plan input. @peer_dns (from IPCP) is merged after the
 * static [dns] servers when use-peer-dns is on, into @dns_storage, which
 * @in->dns then points at.
 */
void l2tpvpn_profile_net(const L2tpVpnProfile *profile, const struct in_addr *peer_dns, guint n_peer_dns,
			 struct in_addr dns_storage[L2TP_NET_MAX_DNS], L2tpNetContext *ctx,
			 L2tpNetPlanInput *in);

/* Every key of the schema as "group.key", in schema order (docs, completion, tests). */
GStrv l2tpvpn_profile_known_keys(void);

/* Edit distance (Damerau, optimal string alignment), ASCII case-insensitive: for did-you-mean. */
guint l2tpvpn_edit_distance(const char *a, const char *b);

G_END_DECLS

#endif
