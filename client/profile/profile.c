/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profile parser: a line scanner that knows the schema and every line number,
 * then GKeyFile for unescaping the (non-secret) values, then typed
 * validation, then cross-key checks. See profile.h and l2tp-vpn.conf(5).
 */
#include "config.h"
#include "ascii-uint.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "profile-private.h"

G_DEFINE_QUARK(l2tpvpn - profile - error - quark, l2tpvpn_profile_error)

const char *l2tpvpn_profile_error_code_name(int code)
{
	static const char *const names[] = {
	    [L2TPVPN_PROFILE_ERROR_SYNTAX] = "syntax",
	    [L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP] = "unknown-group",
	    [L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY] = "unknown-key",
	    [L2TPVPN_PROFILE_ERROR_DUPLICATE] = "duplicate",
	    [L2TPVPN_PROFILE_ERROR_INVALID_VALUE] = "invalid-value",
	    [L2TPVPN_PROFILE_ERROR_MISSING] = "missing",
	    [L2TPVPN_PROFILE_ERROR_CONFLICT] = "conflict",
	    [L2TPVPN_PROFILE_ERROR_PERMISSIONS] = "permissions",
	    [L2TPVPN_PROFILE_ERROR_OWNER] = "owner",
	    [L2TPVPN_PROFILE_ERROR_NOT_FOUND] = "not-found",
	    [L2TPVPN_PROFILE_ERROR_IO] = "io",
	    [L2TPVPN_PROFILE_ERROR_INVALID_NAME] = "invalid-name",
	    [L2TPVPN_PROFILE_ERROR_SECRET_NEEDED] = "secret-needed",
	    [L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED] = "secret-cancelled",
	    [L2TPVPN_PROFILE_ERROR_SECRET_INVALID] = "secret-invalid",
	    [L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE] = "secret-unavailable",
	    [L2TPVPN_PROFILE_ERROR_NO_LIBSECRET] = "no-libsecret",
	};
	if (code < 0 || (gsize)code >= G_N_ELEMENTS(names) || !names[code])
		return "unknown";
	return names[code];
}

/* ---- edit distance ------------------------------------------------------- */

guint l2tpvpn_edit_distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return G_MAXUINT;
	guint d[65][65];
	for (gsize i = 0; i <= la; i++)
		d[i][0] = (guint)i;
	for (gsize j = 0; j <= lb; j++)
		d[0][j] = (guint)j;
	for (gsize i = 1; i <= la; i++) {
		for (gsize j = 1; j <= lb; j++) {
			guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
			guint v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
			v = MIN(v, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 2]) &&
			    g_ascii_tolower(a[i - 2]) == g_ascii_tolower(b[j - 1]))
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest candidate within a distance that still looks like a typo, or NULL. */
static const char *closest(const char *word, const char *const *candidates, gsize n)
{
	gsize len = strlen(word);
	guint limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	guint best = G_MAXUINT;
	const char *found = NULL;

	for (gsize i = 0; i < n; i++) {
		guint d = l2tpvpn_edit_distance(word, candidates[i]);
		if (d < best) {
			best = d;
			found = candidates[i];
		}
	}
	return best <= limit ? found : NULL;
}

/* ---- schema -------------------------------------------------------------- */

typedef enum {
	T_STRING,      /* printable text */
	T_HOST,        /* host name or numeric address */
	T_ADDRESS,     /* numeric IPv4 or IPv6 address */
	T_PATH,        /* absolute path */
	T_BOOL,        /* yes/no */
	T_UINT,        /* whole number in [min, max] */
	T_DURATION,    /* seconds, with optional s/m/h suffix, "off" = 0 when min is 0 */
	T_ENUM,        /* one of values */
	T_SECRET,      /* secret text: never leaves the scanner in clear except into an L2tpVpnSecret */
	T_SECRET_FILE, /* path of a secret file */
	T_SECRET_SRC,  /* libsecret | ask */
	T_PROPOSALS,   /* preset name or IKE proposal list */
	T_ESP,         /* ESP proposal list */
	T_AUTH_LIST,   /* pap,chap,mschap,mschapv2,eap */
	T_ROUTE_LIST,  /* IPv4 prefixes */
	T_DNS_LIST,    /* up to 3 IPv4 addresses */
	T_DOMAIN_LIST, /* DNS domains */
	T_IFNAME,      /* PPP interface name */
	T_VICI,        /* unix:///path or /path */
} KeyType;

typedef struct {
	const char *name;
	int value;
} EnumValue;

typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	gssize offset; /* into L2tpVpnProfile; -1 for keys handled by type */
	guint min, max;
	const EnumValue *values;
	int secret; /* L2tpVpnSecretKind for T_SECRET* */
} KeyDef;

#define OFF(f) ((gssize)offsetof(L2tpVpnProfile, f))

static const EnumValue auth_values[] = {{"psk", IPSEC_AUTH_PSK}, {"certificate", IPSEC_AUTH_CERT}, {NULL, 0}};
static const EnumValue ike_mode_values[] = {{"main", FALSE}, {"aggressive", TRUE}, {NULL, 0}};
static const EnumValue nat_values[] = {{"auto", IPSEC_NAT_T_AUTO}, {"force", IPSEC_NAT_T_FORCED}, {NULL, 0}};
static const EnumValue port_values[] = {{"auto", L2TP_PORT_POLICY_1701_OR_EPHEMERAL},
					{"1701", L2TP_PORT_POLICY_1701},
					{"ephemeral", L2TP_PORT_POLICY_EPHEMERAL},
					{NULL, 0}};
static const EnumValue route_values[] = {{"full", L2TP_NET_FULL_TUNNEL},
					 {"split", L2TP_NET_SPLIT_TUNNEL},
					 {"never-default", L2TP_NET_NEVER_DEFAULT},
					 {NULL, 0}};
static const EnumValue dns_values[] = {
    {"auto", L2TPVPN_DNS_AUTO}, {"resolved", L2TPVPN_DNS_RESOLVED}, {"resolvconf", L2TPVPN_DNS_RESOLVCONF},
    {"file", L2TPVPN_DNS_FILE}, {"off", L2TPVPN_DNS_OFF},           {NULL, 0}};
static const EnumValue secret_src_values[] = {
    {"libsecret", L2TPVPN_SECRET_SOURCE_LIBSECRET}, {"ask", L2TPVPN_SECRET_SOURCE_ASK}, {NULL, 0}};

#define DAY (24 * 3600)

