// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection builder: profile settings → vici load-conn / load-shared / load-key
 * messages. Keys that charon requires to be lists (FACTS §4) are always lists.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ipsec-private.h"
#include "vici-client.h"

G_DEFINE_QUARK(l2tp - vpn - ipsec - error - quark, ipsec_error)

const char *ipsec_error_code_name(int code)
{
	static const char *const names[] = {
	    [IPSEC_ERROR_INVALID_SETTINGS] = "invalid-settings",
	    [IPSEC_ERROR_CREDENTIALS] = "credentials",
	    [IPSEC_ERROR_CHARON_NOT_RUNNING] = "charon-not-running",
	    [IPSEC_ERROR_PERMISSION_DENIED] = "permission-denied",
	    [IPSEC_ERROR_CHARON_START_FAILED] = "charon-start-failed",
	    [IPSEC_ERROR_IKEV1_UNSUPPORTED] = "ikev1-unsupported",
	    [IPSEC_ERROR_PROTOCOL] = "protocol",
	    [IPSEC_ERROR_TIMEOUT] = "timeout",
	    [IPSEC_ERROR_PEER_UNREACHABLE] = "peer-unreachable",
	    [IPSEC_ERROR_NO_PROPOSAL_CHOSEN] = "no-proposal-chosen",
	    [IPSEC_ERROR_AUTH_FAILED_PSK] = "auth-failed-psk",
	    [IPSEC_ERROR_AUTH_FAILED_CERT] = "auth-failed-cert",
	    [IPSEC_ERROR_TRANSPORT_REFUSED] = "transport-refused",
	    [IPSEC_ERROR_NAT_T_BLOCKED] = "nat-t-blocked",
	    [IPSEC_ERROR_KERNEL_NO_ESP] = "kernel-no-esp",
	    [IPSEC_ERROR_CHILD_FAILED] = "child-failed",
	    [IPSEC_ERROR_NOT_TRANSPORT] = "not-transport",
	    [IPSEC_ERROR_CANCELLED_BY_PEER] = "cancelled-by-peer",
	    [IPSEC_ERROR_FAILED] = "failed",
	};
	if (code < 0 || code >= (int)G_N_ELEMENTS(names) || !names[code])
		return "unknown";
	return names[code];
}

/* ---- proposal presets ---------------------------------------------------- */

/*
 * IKEv1 needs explicit combinations (charon's "default" excludes MODP1024 and
 * MD5). Vendor presets follow what those gateways ship as L2TP/IPsec defaults;
 * "legacy" is NetworkManager-l2tp's merged Windows/macOS list plus MD5.
 */