static const KeyDef keys[] = {
    {"connection", "gateway", T_HOST, OFF(gateway)},
    {"connection", "description", T_STRING, OFF(description)},
    {"connection", "autoconnect", T_BOOL, OFF(autoconnect)},
    {"connection", "local-address", T_ADDRESS, OFF(local_address)},

    {"ipsec", "enabled", T_BOOL, OFF(ipsec_enabled)},
    {"ipsec", "auth", T_ENUM, OFF(ipsec_auth), .values = auth_values},
    {"ipsec", "psk", T_SECRET, -1, .secret = L2TPVPN_SECRET_PSK},
    {"ipsec", "psk-file", T_SECRET_FILE, -1, .secret = L2TPVPN_SECRET_PSK},
    {"ipsec", "psk-source", T_SECRET_SRC, -1, .values = secret_src_values, .secret = L2TPVPN_SECRET_PSK},
    {"ipsec", "mode", T_ENUM, OFF(aggressive), .values = ike_mode_values},
    {"ipsec", "local-id", T_STRING, OFF(local_id)},
    {"ipsec", "remote-id", T_STRING, OFF(remote_id)},
    {"ipsec", "certificate", T_PATH, OFF(certificate)},
    {"ipsec", "private-key", T_PATH, OFF(private_key)},
    {"ipsec", "private-key-password", T_SECRET, -1, .secret = L2TPVPN_SECRET_KEY_PASSWORD},
    {"ipsec", "private-key-password-file", T_SECRET_FILE, -1, .secret = L2TPVPN_SECRET_KEY_PASSWORD},
    {"ipsec", "private-key-password-source", T_SECRET_SRC, -1, .values = secret_src_values,
     .secret = L2TPVPN_SECRET_KEY_PASSWORD},
    {"ipsec", "ca-certificate", T_PATH, OFF(ca_certificate)},
    {"ipsec", "proposals", T_PROPOSALS, -1},
    {"ipsec", "esp-proposals", T_ESP, OFF(esp_proposals)},
    {"ipsec", "pfs", T_BOOL, OFF(pfs)},
    {"ipsec", "nat-traversal", T_ENUM, OFF(nat_t), .values = nat_values},
    {"ipsec", "dpd", T_DURATION, OFF(dpd_s), 0, 3600},
    {"ipsec", "ike-lifetime", T_DURATION, OFF(ike_lifetime_s), 0, 7 * DAY},
    {"ipsec", "sa-lifetime", T_DURATION, OFF(sa_lifetime_s), 0, 7 * DAY},
    {"ipsec", "timeout", T_DURATION, OFF(ipsec_timeout_s), 5, 600},
    {"ipsec", "vici-socket", T_VICI, OFF(vici_uri)},

    {"l2tp", "port", T_UINT, OFF(l2tp_port), 1, 65535},
    {"l2tp", "source-port", T_ENUM, OFF(source_port), .values = port_values},
    {"l2tp", "host-name", T_STRING, OFF(host_name)},
    {"l2tp", "vendor-name", T_STRING, OFF(vendor_name)},
    {"l2tp", "secret", T_SECRET, -1, .secret = L2TPVPN_SECRET_L2TP_SECRET},
    {"l2tp", "secret-file", T_SECRET_FILE, -1, .secret = L2TPVPN_SECRET_L2TP_SECRET},
    {"l2tp", "secret-source", T_SECRET_SRC, -1, .values = secret_src_values,
     .secret = L2TPVPN_SECRET_L2TP_SECRET},
    {"l2tp", "hide-avps", T_BOOL, OFF(hide_avps)},
    {"l2tp", "hello-interval", T_DURATION, OFF(hello_interval_s), 0, 3600},
    {"l2tp", "retries", T_UINT, OFF(retries), 1, 20},
    {"l2tp", "window", T_UINT, OFF(window), 1, 16},
    {"l2tp", "rx-connect-speed", T_BOOL, OFF(rx_connect_speed)},
    {"l2tp", "connect-speed", T_UINT, OFF(connect_speed_bps), 1, G_MAXUINT32},
    {"l2tp", "timeout", T_DURATION, OFF(l2tp_timeout_s), 5, 600},

    {"ppp", "user", T_STRING, OFF(user)},
    {"ppp", "password", T_SECRET, -1, .secret = L2TPVPN_SECRET_PPP_PASSWORD},
    {"ppp", "password-file", T_SECRET_FILE, -1, .secret = L2TPVPN_SECRET_PPP_PASSWORD},
    {"ppp", "password-source", T_SECRET_SRC, -1, .values = secret_src_values,
     .secret = L2TPVPN_SECRET_PPP_PASSWORD},
    {"ppp", "auth", T_AUTH_LIST, OFF(auth)},
    {"ppp", "mtu", T_UINT, OFF(mtu), 128, 9000},
    {"ppp", "mru", T_UINT, OFF(mru), 128, 9000},
    {"ppp", "mppe", T_BOOL, OFF(mppe)},
    {"ppp", "lcp-echo-interval", T_DURATION, OFF(lcp_echo_interval), 0, 3600},
    {"ppp", "lcp-echo-failure", T_UINT, OFF(lcp_echo_failure), 1, 100},
    {"ppp", "interface-name", T_IFNAME, OFF(ifname)},
    {"ppp", "pppd", T_PATH, OFF(pppd_path)},
    {"ppp", "debug", T_BOOL, OFF(ppp_debug)},

    {"routes", "mode", T_ENUM, OFF(route_mode), .values = route_values},
    {"routes", "routes", T_ROUTE_LIST, -1},

    {"dns", "mode", T_ENUM, OFF(dns_mode), .values = dns_values},
    {"dns", "servers", T_DNS_LIST, -1},
    {"dns", "domains", T_DOMAIN_LIST, -1},
    {"dns", "use-peer-dns", T_BOOL, OFF(use_peer_dns)},
};

static const char *const groups[] = {"connection", "ipsec", "l2tp", "ppp", "routes", "dns"};

static gssize find_key(const char *group, const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(keys[i].group, group) && !strcmp(keys[i].key, key))
			return (gssize)i;
	return -1;
}

static gssize key_index(const char *group, const char *key)
{
	gssize i = find_key(group, key);
	g_assert(i >= 0);
	return i;
}

static gboolean group_known(const char *group)
{
	for (gsize i = 0; i < G_N_ELEMENTS(groups); i++)
		if (!strcmp(groups[i], group))
			return TRUE;
	return FALSE;
}

GStrv l2tpvpn_profile_known_keys(void)
{
	GStrv out = g_new0(char *, G_N_ELEMENTS(keys) + 1);
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		out[i] = g_strconcat(keys[i].group, ".", keys[i].key, NULL);
	return out;
}

/* ---- scanner ------------------------------------------------------------- */

typedef struct {
	gssize def; /* index into keys[] */
	const char *group;
	char *raw; /* points into the scanner's copy of the text */
	guint line;
} Entry;

typedef struct {
	const char *source;
	L2tpVpnProfile *p;
	GHashTable *group_lines; /* name → GUINT line */
	Entry *by_def[G_N_ELEMENTS(keys)];
	GArray *entries; /* Entry, in file order */
} Parser;

static gboolean fail_at(Parser *ps, guint line, int code, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

static gboolean fail_at(Parser *ps, guint line, int code, GError **error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line)
		g_set_error(error, L2TPVPN_PROFILE_ERROR, code, "%s:%u: %s", ps->source, line, msg);
	else
		g_set_error(error, L2TPVPN_PROFILE_ERROR, code, "%s: %s", ps->source, msg);
	return FALSE;
}

static gboolean fail_key(Parser *ps, const Entry *e, int code, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

static gboolean fail_key(Parser *ps, const Entry *e, int code, GError **error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return fail_at(ps, e->line, code, error, "[%s] %s: %s", keys[e->def].group, keys[e->def].key, msg);
}

static gboolean scan_group(Parser *ps, char *s, guint line, const char **group, GError **error)
{
	char *close = strchr(s, ']');
	if (!close)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
			       "group header without a closing “]”: “%s”", s);
	for (char *t = close + 1; *t; t++)
		if (*t != ' ' && *t != '\t')
			return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
				       "text after the group header: “%s”", s);
	*close = '\0';
	const char *name = s + 1;
	if (!*name)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error, "empty group name “[]”");
	if (!group_known(name)) {
		const char *hint = closest(name, groups, G_N_ELEMENTS(groups));
		if (hint)
			return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP, error,
				       "unknown group [%s] (did you mean [%s]?)", name, hint);
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP, error,
			       "unknown group [%s] (known: [connection] [ipsec] [l2tp] [ppp] [routes] [dns])",
			       name);
	}
	gpointer first;
	if (g_hash_table_lookup_extended(ps->group_lines, name, NULL, &first))
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_DUPLICATE, error,
			       "group [%s] appears twice (first at line %u); merge them", name,
			       GPOINTER_TO_UINT(first));
	g_hash_table_insert(ps->group_lines, (gpointer)name, GUINT_TO_POINTER(line));
	*group = name;
	return TRUE;
}

static gboolean unknown_key(Parser *ps, guint line, const char *group, const char *key, GError **error)
{
	const char *cands[G_N_ELEMENTS(keys)];
	gsize n = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(keys[i].group, group))
			cands[n++] = keys[i].key;
	const char *hint = closest(key, cands, n);
	if (hint)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, error,
			       "unknown key “%s” in [%s] (did you mean “%s”?)", key, group, hint);
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(keys[i].key, key))
			return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, error,
				       "unknown key “%s” in [%s] (did you mean [%s] %s?)", key, group,
				       keys[i].group, key);
	g_autoptr(GString) known = g_string_new(NULL);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(known, "%s%s", i ? ", " : "", cands[i]);
	return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, error,
		       "unknown key “%s” in [%s] (known: %s)", key, group, known->str);
}

static gboolean scan_key(Parser *ps, char *s, guint line, const char *group, GError **error)
{
	char *eq = strchr(s, '=');
	if (!eq)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
			       "“%s” is not a key=value pair, a [group] header or a # comment", s);
	if (!group)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
			       "key=value before any [group] header (start with [connection])");
	char *key_end = eq;
	while (key_end > s && (key_end[-1] == ' ' || key_end[-1] == '\t'))
		key_end--;
	*key_end = '\0';
	if (!*s)
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
			       "“=” without a key name before it");
	if (strchr(s, '[') || strchr(s, ']'))
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, error,
			       "“%s”: localized keys (key[lang]) are not supported", s);
	gssize def = find_key(group, s);
	if (def < 0)
		return unknown_key(ps, line, group, s, error);
	if (ps->by_def[def])
		return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_DUPLICATE, error,
			       "[%s] %s is given twice (first at line %u); keep one", group, s,
			       ps->by_def[def]->line);
	char *raw = eq + 1;
	while (g_ascii_isspace(*raw))
		raw++;
	Entry e = {.def = def, .group = keys[def].group, .raw = raw, .line = line};
	g_array_append_val(ps->entries, e);
	/* entries never grows past G_N_ELEMENTS(keys): reserved up front, so pointers stay valid. */
	ps->by_def[def] = &g_array_index(ps->entries, Entry, ps->entries->len - 1);
	return TRUE;
}

/* @text is modified in place (line ends become NUL). */
static gboolean scan(Parser *ps, char *text, gsize len, GError **error)
{
	const char *group = NULL;
	char *p = text, *end = text + len;
	guint line = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (gsize)(end - p));
		char *le = nl ? nl : end;
		line++;
		if (memchr(p, '\0', (gsize)(le - p)))
			return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error, "contains a NUL byte");
		if (le > p && le[-1] == '\r')
			le--;
		*le = '\0';
		if (!g_utf8_validate(p, -1, NULL))
			return fail_at(ps, line, L2TPVPN_PROFILE_ERROR_SYNTAX, error, "not valid UTF-8");
		char *s = p;
		while (g_ascii_isspace(*s))
			s++;
		if (*s == '[') {
			if (!scan_group(ps, s, line, &group, error))
				return FALSE;
		} else if (*s && *s != '#') {
			if (!scan_key(ps, s, line, group, error))
				return FALSE;
		}
		p = nl ? nl + 1 : end;
	}
	return TRUE;
}

/*
 * GKeyFile's string unescaping (\s \n \t \r \\), for secret values that must
 * never be copied into GKeyFile's unwiped memory. Returns NULL on a bad
 * escape. The unit test checks that it agrees with g_key_file_get_string().
 */
static char *unescape_secret(const char *raw, gsize *out_len)
{
	gsize n = strlen(raw), o = 0;
	char *out = g_malloc(n + 1);

	for (gsize i = 0; i < n; i++) {
		if (raw[i] != '\\') {
			out[o++] = raw[i];
			continue;
		}
		char c = raw[++i];
		switch (c) {
		case 's':
			out[o++] = ' ';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case '\\':
			out[o++] = '\\';
			break;
		default:
			l2tpvpn_wipe_free(out, n + 1);
			return NULL;
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Exposed to the unit test only (declared there). */
char *l2tpvpn_profile_unescape_for_test(const char *raw);
char *l2tpvpn_profile_unescape_for_test(const char *raw)
{
	gsize len;
	return unescape_secret(raw, &len);
}

/* ---- typed values -------------------------------------------------------- */

static gboolean has_control(const char *s)
{
	for (const guchar *c = (const guchar *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return TRUE;
	return FALSE;
}

static gboolean parse_bool(const char *v, gboolean *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (!g_ascii_strcasecmp(v, yes[i])) {
			*out = TRUE;
			return TRUE;
		}
		if (!g_ascii_strcasecmp(v, no[i])) {
			*out = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean parse_uint(const char *v, guint64 *out)
{
	if (!*v || !g_ascii_isdigit(*v) || strlen(v) > 12)
		return FALSE;
	return l2tp_ascii_to_uint(v, 10, 0, G_MAXUINT64, out);
}

static gboolean parse_duration(const char *v, guint64 *out)
{
	g_autofree char *num = g_strdup(v);
	gsize n = strlen(num);
	guint64 mult = 1;
	if (n > 1 && g_ascii_isalpha(num[n - 1])) {
		switch (num[n - 1]) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = DAY;
			break;
		default:
			return FALSE;
		}
		num[n - 1] = '\0';
	}
	if (!parse_uint(num, out) || *out > G_MAXUINT32)
		return FALSE;
	*out *= mult;
	return TRUE;
}

static gboolean host_valid(const char *h)
{
	gsize n = strlen(h), label = 0;
	struct in6_addr a6;

	if (inet_pton(AF_INET, h, &a6) == 1 || inet_pton(AF_INET6, h, &a6) == 1)
		return TRUE;
	if (n == 0 || n > 253)
		return FALSE;
	/* Looks numeric but is not an address (e.g. 10.0.0.256): refuse rather than resolve it. */
	if (strspn(h, "0123456789.") == n)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return FALSE;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(c) && c != '-' && c != '_')
			return FALSE;
		if (c == '-' && label == 0)
			return FALSE;
		if (++label > 63)
			return FALSE;
	}
	return h[n - 1] != '-';
}

static GStrv split_list(const char *v)
{
	g_auto(GStrv) parts = g_strsplit_set(v, ",;", -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	}
	g_ptr_array_add(out, NULL);
	return (GStrv)g_ptr_array_free(out, FALSE);
}

static const char *enum_list(const EnumValue *values, char *buf, gsize size)
{
	buf[0] = '\0';
	for (const EnumValue *e = values; e->name; e++) {
		if (e != values)
			g_strlcat(buf, ", ", size);
		g_strlcat(buf, e->name, size);
	}
	return buf;
}

static gboolean set_enum(Parser *ps, const Entry *e, const char *v, int *out, GError **error)
{
	const EnumValue *values = keys[e->def].values;
	const char *names[16];
	gsize n = 0;
	char buf[256];

	for (const EnumValue *ev = values; ev->name; ev++) {
		if (!g_ascii_strcasecmp(v, ev->name)) {
			*out = ev->value;
			return TRUE;
		}
		names[n++] = ev->name;
	}
	const char *hint = closest(v, names, n);
	if (hint)
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"“%s” is not one of: %s (did you mean “%s”?)", v,
				enum_list(values, buf, sizeof(buf)), hint);
	return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error, "“%s” is not one of: %s", v,
			enum_list(values, buf, sizeof(buf)));
}

static gboolean proposal_tokens_valid(GStrv list, gboolean ike, const char **bad)
{
	for (char **p = list; *p; p++) {
		for (const char *c = *p; *c; c++) {
			if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '!') {
				*bad = *p;
				return FALSE;
			}
		}
		if (ike && !strchr(*p, '-')) {
			*bad = *p;
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean set_proposals(Parser *ps, const Entry *e, const char *v, GError **error)
{
	L2tpVpnProfile *p = ps->p;

	if (!*v)
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"empty: give a preset name or remove the key for the secure default");
	if (!strpbrk(v, "-,; ")) {
		const IpsecProposalPreset *preset = ipsec_proposal_preset_find(v);
		if (preset) {
			p->proposal_preset = g_strdup(preset->name);
			return TRUE;
		}
		gsize n;
		const IpsecProposalPreset *all = ipsec_proposal_presets(&n);
		const char *names[32];
		g_autoptr(GString) known = g_string_new(NULL);
		for (gsize i = 0; i < n && i < G_N_ELEMENTS(names); i++) {
			names[i] = all[i].name;
			g_string_append_printf(known, "%s%s", i ? ", " : "", all[i].name);
		}
		const char *hint = closest(v, names, MIN(n, G_N_ELEMENTS(names)));
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"unknown proposal preset “%s”%s%s%s (presets: %s; or a list such as "
				"aes256-sha1-modp2048,aes128-sha1-modp2048)",
				v, hint ? " (did you mean “" : "", hint ? hint : "", hint ? "”?)" : "",
				known->str);
	}
	g_auto(GStrv) list = g_strsplit_set(v, ",; \t", -1);
	GPtrArray *tokens = g_ptr_array_new();
	for (char **t = list; *t; t++)
		if (**t)
			g_ptr_array_add(tokens, *t);
	g_ptr_array_add(tokens, NULL);
	g_autofree char **toks = (char **)g_ptr_array_free(tokens, FALSE);
	const char *bad = NULL;
	if (!toks[0] || !proposal_tokens_valid(toks, TRUE, &bad))
		return fail_key(
		    ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
		    "“%s” is not an IKE proposal like aes256-sha1-modp2048 (algorithms joined by “-”, "
		    "proposals separated by “,”)",
		    bad ? bad : v);
	p->ike_proposals = g_strjoinv(",", toks);
	return TRUE;
}

static gboolean set_esp(Parser *ps, const Entry *e, const char *v, GError **error)
{
	g_auto(GStrv) list = split_list(v);
	const char *bad = NULL;
	for (char **t = list; *t; t++)
		if (strpbrk(*t, " \t"))
			bad = *t;
	if (!list[0] || bad || !proposal_tokens_valid(list, FALSE, &bad))
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"“%s” is not an ESP proposal list like aes256-sha1,aes128-sha1",
				bad ? bad : v);
	ps->p->esp_proposals = g_strjoinv(",", list);
	return TRUE;
}

static gboolean set_auth_list(Parser *ps, const Entry *e, const char *v, GError **error)
{
	static const EnumValue methods[] = {
	    {"pap", L2TP_PPP_AUTH_PAP},
	    {"chap", L2TP_PPP_AUTH_CHAP},
	    {"mschap", L2TP_PPP_AUTH_MSCHAP},
	    {"mschapv2", L2TP_PPP_AUTH_MSCHAP_V2},
	    {"mschap-v2", L2TP_PPP_AUTH_MSCHAP_V2},
	    {"eap", L2TP_PPP_AUTH_EAP},
	};
	const char *names[G_N_ELEMENTS(methods)];
	g_auto(GStrv) list = split_list(v);
	guint bits = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(methods); i++)
		names[i] = methods[i].name;
	if (!list[0])
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"no method listed: allow at least one of pap, chap, mschap, mschapv2, eap");
	for (char **t = list; *t; t++) {
		gboolean found = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(methods); i++) {
			if (!g_ascii_strcasecmp(*t, methods[i].name)) {
				bits |= (guint)methods[i].value;
				found = TRUE;
			}
		}
		if (!found) {
			const char *hint = closest(*t, names, G_N_ELEMENTS(names));
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"unknown method “%s”%s%s%s (known: pap, chap, mschap, mschapv2, eap)",
					*t, hint ? " (did you mean “" : "", hint ? hint : "",
					hint ? "”?)" : "");
		}
	}
	ps->p->auth = bits;
	return TRUE;
}