static const IpsecProposalPreset presets[] = {
    {"default", "secure: AES with SHA-2, MODP2048 or better, no SHA1/3DES/MD5",
     "aes256-sha256-modp2048,aes256-sha256-ecp256,aes256-sha384-ecp384,aes128-sha256-modp2048,"
     "aes256-sha256-modp3072",
     "aes256gcm16,aes128gcm16,aes256-sha256,aes128-sha256", FALSE},
    {"windows", "Windows Server RRAS: AES/3DES with SHA1, MODP2048/MODP1024",
     "aes256-sha1-modp2048,aes128-sha1-modp2048,3des-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024",
     "aes256-sha1,aes128-sha1,3des-sha1", TRUE},
    {"macos", "gateways tuned for macOS/iOS clients: AES with SHA2/SHA1, MODP2048/1536/1024",
     "aes256-sha256-modp2048,aes256-sha1-modp2048,aes128-sha1-modp2048,aes256-sha1-modp1536,"
     "aes256-sha1-modp1024,3des-sha1-modp1024",
     "aes256-sha256,aes256-sha1,aes128-sha1,3des-sha1", TRUE},
    {"meraki", "Cisco Meraki MX client VPN: 3DES/AES128 with SHA1, MODP1024, no PFS",
     "3des-sha1-modp1024,aes128-sha1-modp1024,aes256-sha1-modp1024", "3des-sha1,aes128-sha1,aes256-sha1",
     TRUE},
    {"mikrotik", "MikroTik RouterOS default profile: AES/3DES with SHA1, MODP2048/MODP1024",
     "aes256-sha1-modp2048,aes128-sha1-modp2048,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024",
     "aes256-sha1,aes128-sha1,3des-sha1", TRUE},
    {"cisco", "Cisco ASA/IOS L2TP over IPsec: AES/3DES with SHA1 (some MD5), MODP2048/1024",
     "aes256-sha1-modp2048,aes128-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024,3des-md5-modp1024",
     "aes256-sha1,aes128-sha1,3des-sha1,3des-md5", TRUE},
    {"fortinet", "FortiGate L2TP/IPsec: AES with SHA256/SHA1, MODP2048/1536/1024",
     "aes256-sha256-modp2048,aes128-sha256-modp2048,aes256-sha1-modp2048,aes128-sha1-modp2048,"
     "aes256-sha1-modp1536,3des-sha1-modp1024",
     "aes256-sha256,aes128-sha256,aes256-sha1,aes128-sha1,3des-sha1", TRUE},
    {"sonicwall", "SonicWall WAN GroupVPN: 3DES/AES with SHA1, MODP1024/2048",
     "3des-sha1-modp1024,aes256-sha1-modp1024,aes128-sha1-modp1024,aes256-sha1-modp2048",
     "3des-sha1,aes256-sha1,aes128-sha1", TRUE},
    {"legacy", "anything old: NetworkManager-l2tp's Windows+macOS list plus MD5",
     "aes256-sha256-modp2048,aes256-sha256-modp1536,aes256-sha256-modp1024,aes256-sha1-modp2048,"
     "aes256-sha1-modp1536,aes256-sha1-modp1024,aes256-sha1-ecp384,aes128-sha1-modp1024,aes128-sha1-ecp256,"
     "3des-sha1-modp2048,3des-sha1-modp1024,3des-md5-modp1024",
     "aes256-sha1,aes128-sha1,3des-sha1,aes128-md5,3des-md5", TRUE},
};

const IpsecProposalPreset *ipsec_proposal_presets(gsize *count)
{
	*count = G_N_ELEMENTS(presets);
	return presets;
}