static gboolean set_route_list(Parser *ps, const Entry *e, const char *v, GError **error)
{
	g_auto(GStrv) list = split_list(v);
	for (char **t = list; *t; t++) {
		L2tpNetPrefix prefix;
		g_autoptr(GError) local = NULL;
		if (!l2tp_net_prefix_parse(*t, &prefix, &local))
			return fail_key(
			    ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
			    "“%s” is not an IPv4 prefix like 10.0.0.0/8 (address/length, no host bits "
			    "set)",
			    *t);
		g_array_append_val(ps->p->routes, prefix);
	}
	if (!list[0])
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"empty: list prefixes like 10.0.0.0/8, 192.168.10.0/24 or remove the key");
	return TRUE;
}

static gboolean set_dns_list(Parser *ps, const Entry *e, const char *v, GError **error)
{
	g_auto(GStrv) list = split_list(v);
	L2tpVpnProfile *p = ps->p;
	if (!list[0])
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"empty: list IPv4 addresses or remove the key");
	for (char **t = list; *t; t++) {
		struct in_addr a;
		if (inet_pton(AF_INET, *t, &a) != 1)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not an IPv4 address", *t);
		if (p->n_dns_servers == L2TP_NET_MAX_DNS)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"more than %d servers", L2TP_NET_MAX_DNS);
		p->dns_servers[p->n_dns_servers++] = a;
	}
	return TRUE;
}

static gboolean set_domain_list(Parser *ps, const Entry *e, const char *v, GError **error)
{
	g_auto(GStrv) list = split_list(v);
	if (!list[0])
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"empty: list DNS domains or remove the key");
	for (char **t = list; *t; t++)
		if (!l2tp_net_domain_valid(*t))
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not a DNS domain (letters, digits, “-”, “_” and dots)", *t);
	g_strfreev(ps->p->dns_domains);
	ps->p->dns_domains = g_steal_pointer(&list);
	return TRUE;
}

static gboolean set_secret_source(Parser *ps, const Entry *e, L2tpVpnSecretSource source, GError **error)
{
	L2tpVpnProfileSecret *sec = &ps->p->secrets[keys[e->def].secret];
	if (sec->source != L2TPVPN_SECRET_SOURCE_NONE)
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_CONFLICT, error,
				"the %s is already given at line %u; keep only one of the keys for it",
				l2tpvpn_secret_kind_describe(keys[e->def].secret), sec->line);
	sec->source = source;
	sec->line = e->line;
	return TRUE;
}

static gboolean set_secret(Parser *ps, Entry *e, GError **error)
{
	gsize len = 0;
	char *v = unescape_secret(e->raw, &len);
	if (!v)
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
				"invalid escape sequence (allowed: \\s \\n \\t \\r \\\\)");
	gboolean ok = TRUE;
	if (len == 0)
		ok = fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
			      "empty secret: remove the key to be asked for it instead");
	else if (strchr(v, '\n') || strchr(v, '\r'))
		ok = fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
			      "the secret contains a line break");
	else if ((ok = set_secret_source(ps, e, L2TPVPN_SECRET_SOURCE_INLINE, error)))
		ps->p->secrets[keys[e->def].secret].value = l2tpvpn_secret_new(v, len);
	l2tpvpn_wipe_free(v, strlen(e->raw) + 1);
	return ok;
}

static gboolean set_value(Parser *ps, const Entry *e, const char *value, GError **error)
{
	const KeyDef *k = &keys[e->def];
	L2tpVpnProfile *p = ps->p;
	void *field = k->offset >= 0 ? (char *)p + k->offset : NULL;
	g_autofree char *v = g_strstrip(g_strdup(value));
	guint64 n;
	int ev;

	if (has_control(v))
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
				"contains a control character");
	switch (k->type) {
	case T_STRING:
		if (!*v || strlen(v) > 255)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"must be 1 to 255 characters (got %zu)", strlen(v));
		*(char **)field = g_steal_pointer(&v);
		return TRUE;
	case T_HOST:
		if (!host_valid(v))
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is neither an IP address nor a host name", v);
		*(char **)field = g_steal_pointer(&v);
		return TRUE;
	case T_ADDRESS: {
		struct in6_addr a;
		if (inet_pton(AF_INET, v, &a) != 1 && inet_pton(AF_INET6, v, &a) != 1)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not a numeric IPv4 or IPv6 address", v);
		*(char **)field = g_steal_pointer(&v);
		return TRUE;
	}
	case T_PATH:
	case T_SECRET_FILE:
		if (v[0] != '/' || strlen(v) > 4095)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not an absolute path", v);
		if (k->type == T_PATH) {
			*(char **)field = g_steal_pointer(&v);
			return TRUE;
		}
		if (!set_secret_source(ps, e, L2TPVPN_SECRET_SOURCE_FILE, error))
			return FALSE;
		p->secrets[k->secret].file = g_steal_pointer(&v);
		return TRUE;
	case T_VICI: {
		const char *path = g_str_has_prefix(v, "unix://") ? v + strlen("unix://") : v;
		if (path[0] != '/' || strlen(path) > 107)
			return fail_key(
			    ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
			    "“%s” is not unix:///PATH or an absolute socket path (at most 107 bytes)", v);
		*(char **)field = g_strconcat("unix://", path, NULL);
		return TRUE;
	}
	case T_BOOL:
		if (!parse_bool(v, (gboolean *)field))
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not a boolean: use yes or no", v);
		return TRUE;
	case T_UINT:
		if (!parse_uint(v, &n) || n < k->min || n > k->max)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not a whole number from %u to %u", v, k->min, k->max);
		*(guint *)field = (guint)n;
		return TRUE;
	case T_DURATION:
		if (k->min == 0 && (!g_ascii_strcasecmp(v, "off") || !g_ascii_strcasecmp(v, "no")))
			n = 0;
		else if (!parse_duration(v, &n) || n < k->min || n > k->max)
			return fail_key(
			    ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
			    "“%s” is not a duration from %u to %u seconds (a number of seconds, or with "
			    "a suffix s, m, h, d%s)",
			    v, k->min, k->max, k->min == 0 ? "; 0 or off disables" : "");
		*(guint *)field = (guint)n;
		return TRUE;
	case T_ENUM:
		if (!set_enum(ps, e, v, &ev, error))
			return FALSE;
		*(int *)field = ev;
		return TRUE;
	case T_SECRET_SRC:
		if (!set_enum(ps, e, v, &ev, error))
			return FALSE;
		return set_secret_source(ps, e, (L2tpVpnSecretSource)ev, error);
	case T_PROPOSALS:
		return set_proposals(ps, e, v, error);
	case T_ESP:
		return set_esp(ps, e, v, error);
	case T_AUTH_LIST:
		return set_auth_list(ps, e, v, error);
	case T_ROUTE_LIST:
		return set_route_list(ps, e, v, error);
	case T_DNS_LIST:
		return set_dns_list(ps, e, v, error);
	case T_DOMAIN_LIST:
		return set_domain_list(ps, e, v, error);
	case T_IFNAME:
		if (!l2tp_ppp_ifname_valid(v))
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_INVALID_VALUE, error,
					"“%s” is not an interface name: 1 to 15 of A-Z a-z 0-9 - _ .", v);
		*(char **)field = g_steal_pointer(&v);
		return TRUE;
	case T_SECRET:
		break;
	}
	g_assert_not_reached();
}

/* ---- cross-key checks ---------------------------------------------------- */

static const Entry *entry(Parser *ps, const char *group, const char *key)
{
	return ps->by_def[key_index(group, key)];
}

static guint group_line(Parser *ps, const char *group)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(ps->group_lines, group));
}

static gboolean missing(Parser *ps, const char *group, const char *key, const char *why, GError **error)
{
	return fail_at(ps, group_line(ps, group), L2TPVPN_PROFILE_ERROR_MISSING, error,
		       "[%s] %s is required: %s", group, key, why);
}

static gboolean check_ipsec(Parser *ps, GError **error)
{
	L2tpVpnProfile *p = ps->p;
	const Entry *e;
	L2tpVpnProfileSecret *psk = &p->secrets[L2TPVPN_SECRET_PSK];
	L2tpVpnProfileSecret *kp = &p->secrets[L2TPVPN_SECRET_KEY_PASSWORD];

	if (!entry(ps, "ipsec", "auth"))
		p->ipsec_auth = p->certificate ? IPSEC_AUTH_CERT : IPSEC_AUTH_PSK;
	if (p->aggressive && !p->local_id)
		return fail_key(
		    ps, entry(ps, "ipsec", "mode"), L2TPVPN_PROFILE_ERROR_MISSING, error,
		    "aggressive mode sends our identity in the clear and needs [ipsec] local-id (the "
		    "FQDN or user@FQDN the gateway expects)");
	if (p->ipsec_auth == IPSEC_AUTH_PSK) {
		const char *const cert_keys[] = {"certificate", "private-key", "ca-certificate"};
		for (gsize i = 0; i < G_N_ELEMENTS(cert_keys); i++)
			if ((e = entry(ps, "ipsec", cert_keys[i])))
				return fail_key(
				    ps, e, L2TPVPN_PROFILE_ERROR_CONFLICT, error,
				    "only used with auth=certificate, but this profile uses auth=psk");
		if (kp->source != L2TPVPN_SECRET_SOURCE_NONE)
			return fail_at(
			    ps, kp->line, L2TPVPN_PROFILE_ERROR_CONFLICT, error,
			    "[ipsec] the private key passphrase is only used with auth=certificate");
		if (psk->source == L2TPVPN_SECRET_SOURCE_NONE && p->ipsec_enabled)
			psk->source = L2TPVPN_SECRET_SOURCE_ASK;
		return TRUE;
	}
	if (psk->source != L2TPVPN_SECRET_SOURCE_NONE)
		return fail_at(ps, psk->line, L2TPVPN_PROFILE_ERROR_CONFLICT, error,
			       "[ipsec] a pre-shared key is given, but auth=certificate");
	e = entry(ps, "ipsec", "auth");
	if (!p->certificate)
		return fail_at(ps, e ? e->line : group_line(ps, "ipsec"), L2TPVPN_PROFILE_ERROR_MISSING,
			       error, "[ipsec] auth=certificate needs certificate= (PEM, DER or PKCS#12)");
	if (!p->ca_certificate)
		return fail_at(ps, e ? e->line : group_line(ps, "ipsec"), L2TPVPN_PROFILE_ERROR_MISSING,
			       error,
			       "[ipsec] auth=certificate needs ca-certificate= (the CA that signed the "
			       "gateway's certificate)");
	return TRUE;
}

static gboolean check(Parser *ps, GError **error)
{
	L2tpVpnProfile *p = ps->p;
	const Entry *e;

	if (!p->gateway)
		return missing(ps, "connection", "gateway", "the VPN server's host name or address", error);
	if (!check_ipsec(ps, error))
		return FALSE;

	if (p->hide_avps && p->secrets[L2TPVPN_SECRET_L2TP_SECRET].source == L2TPVPN_SECRET_SOURCE_NONE)
		return fail_key(ps, entry(ps, "l2tp", "hide-avps"), L2TPVPN_PROFILE_ERROR_CONFLICT, error,
				"hiding AVPs needs the tunnel secret: set [l2tp] secret= or secret-file=");

	if (!p->user)
		return missing(ps, "ppp", "user", "the PPP user name the gateway expects", error);
	if (p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].source == L2TPVPN_SECRET_SOURCE_NONE)
		p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].source = L2TPVPN_SECRET_SOURCE_ASK;
	if (p->mppe && p->ipsec_enabled)
		return fail_key(
		    ps, entry(ps, "ppp", "mppe"), L2TPVPN_PROFILE_ERROR_CONFLICT, error,
		    "MPPE is refused while IPsec protects the tunnel (it would encrypt twice); remove it, "
		    "or use it only with [ipsec] enabled=no");
	if (p->mppe && !(p->auth & (L2TP_PPP_AUTH_MSCHAP | L2TP_PPP_AUTH_MSCHAP_V2)))
		return fail_key(ps, entry(ps, "ppp", "mppe"), L2TPVPN_PROFILE_ERROR_CONFLICT, error,
				"MPPE keys come from MS-CHAP: allow mschap or mschapv2 in [ppp] auth");

	e = entry(ps, "routes", "mode");
	if (!e)
		p->route_mode = p->routes->len ? L2TP_NET_SPLIT_TUNNEL : L2TP_NET_FULL_TUNNEL;
	else if (p->route_mode == L2TP_NET_SPLIT_TUNNEL && p->routes->len == 0)
		return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_MISSING, error,
				"a split tunnel needs [routes] routes= (e.g. 10.0.0.0/8)");
	else if (p->route_mode == L2TP_NET_FULL_TUNNEL && p->routes->len)
		return fail_key(
		    ps, entry(ps, "routes", "routes"), L2TPVPN_PROFILE_ERROR_CONFLICT, error,
		    "a full tunnel already routes everything: use mode=split or mode=never-default "
		    "with a route list");

	if (p->dns_mode == L2TPVPN_DNS_OFF) {
		const char *const dns_keys[] = {"servers", "domains", "use-peer-dns"};
		for (gsize i = 0; i < G_N_ELEMENTS(dns_keys); i++)
			if ((e = entry(ps, "dns", dns_keys[i])))
				return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_CONFLICT, error,
						"has no effect with [dns] mode=off");
	}
	return TRUE;
}

/* ---- loading ------------------------------------------------------------- */

gboolean l2tpvpn_profile_name_valid(const char *name, GError **error)
{
	gsize n = name ? strlen(name) : 0;
	const char *why = NULL;

	if (n == 0)
		why = "it is empty";
	else if (n > L2TPVPN_PROFILE_NAME_MAX)
		why = "it is longer than 64 characters";
	else if (name[0] == '.')
		why = "it starts with a dot";
	else
		for (gsize i = 0; i < n && !why; i++)
			if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
				why = name[i] == '/' ? "it contains a path separator"
						     : "only A-Z a-z 0-9 _ . - are allowed";
	if (why) {
		g_autofree char *shown = g_strndup(name ? name : "", 80);
		for (char *c = shown; *c; c++)
			if ((guchar)*c < 0x20 || (guchar)*c >= 0x7f)
				*c = '?';
		g_set_error(
		    error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME,
		    "“%s” is not a profile name: %s (use 1-64 of A-Z a-z 0-9 _ . -, not starting with a dot)",
		    shown, why);
		return FALSE;
	}
	return TRUE;
}

static void profile_init(L2tpVpnProfile *p)
{
	p->ipsec_enabled = TRUE;
	p->ipsec_auth = IPSEC_AUTH_PSK;
	p->nat_t = IPSEC_NAT_T_AUTO;
	p->dpd_s = 30;
	p->ipsec_timeout_s = 25; /* an unreachable gateway must be reported within 30 s */
	p->l2tp_port = L2TP_PORT;
	p->source_port = L2TP_PORT_POLICY_1701_OR_EPHEMERAL;
	p->hello_interval_s = 60;
	p->retries = 5;
	p->window = 8;
	p->connect_speed_bps = 100000000;
	p->l2tp_timeout_s = 60;
	p->auth = L2TP_PPP_AUTH_ALL;
	p->mtu = L2TP_PPP_DEFAULT_MTU;
	p->mru = L2TP_PPP_DEFAULT_MTU;
	p->lcp_echo_interval = L2TP_PPP_DEFAULT_LCP_ECHO_INTERVAL;
	p->lcp_echo_failure = L2TP_PPP_DEFAULT_LCP_ECHO_FAILURE;
	p->route_mode = L2TP_NET_FULL_TUNNEL;
	p->routes = g_array_new(FALSE, FALSE, sizeof(L2tpNetPrefix));
	p->dns_mode = L2TPVPN_DNS_AUTO;
	p->dns_domains = g_new0(char *, 1);
	p->use_peer_dns = TRUE;
}