const IpsecProposalPreset *ipsec_proposal_preset_find(const char *name)
{
	if (!name || !*name)
		name = "default";
	for (gsize i = 0; i < G_N_ELEMENTS(presets); i++)
		if (g_ascii_strcasecmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

static char **split_proposals(const char *text)
{
	g_auto(GStrv) parts = g_strsplit_set(text, ", \t\n", -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **p = parts; *p; p++)
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

char **ipsec_ike_proposals(const IpsecSettings *s)
{
	if (s->ike_proposals && *s->ike_proposals)
		return split_proposals(s->ike_proposals);
	return split_proposals(ipsec_proposal_preset_find(s->proposal_preset)->ike);
}

static gboolean is_dh_group(const char *token)
{
	return g_str_has_prefix(token, "modp") || g_str_has_prefix(token, "ecp") ||
	       g_str_has_prefix(token, "curve") || g_str_has_prefix(token, "x25519") ||
	       g_str_has_prefix(token, "x448");
}

/* The DH group of the first IKE proposal: its last token, if it names one. */
static char *first_ike_dh_group(const IpsecSettings *s)
{
	g_auto(GStrv) ike = ipsec_ike_proposals(s);
	if (!ike[0])
		return NULL;
	const char *last = strrchr(ike[0], '-');
	last = last ? last + 1 : ike[0];
	return is_dh_group(last) ? g_strdup(last) : NULL;
}

char **ipsec_esp_proposals(const IpsecSettings *s)
{
	const char *text = s->esp_proposals && *s->esp_proposals
			       ? s->esp_proposals
			       : ipsec_proposal_preset_find(s->proposal_preset)->esp;
	char **esp = split_proposals(text);
	g_autofree char *dh = s->pfs ? first_ike_dh_group(s) : NULL;
	if (!dh)
		return esp;
	for (char **p = esp; *p; p++) {
		const char *last = strrchr(*p, '-');
		if (last && is_dh_group(last + 1))
			continue; /* free text that already names a group */
		char *with = g_strdup_printf("%s-%s", *p, dh);
		g_free(*p);
		*p = with;
	}
	return esp;
}

char *ipsec_local_ts(const IpsecSettings *s)
{
	return g_strdup_printf("dynamic[17/%u]", s->local_port);
}

char *ipsec_remote_ts(const IpsecSettings *s)
{
	return g_strdup_printf("dynamic[17/%u]", s->remote_port ? s->remote_port : IPSEC_L2TP_PORT);
}

/* ---- settings ------------------------------------------------------------ */

void ipsec_settings_init(IpsecSettings *s)
{
	memset(s, 0, sizeof(*s));
	s->vici_uri = IPSEC_DEFAULT_VICI_URI;
	s->profile = "default";
	s->remote_port = IPSEC_L2TP_PORT;
	s->auth = IPSEC_AUTH_PSK;
	s->nat_t = IPSEC_NAT_T_AUTO;
	s->dpd_delay_s = 30;
	s->initiate_timeout_ms = 60000;
	s->command_timeout_ms = 10000;
	s->watch_interval_ms = 5000;
}

static gboolean profile_is_valid(const char *p)
{
	size_t len = strlen(p);
	if (len == 0 || len > 32)
		return FALSE;
	for (const char *c = p; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return FALSE;
	return TRUE;
}

static gboolean fail(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean fail(GError **error, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error_literal(error, IPSEC_ERROR, IPSEC_ERROR_INVALID_SETTINGS, msg);
	return FALSE;
}

/* Proposal tokens end up in a vici list: allow only what strongSwan's syntax uses. */
static gboolean proposals_are_sane(char **list)
{
	if (!list[0])
		return FALSE;
	for (char **p = list; *p; p++)
		for (const char *c = *p; *c; c++)
			if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '!')
				return FALSE;
	return TRUE;
}

static gboolean validate_auth(const IpsecSettings *s, GError **error)
{
	if (s->auth == IPSEC_AUTH_PSK) {
		if (!s->psk || !*s->psk)
			return fail(error, "Pre-shared key authentication needs a pre-shared key");
		if (strlen(s->psk) > 1024)
			return fail(error, "The pre-shared key is longer than 1024 bytes");
		return TRUE;
	}
	if (s->auth != IPSEC_AUTH_CERT)
		return fail(error, "Unknown authentication method %d", s->auth);
	if (!s->cert_path)
		return fail(error, "Certificate authentication needs a certificate (PEM, DER or PKCS#12)");
	if (!s->ca_cert_path)
		return fail(error,
			    "Certificate authentication needs the CA certificate that signed the gateway's "
			    "certificate (or a PKCS#12 bundle containing it)");
	return TRUE;
}

gboolean ipsec_settings_validate(const IpsecSettings *s, GError **error)
{
	g_autofree char *path = NULL;
	if (!s->gateway || !*s->gateway)
		return fail(error, "No gateway address");
	if (s->local_port == 0)
		return fail(
		    error,
		    "The L2TP socket's local port is needed for the traffic selector (got 0): bind the "
		    "L2TP socket first");
	if (!s->profile || !profile_is_valid(s->profile))
		return fail(
		    error,
		    "Profile name “%s” is not usable in a connection name: use 1-32 of A-Z a-z 0-9 - _",
		    s->profile ? s->profile : "");
	if (!(path = vici_uri_to_path(s->vici_uri, error)))
		return FALSE;
	if (s->aggressive && (!s->local_id || !*s->local_id))
		return fail(error,
			    "Aggressive mode sends our identity in the clear and needs an explicit local "
			    "identity (e.g. an FQDN or user@FQDN the gateway expects)");
	if (s->proposal_preset && *s->proposal_preset && !ipsec_proposal_preset_find(s->proposal_preset))
		return fail(error,
			    "Unknown proposal preset “%s” (known: default, windows, macos, meraki, mikrotik, "
			    "cisco, fortinet, sonicwall, legacy)",
			    s->proposal_preset);
	g_auto(GStrv) ike = ipsec_ike_proposals(s);
	g_auto(GStrv) esp = ipsec_esp_proposals(s);
	if (!proposals_are_sane(ike) || !proposals_are_sane(esp))
		return fail(error, "Proposals must be comma-separated strongSwan proposals like "
				   "aes256-sha1-modp2048 (IKE) and aes256-sha1 (ESP)");
	return validate_auth(s, error);
}

IpsecSettings *ipsec_settings_copy(const IpsecSettings *s)
{
	IpsecSettings *c = g_new(IpsecSettings, 1);
	*c = *s;
	c->vici_uri = g_strdup(s->vici_uri && *s->vici_uri ? s->vici_uri : IPSEC_DEFAULT_VICI_URI);
	c->profile = g_strdup(s->profile);
	c->gateway = g_strdup(s->gateway);
	c->local_address = g_strdup(s->local_address);
	c->psk = g_strdup(s->psk);
	c->cert_path = g_strdup(s->cert_path);
	c->key_path = g_strdup(s->key_path);
	c->key_passphrase = g_strdup(s->key_passphrase);
	c->ca_cert_path = g_strdup(s->ca_cert_path);
	c->local_id = g_strdup(s->local_id);
	c->remote_id = g_strdup(s->remote_id);
	c->proposal_preset = g_strdup(s->proposal_preset);
	c->ike_proposals = g_strdup(s->ike_proposals);
	c->esp_proposals = g_strdup(s->esp_proposals);
	if (!c->remote_port)
		c->remote_port = IPSEC_L2TP_PORT;
	return c;
}

static void free_secret(const char *secret)
{
	if (secret)
		explicit_bzero((char *)secret, strlen(secret));
	g_free((char *)secret);
}

void ipsec_settings_free(IpsecSettings *s)
{
	if (!s)
		return;
	free_secret(s->psk);
	free_secret(s->key_passphrase);
	g_free((char *)s->vici_uri);
	g_free((char *)s->profile);
	g_free((char *)s->gateway);
	g_free((char *)s->local_address);
	g_free((char *)s->cert_path);
	g_free((char *)s->key_path);
	g_free((char *)s->ca_cert_path);
	g_free((char *)s->local_id);
	g_free((char *)s->remote_id);
	g_free((char *)s->proposal_preset);
	g_free((char *)s->ike_proposals);
	g_free((char *)s->esp_proposals);
	g_free(s);
}

guint16 ipsec_l2tp_socket_port(int fd, GError **error)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int type = 0;
	socklen_t type_len = sizeof(type);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) < 0) {
		int saved = errno;
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_INVALID_SETTINGS,
			    "Cannot read the L2TP socket's port: %s", g_strerror(saved));
		return 0;
	}
	guint16 port = 0;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (type != SOCK_DGRAM || port == 0) {
		g_set_error_literal(error, IPSEC_ERROR, IPSEC_ERROR_INVALID_SETTINGS,
				    "The L2TP socket is not a bound UDP socket");
		return 0;
	}
	return port;
}