void l2tpvpn_profile_free(L2tpVpnProfile *p)
{
	if (!p)
		return;
	char **strings[] = {&p->name,          &p->path,           &p->gateway,         &p->description,
			    &p->local_address, &p->local_id,       &p->remote_id,       &p->certificate,
			    &p->private_key,   &p->ca_certificate, &p->proposal_preset, &p->ike_proposals,
			    &p->esp_proposals, &p->vici_uri,       &p->host_name,       &p->vendor_name,
			    &p->user,          &p->ifname,         &p->pppd_path,       &p->derived_ifname,
			    &p->ipsec_profile};
	for (gsize i = 0; i < G_N_ELEMENTS(strings); i++)
		g_free(*strings[i]);
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++) {
		g_free(p->secrets[k].file);
		l2tpvpn_secret_free(p->secrets[k].value);
	}
	if (p->routes)
		g_array_unref(p->routes);
	g_strfreev(p->dns_domains);
	g_free(p);
}

static void derive_names(L2tpVpnProfile *p)
{
	/* client/ipsec wants [A-Za-z0-9_-]{1,32} in its connection names. */
	p->ipsec_profile = g_strndup(p->name, 32);
	for (char *c = p->ipsec_profile; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-')
			*c = '_';
	/*
	 * "l2tp-NAME" when it fits IFNAMSIZ - 1; else "l2tp-" + 5 characters of
	 * the name + "-" + 4 hex digits of a hash of the whole name, so that long
	 * names with a common prefix still get different interfaces.
	 */
	if (strlen("l2tp-") + strlen(p->name) <= 15)
		p->derived_ifname = g_strconcat("l2tp-", p->name, NULL);
	else
		p->derived_ifname =
		    g_strdup_printf("l2tp-%.5s-%04x", p->name, (guint)(g_str_hash(p->name) & 0xffff));
}

static char *name_from_source(const char *source)
{
	g_autofree char *base = g_path_get_basename(source);
	if (g_str_has_suffix(base, L2TPVPN_PROFILE_SUFFIX) && strlen(base) > strlen(L2TPVPN_PROFILE_SUFFIX))
		base[strlen(base) - strlen(L2TPVPN_PROFILE_SUFFIX)] = '\0';
	return g_steal_pointer(&base);
}

static gboolean parse(Parser *ps, char *text, gsize len, GError **error)
{
	if (!scan(ps, text, len, error))
		return FALSE;

	/* GKeyFile sees every non-secret value, in canonical form, and unescapes it. */
	g_autoptr(GString) canon = g_string_new(NULL);
	for (gsize g = 0; g < G_N_ELEMENTS(groups); g++) {
		if (!g_hash_table_contains(ps->group_lines, groups[g]))
			continue;
		g_string_append_printf(canon, "[%s]\n", groups[g]);
		for (guint i = 0; i < ps->entries->len; i++) {
			Entry *e = &g_array_index(ps->entries, Entry, i);
			if (strcmp(e->group, groups[g]))
				continue;
			if (keys[e->def].type != T_SECRET)
				g_string_append_printf(canon, "%s=%s\n", keys[e->def].key, e->raw);
		}
	}
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	if (!g_key_file_load_from_data(kf, canon->str, canon->len, G_KEY_FILE_NONE, &local))
		return fail_at(ps, 0, L2TPVPN_PROFILE_ERROR_SYNTAX, error, "%s", local->message);

	for (guint i = 0; i < ps->entries->len; i++) {
		Entry *e = &g_array_index(ps->entries, Entry, i);
		if (keys[e->def].type == T_SECRET) {
			if (!set_secret(ps, e, error))
				return FALSE;
			continue;
		}
		/* GKeyFile lets a trailing backslash pass: check the escapes ourselves as for secrets. */
		gsize vlen;
		g_autofree char *check = unescape_secret(e->raw, &vlen);
		g_autofree char *v =
		    check ? g_key_file_get_string(kf, e->group, keys[e->def].key, &local) : NULL;
		if (!v)
			return fail_key(ps, e, L2TPVPN_PROFILE_ERROR_SYNTAX, error,
					"invalid escape sequence (allowed: \\s \\n \\t \\r \\\\)");
		if (!set_value(ps, e, v, error))
			return FALSE;
	}
	return check(ps, error);
}

L2tpVpnProfile *l2tpvpn_profile_load_data(const char *data, gsize len, const char *source, const char *name,
					  GError **error)
{
	g_autoptr(L2tpVpnProfile) p = g_new0(L2tpVpnProfile, 1);
	Parser ps = {.source = source ? source : "<profile>", .p = p};

	profile_init(p);
	p->path = g_strdup(ps.source);
	p->name = name ? g_strdup(name) : name_from_source(ps.source);
	if (!l2tpvpn_profile_name_valid(p->name, error)) {
		g_prefix_error(error, "%s: ", ps.source);
		return NULL;
	}
	if (len > L2TPVPN_PROFILE_MAX_BYTES) {
		fail_at(&ps, 0, L2TPVPN_PROFILE_ERROR_IO, error, "larger than %d bytes",
			L2TPVPN_PROFILE_MAX_BYTES);
		return NULL;
	}

	/* Our own copy: the scanner writes into it, secrets pass through it; wiped afterwards. */
	char *text = g_malloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	ps.group_lines = g_hash_table_new(g_str_hash, g_str_equal);
	ps.entries = g_array_sized_new(FALSE, FALSE, sizeof(Entry), G_N_ELEMENTS(keys));
	gboolean ok = parse(&ps, text, len, error);
	g_hash_table_unref(ps.group_lines);
	g_array_unref(ps.entries);
	l2tpvpn_wipe_free(text, len + 1);
	if (!ok)
		return NULL;
	derive_names(p);
	return g_steal_pointer(&p);
}

L2tpVpnProfile *l2tpvpn_profile_load_file(const char *path, GError **error)
{
	gsize len = 0;
	char *buf = l2tpvpn_read_private_file(path, TRUE, L2TPVPN_PROFILE_MAX_BYTES, "profile", &len, error);
	if (!buf)
		return NULL;
	L2tpVpnProfile *p = l2tpvpn_profile_load_data(buf, len, path, NULL, error);
	l2tpvpn_wipe_free(buf, len);
	return p;
}

char *l2tpvpn_profile_path_for_name(const char *dir, const char *name, GError **error)
{
	if (!l2tpvpn_profile_name_valid(name, error))
		return NULL;
	g_autofree char *file = g_strconcat(name, L2TPVPN_PROFILE_SUFFIX, NULL);
	return g_build_filename(dir ? dir : L2TPVPN_PROFILE_DIR, file, NULL);
}

L2tpVpnProfile *l2tpvpn_profile_open(const char *name_or_path, const char *dir, GError **error)
{
	if (name_or_path && strchr(name_or_path, '/'))
		return l2tpvpn_profile_load_file(name_or_path, error);
	g_autofree char *path = l2tpvpn_profile_path_for_name(dir, name_or_path, error);
	if (!path)
		return NULL;
	g_autoptr(GError) local = NULL;
	L2tpVpnProfile *p = l2tpvpn_profile_load_file(path, &local);
	if (!p && g_error_matches(local, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND)) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND,
			    "no profile “%s”: %s does not exist (`l2tp-vpn list` shows the profiles)",
			    name_or_path, path);
		return NULL;
	}
	if (!p)
		g_propagate_error(error, g_steal_pointer(&local));
	return p;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GStrv l2tpvpn_profile_list(const char *dir, GError **error)
{
	const char *d = dir ? dir : L2TPVPN_PROFILE_DIR;
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) gd = g_dir_open(d, 0, &local);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	if (!gd) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_ptr_array_add(names, NULL);
			return (GStrv)g_ptr_array_free(names, FALSE);
		}
		g_ptr_array_unref(names);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO,
			    "profile directory %s: %s", d, local->message);
		return NULL;
	}
	const char *entry_name;
	while ((entry_name = g_dir_read_name(gd))) {
		if (!g_str_has_suffix(entry_name, L2TPVPN_PROFILE_SUFFIX))
			continue;
		g_autofree char *name =
		    g_strndup(entry_name, strlen(entry_name) - strlen(L2TPVPN_PROFILE_SUFFIX));
		if (!l2tpvpn_profile_name_valid(name, NULL))
			continue;
		g_autofree char *path = g_build_filename(d, entry_name, NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			continue;
		g_ptr_array_add(names, g_steal_pointer(&name));
	}
	g_ptr_array_sort(names, compare_names);
	g_ptr_array_set_free_func(names, NULL);
	g_ptr_array_add(names, NULL);
	return (GStrv)g_ptr_array_free(names, FALSE);
}

/* ---- secrets ------------------------------------------------------------- */

static gboolean secret_needed(const L2tpVpnProfile *p, L2tpVpnSecretKind kind)
{
	if (p->secrets[kind].source == L2TPVPN_SECRET_SOURCE_NONE)
		return FALSE;
	switch (kind) {
	case L2TPVPN_SECRET_PSK:
		return p->ipsec_enabled && p->ipsec_auth == IPSEC_AUTH_PSK;
	case L2TPVPN_SECRET_KEY_PASSWORD:
		return p->ipsec_enabled;
	default:
		return TRUE;
	}
}