char *ipsec_make_conn_name(const char *profile)
{
	return g_strdup_printf("l2tp-vpn-%s-%08x", profile, g_random_int());
}

/* ---- messages ------------------------------------------------------------ */

static void add_list(struct vici_builder *b, const char *name, char **items)
{
	vici_builder_list_begin(b, name);
	for (char **p = items; *p; p++)
		vici_builder_list_item_str(b, *p);
	vici_builder_list_end(b);
}

static void add_list1(struct vici_builder *b, const char *name, const char *item)
{
	const char *items[] = {item, NULL};
	add_list(b, name, (char **)items);
}

static void add_blob_list(struct vici_builder *b, const char *name, GBytes *blob)
{
	gsize len;
	const void *data = g_bytes_get_data(blob, &len);
	vici_builder_list_begin(b, name);
	vici_builder_list_item(b, data, len);
	vici_builder_list_end(b);
}

static void add_seconds(struct vici_builder *b, const char *name, guint seconds)
{
	char text[24];
	g_snprintf(text, sizeof(text), "%us", seconds);
	vici_builder_kv_str(b, name, text);
}

static void build_local_auth(struct vici_builder *b, const IpsecSettings *s, const IpsecCreds *creds)
{
	vici_builder_section_begin(b, "local-1");
	vici_builder_kv_str(b, "auth", s->auth == IPSEC_AUTH_PSK ? "psk" : "pubkey");
	if (s->local_id && *s->local_id)
		vici_builder_kv_str(b, "id", s->local_id);
	else if (s->auth == IPSEC_AUTH_CERT && creds && creds->subject)
		vici_builder_kv_str(b, "id", creds->subject);
	/* Certificates travel inside the conn, so unloading it drops them: nothing global to clean. */
	if (s->auth == IPSEC_AUTH_CERT && creds && creds->cert_pem)
		add_blob_list(b, "certs", creds->cert_pem);
	vici_builder_section_end(b);
}

static void build_remote_auth(struct vici_builder *b, const IpsecSettings *s, const IpsecCreds *creds)
{
	vici_builder_section_begin(b, "remote-1");
	vici_builder_kv_str(b, "auth", s->auth == IPSEC_AUTH_PSK ? "psk" : "pubkey");
	/* %any lets a gateway behind NAT present its private address as identity. */
	vici_builder_kv_str(b, "id", s->remote_id && *s->remote_id ? s->remote_id : "%any");
	if (s->auth == IPSEC_AUTH_CERT && creds && creds->ca_pem)
		add_blob_list(b, "cacerts", creds->ca_pem);
	vici_builder_section_end(b);
}

static void build_child(struct vici_builder *b, const IpsecSettings *s, const char *child_name)
{
	g_autofree char *local_ts = ipsec_local_ts(s);
	g_autofree char *remote_ts = ipsec_remote_ts(s);
	g_auto(GStrv) esp = ipsec_esp_proposals(s);
	vici_builder_section_begin(b, "children");
	vici_builder_section_begin(b, child_name);
	vici_builder_kv_str(b, "mode", "transport");
	add_list1(b, "local_ts", local_ts);
	add_list1(b, "remote_ts", remote_ts);
	add_list(b, "esp_proposals", esp);
	if (s->child_lifetime_s)
		add_seconds(b, "rekey_time", s->child_lifetime_s);
	/* We start and stop it ourselves; on DPD timeout clear so we hear child-updown. */
	vici_builder_kv_str(b, "start_action", "none");
	vici_builder_kv_str(b, "close_action", "none");
	vici_builder_kv_str(b, "dpd_action", "clear");
	vici_builder_section_end(b);
	vici_builder_section_end(b);
}

void ipsec_build_load_conn(struct vici_builder *b, const IpsecSettings *s, const char *conn_name,
			   const char *remote_addr, const IpsecCreds *creds)
{
	g_auto(GStrv) ike = ipsec_ike_proposals(s);
	vici_builder_section_begin(b, conn_name);
	vici_builder_kv_str(b, "version", "1");
	vici_builder_kv_str(b, "aggressive", s->aggressive ? "yes" : "no");
	if (s->local_address && *s->local_address)
		add_list1(b, "local_addrs", s->local_address);
	add_list1(b, "remote_addrs", remote_addr ? remote_addr : s->gateway);
	add_list(b, "proposals", ike);
	vici_builder_kv_str(b, "encap", s->nat_t == IPSEC_NAT_T_FORCED ? "yes" : "no");
	/* One attempt per initiate: retries and their wording are ours. */
	vici_builder_kv_str(b, "keyingtries", "1");
	if (s->dpd_delay_s) {
		add_seconds(b, "dpd_delay", s->dpd_delay_s);
		add_seconds(b, "dpd_timeout", s->dpd_delay_s * 5);
	}
	if (s->ike_lifetime_s)
		add_seconds(b, "rekey_time", s->ike_lifetime_s);
	build_local_auth(b, s, creds);
	build_remote_auth(b, s, creds);
	build_child(b, s, conn_name);
	vici_builder_section_end(b);
}

void ipsec_build_load_shared(struct vici_builder *b, const IpsecSettings *s, const char *id,
			     const char *remote_addr)
{
	vici_builder_kv_str(b, "id", id);
	vici_builder_kv_str(b, "type", "IKE");
	vici_builder_kv(b, "data", s->psk, strlen(s->psk));
	/* Owners pin the secret to this gateway, so it never serves another conn. */
	vici_builder_list_begin(b, "owners");
	vici_builder_list_item_str(b, remote_addr ? remote_addr : s->gateway);
	if (s->remote_id && *s->remote_id && g_strcmp0(s->remote_id, remote_addr) != 0)
		vici_builder_list_item_str(b, s->remote_id);
	vici_builder_list_end(b);
}

void ipsec_build_load_key(struct vici_builder *b, const IpsecCreds *creds)
{
	gsize len;
	const void *data = g_bytes_get_data(creds->key_pem, &len);
	vici_builder_kv_str(b, "type", creds->key_type);
	vici_builder_kv(b, "data", data, len);
}