gboolean l2tpvpn_profile_resolve_secrets(L2tpVpnProfile *p, L2tpVpnSecretAskFunc ask, gpointer user_data,
					 GError **error)
{
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++) {
		L2tpVpnProfileSecret *s = &p->secrets[k];
		L2tpVpnSecret *v = NULL;

		if (!secret_needed(p, k) || s->value)
			continue;
		switch (s->source) {
		case L2TPVPN_SECRET_SOURCE_FILE:
			v = l2tpvpn_secret_read_file(s->file, TRUE, error);
			break;
		case L2TPVPN_SECRET_SOURCE_LIBSECRET:
			v = l2tpvpn_secret_libsecret_lookup(p->name, k, error);
			break;
		case L2TPVPN_SECRET_SOURCE_ASK: {
			if (!ask) {
				g_set_error(
				    error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_NEEDED,
				    "%s: the %s is not in the profile and cannot be asked for here: run "
				    "interactively, use --password-stdin, or set it in the profile (a -file= "
				    "key or -source=libsecret)",
				    p->path, l2tpvpn_secret_kind_describe(k));
				return FALSE;
			}
			L2tpVpnSecretRequest req = {
			    .profile = p->name,
			    .kind = k,
			    .description = l2tpvpn_secret_kind_describe(k),
			    .user = k == L2TPVPN_SECRET_PPP_PASSWORD ? p->user : NULL,
			    .gateway = p->gateway,
			};
			g_autoptr(GError) local = NULL;
			v = ask(&req, user_data, &local);
			if (!v && !local)
				g_set_error(&local, L2TPVPN_PROFILE_ERROR,
					    L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED, "no %s given",
					    l2tpvpn_secret_kind_describe(k));
			if (v && l2tpvpn_secret_len(v) == 0) {
				l2tpvpn_secret_free(g_steal_pointer(&v));
				g_set_error(&local, L2TPVPN_PROFILE_ERROR,
					    L2TPVPN_PROFILE_ERROR_SECRET_INVALID, "the %s given is empty",
					    l2tpvpn_secret_kind_describe(k));
			}
			if (!v)
				g_propagate_error(error, g_steal_pointer(&local));
			break;
		}
		case L2TPVPN_SECRET_SOURCE_NONE:
		case L2TPVPN_SECRET_SOURCE_INLINE:
			g_assert_not_reached();
		}
		if (!v) {
			g_prefix_error(error, "%s: %s: ", p->path, l2tpvpn_secret_kind_describe(k));
			return FALSE;
		}
		s->value = v;
	}
	return TRUE;
}

const char *l2tpvpn_profile_get_secret(const L2tpVpnProfile *p, L2tpVpnSecretKind kind)
{
	return kind < L2TPVPN_SECRET_N_KINDS ? l2tpvpn_secret_get(p->secrets[kind].value) : NULL;
}

/* ---- rendering ----------------------------------------------------------- */

static const char *enum_name(const EnumValue *values, int v)
{
	for (const EnumValue *e = values; e->name; e++)
		if (e->value == v)
			return e->name;
	return "?";
}

static void put_secret(GKeyFile *kf, const L2tpVpnProfile *p, const char *group, const char *key,
		       L2tpVpnSecretKind kind)
{
	const L2tpVpnProfileSecret *s = &p->secrets[kind];
	g_autofree char *k = NULL;

	switch (s->source) {
	case L2TPVPN_SECRET_SOURCE_NONE:
		break;
	case L2TPVPN_SECRET_SOURCE_INLINE:
		g_key_file_set_string(kf, group, key, "********");
		break;
	case L2TPVPN_SECRET_SOURCE_FILE:
		k = g_strconcat(key, "-file", NULL);
		g_key_file_set_string(kf, group, k, s->file);
		break;
	case L2TPVPN_SECRET_SOURCE_LIBSECRET:
	case L2TPVPN_SECRET_SOURCE_ASK:
		k = g_strconcat(key, "-source", NULL);
		g_key_file_set_string(kf, group, k, l2tpvpn_secret_source_name(s->source));
		break;
	}
}

static void put_str(GKeyFile *kf, const char *group, const char *key, const char *v)
{
	if (v)
		g_key_file_set_string(kf, group, key, v);
}

static void put_uint(GKeyFile *kf, const char *group, const char *key, guint v)
{
	g_key_file_set_uint64(kf, group, key, v);
}

static void put_bool(GKeyFile *kf, const char *group, const char *key, gboolean v)
{
	g_key_file_set_string(kf, group, key, v ? "yes" : "no");
}

char *l2tpvpn_profile_to_string_masked(const L2tpVpnProfile *p)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	char buf[64];

	put_str(kf, "connection", "gateway", p->gateway);
	put_str(kf, "connection", "description", p->description);
	put_bool(kf, "connection", "autoconnect", p->autoconnect);
	put_str(kf, "connection", "local-address", p->local_address);

	put_bool(kf, "ipsec", "enabled", p->ipsec_enabled);
	put_str(kf, "ipsec", "auth", enum_name(auth_values, p->ipsec_auth));
	put_secret(kf, p, "ipsec", "psk", L2TPVPN_SECRET_PSK);
	put_str(kf, "ipsec", "mode", p->aggressive ? "aggressive" : "main");
	put_str(kf, "ipsec", "local-id", p->local_id);
	put_str(kf, "ipsec", "remote-id", p->remote_id);
	put_str(kf, "ipsec", "certificate", p->certificate);
	put_str(kf, "ipsec", "private-key", p->private_key);
	put_secret(kf, p, "ipsec", "private-key-password", L2TPVPN_SECRET_KEY_PASSWORD);
	put_str(kf, "ipsec", "ca-certificate", p->ca_certificate);
	put_str(kf, "ipsec", "proposals",
		p->ike_proposals ? p->ike_proposals : (p->proposal_preset ? p->proposal_preset : "default"));
	put_str(kf, "ipsec", "esp-proposals", p->esp_proposals);
	put_bool(kf, "ipsec", "pfs", p->pfs);
	put_str(kf, "ipsec", "nat-traversal", enum_name(nat_values, p->nat_t));
	put_uint(kf, "ipsec", "dpd", p->dpd_s);
	put_uint(kf, "ipsec", "ike-lifetime", p->ike_lifetime_s);
	put_uint(kf, "ipsec", "sa-lifetime", p->sa_lifetime_s);
	put_uint(kf, "ipsec", "timeout", p->ipsec_timeout_s);
	put_str(kf, "ipsec", "vici-socket", p->vici_uri ? p->vici_uri : IPSEC_DEFAULT_VICI_URI);

	put_uint(kf, "l2tp", "port", p->l2tp_port);
	put_str(kf, "l2tp", "source-port", enum_name(port_values, p->source_port));
	put_str(kf, "l2tp", "host-name", p->host_name);
	put_str(kf, "l2tp", "vendor-name", p->vendor_name);
	put_secret(kf, p, "l2tp", "secret", L2TPVPN_SECRET_L2TP_SECRET);
	put_bool(kf, "l2tp", "hide-avps", p->hide_avps);
	put_uint(kf, "l2tp", "hello-interval", p->hello_interval_s);
	put_uint(kf, "l2tp", "retries", p->retries);
	put_uint(kf, "l2tp", "window", p->window);
	put_bool(kf, "l2tp", "rx-connect-speed", p->rx_connect_speed);
	put_uint(kf, "l2tp", "connect-speed", p->connect_speed_bps);
	put_uint(kf, "l2tp", "timeout", p->l2tp_timeout_s);

	put_str(kf, "ppp", "user", p->user);
	put_secret(kf, p, "ppp", "password", L2TPVPN_SECRET_PPP_PASSWORD);
	g_autoptr(GString) auth = g_string_new(NULL);
	static const EnumValue methods[] = {
	    {"pap", L2TP_PPP_AUTH_PAP},       {"chap", L2TP_PPP_AUTH_CHAP},
	    {"mschap", L2TP_PPP_AUTH_MSCHAP}, {"mschapv2", L2TP_PPP_AUTH_MSCHAP_V2},
	    {"eap", L2TP_PPP_AUTH_EAP},       {NULL, 0}};
	for (const EnumValue *m = methods; m->name; m++)
		if (p->auth & (guint)m->value)
			g_string_append_printf(auth, "%s%s", auth->len ? "," : "", m->name);
	put_str(kf, "ppp", "auth", auth->str);
	put_uint(kf, "ppp", "mtu", p->mtu);
	put_uint(kf, "ppp", "mru", p->mru);
	put_bool(kf, "ppp", "mppe", p->mppe);
	put_uint(kf, "ppp", "lcp-echo-interval", p->lcp_echo_interval);
	put_uint(kf, "ppp", "lcp-echo-failure", p->lcp_echo_failure);
	put_str(kf, "ppp", "interface-name", l2tpvpn_profile_ifname(p));
	put_str(kf, "ppp", "pppd", p->pppd_path);
	put_bool(kf, "ppp", "debug", p->ppp_debug);

	put_str(kf, "routes", "mode", enum_name(route_values, p->route_mode));
	if (p->routes->len) {
		g_autoptr(GString) r = g_string_new(NULL);
		for (guint i = 0; i < p->routes->len; i++) {
			L2tpNetPrefix *pr = &g_array_index(p->routes, L2tpNetPrefix, i);
			inet_ntop(AF_INET, &pr->addr, buf, sizeof(buf));
			g_string_append_printf(r, "%s%s/%u", i ? "," : "", buf, pr->plen);
		}
		put_str(kf, "routes", "routes", r->str);
	}

	put_str(kf, "dns", "mode", enum_name(dns_values, p->dns_mode));
	if (p->n_dns_servers) {
		g_autoptr(GString) r = g_string_new(NULL);
		for (guint i = 0; i < p->n_dns_servers; i++) {
			inet_ntop(AF_INET, &p->dns_servers[i], buf, sizeof(buf));
			g_string_append_printf(r, "%s%s", i ? "," : "", buf);
		}
		put_str(kf, "dns", "servers", r->str);
	}
	if (p->dns_domains[0]) {
		g_autofree char *d = g_strjoinv(",", p->dns_domains);
		put_str(kf, "dns", "domains", d);
	}
	if (p->dns_mode != L2TPVPN_DNS_OFF)
		put_bool(kf, "dns", "use-peer-dns", p->use_peer_dns);

	return g_key_file_to_data(kf, NULL, NULL);
}

/* ---- conversions --------------------------------------------------------- */

const char *l2tpvpn_profile_ifname(const L2tpVpnProfile *p)
{
	return p->ifname ? p->ifname : p->derived_ifname;
}

/*
 * How often the IPsec layer checks that charon still holds our conn and secret (an admin's
 * `swanctl --load-all` drops them): they are needed again only at the next IKE
 * reauthentication, so a few checks per IKE lifetime, at most every 5 minutes. Every check
 * wakes l2tp-vpnd and charon; at the IPsec layer's 5 s they were l2tp-vpnd's only idle
 * wake-ups (lab daemon-idle: ~2 a second).
 */
static guint ipsec_watch_interval_ms(guint ike_lifetime_s)
{
	guint lifetime = ike_lifetime_s ? ike_lifetime_s : 3 * 3600; /* charon's default */

	return CLAMP(lifetime / 4, 5, 300) * 1000;
}

void l2tpvpn_profile_ipsec_settings(const L2tpVpnProfile *p, IpsecSettings *s)
{
	ipsec_settings_init(s);
	if (p->vici_uri)
		s->vici_uri = p->vici_uri;
	s->profile = p->ipsec_profile;
	s->gateway = p->gateway;
	s->local_address = p->local_address;
	s->remote_port = (guint16)p->l2tp_port;
	s->aggressive = p->aggressive;
	s->auth = (IpsecAuth)p->ipsec_auth;
	s->psk = p->ipsec_auth == IPSEC_AUTH_PSK ? l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK) : NULL;
	s->cert_path = p->certificate;
	s->key_path = p->private_key;
	s->key_passphrase = l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_KEY_PASSWORD);
	s->ca_cert_path = p->ca_certificate;
	s->local_id = p->local_id;
	s->remote_id = p->remote_id;
	s->proposal_preset = p->proposal_preset;
	s->ike_proposals = p->ike_proposals;
	s->esp_proposals = p->esp_proposals;
	s->pfs = p->pfs;
	s->nat_t = (IpsecNatT)p->nat_t;
	s->dpd_delay_s = p->dpd_s;
	s->ike_lifetime_s = p->ike_lifetime_s;
	s->watch_interval_ms = ipsec_watch_interval_ms(p->ike_lifetime_s);
	s->child_lifetime_s = p->sa_lifetime_s;
	s->initiate_timeout_ms = p->ipsec_timeout_s * 1000;
}

void l2tpvpn_profile_l2tp_config(const L2tpVpnProfile *p, struct l2tp_lac_config *lac,
				 struct l2tp_udp_config *udp)
{
	const L2tpVpnSecret *secret = p->secrets[L2TPVPN_SECRET_L2TP_SECRET].value;

	l2tp_lac_config_defaults(lac);
	lac->host_name = p->host_name ? p->host_name : g_get_host_name();
	lac->vendor_name = p->vendor_name;
	lac->secret = (const uint8_t *)l2tpvpn_secret_get(secret);
	lac->secret_len = l2tpvpn_secret_len(secret);
	lac->hide_avps = p->hide_avps;
	lac->send_rx_connect_speed = p->rx_connect_speed;
	lac->connect_speed_bps = p->connect_speed_bps;
	lac->hello_interval_ms = p->hello_interval_s * 1000;
	lac->retries = p->retries;
	lac->rx_window = (uint16_t)p->window;
	lac->setup_timeout_ms = p->l2tp_timeout_s * 1000;

	memset(udp, 0, sizeof(*udp));
	udp->lns_address = NULL; /* the orchestrator's resolved, numeric gateway address */
	udp->lns_port = (guint16)p->l2tp_port;
	udp->local_address = p->local_address;
	udp->port_policy = (L2tpPortPolicy)p->source_port;
	udp->follow_lns_port = !p->ipsec_enabled; /* IPsec covers the LNS's configured port only */
}

void l2tpvpn_profile_ppp_launch(const L2tpVpnProfile *p, L2tpPppLaunch *out)
{
	memset(out, 0, sizeof(*out));
	l2tp_ppp_options_init(&out->ppp);
	out->pppol2tp_socket = -1;
	out->ppp.ifname = l2tpvpn_profile_ifname(p);
	out->ppp.linkname = p->name;
	out->ppp.auth = p->auth;
	out->ppp.mtu = p->mtu;
	out->ppp.mru = p->mru;
	out->ppp.mppe = p->mppe;
	out->ppp.ipsec = p->ipsec_enabled;
	out->ppp.lcp_echo_interval = p->lcp_echo_interval ? p->lcp_echo_interval : G_MAXUINT;
	out->ppp.lcp_echo_failure = p->lcp_echo_failure;
	out->ppp.debug = p->ppp_debug;
	out->pppd_path = p->pppd_path;
	out->user = p->user;
	out->password = l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PPP_PASSWORD);
}

void l2tpvpn_profile_net(const L2tpVpnProfile *p, const struct in_addr *peer_dns, guint n_peer_dns,
			 struct in_addr dns_storage[L2TP_NET_MAX_DNS], L2tpNetContext *ctx,
			 L2tpNetPlanInput *in)
{
	static const L2tpNetDnsBackend backends[] = {
	    [L2TPVPN_DNS_AUTO] = L2TP_NET_DNS_AUTO,
	    [L2TPVPN_DNS_RESOLVED] = L2TP_NET_DNS_RESOLVED,
	    [L2TPVPN_DNS_RESOLVCONF] = L2TP_NET_DNS_RESOLVCONF,
	    [L2TPVPN_DNS_FILE] = L2TP_NET_DNS_FILE,
	    [L2TPVPN_DNS_OFF] = L2TP_NET_DNS_NONE,
	};
	guint n = 0;

	memset(ctx, 0, sizeof(*ctx));
	ctx->name = p->name;
	ctx->dns_backend = backends[p->dns_mode];

	memset(in, 0, sizeof(*in));
	in->mode = (L2tpNetMode)p->route_mode;
	in->ifname = l2tpvpn_profile_ifname(p);
	in->routes = (const L2tpNetPrefix *)(void *)p->routes->data;
	in->n_routes = p->routes->len;
	in->domains = (const char *const *)p->dns_domains;
	for (guint i = 0; i < p->n_dns_servers && n < L2TP_NET_MAX_DNS; i++)
		dns_storage[n++] = p->dns_servers[i];
	for (guint i = 0; p->use_peer_dns && i < n_peer_dns && n < L2TP_NET_MAX_DNS; i++)
		if (peer_dns[i].s_addr != INADDR_ANY)
			dns_storage[n++] = peer_dns[i];
	in->dns = dns_storage;
	in->n_dns = n;
	/* use-peer-dns=no already left the gateway's servers out; off skips DNS altogether. */
	in->ignore_vpn_dns = p->dns_mode == L2TPVPN_DNS_OFF;
}
