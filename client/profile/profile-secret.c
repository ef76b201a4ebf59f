/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secrets: wiped memory, secret files, --password-stdin, libsecret (optional). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "profile-private.h"

#define SECRET_MAX_BYTES 4096

struct _L2tpVpnSecret {
	gsize len;
	char data[];
};

void l2tpvpn_wipe_free(void *buf, gsize len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	g_free(buf);
}

void l2tpvpn_secret_wipe_string(char *text)
{
	if (text)
		l2tpvpn_wipe_free(text, strlen(text));
}

L2tpVpnSecret *l2tpvpn_secret_new(const char *data, gsize len)
{
	L2tpVpnSecret *s = g_malloc(sizeof(*s) + len + 1);

	s->len = len;
	if (len)
		memcpy(s->data, data, len);
	s->data[len] = '\0';
	return s;
}

L2tpVpnSecret *l2tpvpn_secret_dup(const L2tpVpnSecret *secret)
{
	return secret ? l2tpvpn_secret_new(secret->data, secret->len) : NULL;
}

const char *l2tpvpn_secret_get(const L2tpVpnSecret *secret)
{
	return secret ? secret->data : NULL;
}

gsize l2tpvpn_secret_len(const L2tpVpnSecret *secret)
{
	return secret ? secret->len : 0;
}

void l2tpvpn_secret_free(L2tpVpnSecret *secret)
{
	if (secret)
		l2tpvpn_wipe_free(secret, sizeof(*secret) + secret->len + 1);
}

static const char *const kind_names[L2TPVPN_SECRET_N_KINDS] = {
    [L2TPVPN_SECRET_PSK] = "psk",
    [L2TPVPN_SECRET_PPP_PASSWORD] = "ppp-password",
    [L2TPVPN_SECRET_L2TP_SECRET] = "l2tp-secret",
    [L2TPVPN_SECRET_KEY_PASSWORD] = "key-password",
};

static const char *const kind_descriptions[L2TPVPN_SECRET_N_KINDS] = {
    [L2TPVPN_SECRET_PSK] = "IPsec pre-shared key",
    [L2TPVPN_SECRET_PPP_PASSWORD] = "PPP password",
    [L2TPVPN_SECRET_L2TP_SECRET] = "L2TP tunnel secret",
    [L2TPVPN_SECRET_KEY_PASSWORD] = "private key passphrase",
};

const char *l2tpvpn_secret_kind_name(L2tpVpnSecretKind kind)
{
	return kind < L2TPVPN_SECRET_N_KINDS ? kind_names[kind] : "unknown";
}

const char *l2tpvpn_secret_kind_describe(L2tpVpnSecretKind kind)
{
	return kind < L2TPVPN_SECRET_N_KINDS ? kind_descriptions[kind] : "secret";
}

const char *l2tpvpn_secret_source_name(L2tpVpnSecretSource source)
{
	switch (source) {
	case L2TPVPN_SECRET_SOURCE_NONE:
		return "none";
	case L2TPVPN_SECRET_SOURCE_INLINE:
		return "inline";
	case L2TPVPN_SECRET_SOURCE_FILE:
		return "file";
	case L2TPVPN_SECRET_SOURCE_LIBSECRET:
		return "libsecret";
	case L2TPVPN_SECRET_SOURCE_ASK:
		return "ask";
	}
	return "unknown";
}

/* ---- files --------------------------------------------------------------- */

char *l2tpvpn_read_private_file(const char *path, gboolean check_owner, gsize max, const char *what,
				gsize *len, GError **error)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		int e = errno;
		g_set_error(error, L2TPVPN_PROFILE_ERROR,
			    e == ENOENT || e == ENOTDIR ? L2TPVPN_PROFILE_ERROR_NOT_FOUND
							: L2TPVPN_PROFILE_ERROR_IO,
			    "%s %s: %s", what, path, g_strerror(e));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO, "%s %s: %s", what, path,
			    g_strerror(e));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO,
			    "%s %s: not a regular file", what, path);
		return NULL;
	}
	if (check_owner && st.st_uid != 0) {
		close(fd);
		g_set_error(
		    error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_OWNER,
		    "%s %s is owned by uid %u, not root; it holds secrets, so only root may own it: run "
		    "`chown root:root %s`",
		    what, path, (unsigned)st.st_uid, path);
		return NULL;
	}
	if (check_owner && (st.st_mode & 077)) {
		close(fd);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_PERMISSIONS,
			    "%s %s has mode %04o: group or others may access it, and it holds secrets: run "
			    "`chmod 600 %s`",
			    what, path, (unsigned)(st.st_mode & 07777), path);
		return NULL;
	}
	if ((guint64)st.st_size > max) {
		close(fd);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO,
			    "%s %s is %" G_GUINT64_FORMAT " bytes; at most %" G_GSIZE_FORMAT " are allowed",
			    what, path, (guint64)st.st_size, max);
		return NULL;
	}

	/* Read up to max + 1 so a file that grew since fstat() is still caught. */
	gsize cap = max + 1, n = 0;
	char *buf = g_malloc(cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			l2tpvpn_wipe_free(buf, cap + 1);
			g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO, "%s %s: %s", what,
				    path, g_strerror(e));
			return NULL;
		}
		if (r == 0)
			break;
		n += (gsize)r;
		if (n == cap)
			break;
	}
	close(fd);
	if (n > max) {
		l2tpvpn_wipe_free(buf, cap + 1);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO,
			    "%s %s is larger than %" G_GSIZE_FORMAT " bytes", what, path, max);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	/* The caller wipes exactly len bytes: clear the unused tail now. */
	explicit_bzero(buf + n, cap + 1 - n);
	return buf;
}

/* Strips one trailing "\n" or "\r\n"; refuses empty, NUL and inner line breaks. */
static L2tpVpnSecret *secret_from_text(const char *text, gsize len, const char *where, GError **error)
{
	if (len > 0 && text[len - 1] == '\n') {
		len--;
		if (len > 0 && text[len - 1] == '\r')
			len--;
	}
	if (len == 0) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "%s: the secret is empty", where);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "%s: the secret contains a NUL byte", where);
		return NULL;
	}
	if (memchr(text, '\n', len) || memchr(text, '\r', len)) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "%s: the secret spans more than one line (only one trailing newline is allowed)",
			    where);
		return NULL;
	}
	if (len > SECRET_MAX_BYTES) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "%s: the secret is longer than %d bytes", where, SECRET_MAX_BYTES);
		return NULL;
	}
	return l2tpvpn_secret_new(text, len);
}

L2tpVpnSecret *l2tpvpn_secret_read_file(const char *path, gboolean check_owner, GError **error)
{
	gsize len = 0;
	char *buf =
	    l2tpvpn_read_private_file(path, check_owner, SECRET_MAX_BYTES + 2, "secret file", &len, error);

	if (!buf)
		return NULL;
	g_autofree char *where = g_strdup_printf("secret file %s", path);
	L2tpVpnSecret *s = secret_from_text(buf, len, where, error);
	l2tpvpn_wipe_free(buf, len);
	return s;
}

L2tpVpnSecret *l2tpvpn_secret_read_fd(int fd, GError **error)
{
	char buf[SECRET_MAX_BYTES + 2];
	gsize n = 0;
	gboolean newline = FALSE;

	while (n < sizeof(buf)) {
		ssize_t r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			explicit_bzero(buf, sizeof(buf));
			g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO,
				    "reading a secret from fd %d: %s", fd, g_strerror(e));
			return NULL;
		}
		if (r == 0)
			break;
		if (buf[n++] == '\n') {
			newline = TRUE;
			break;
		}
	}
	L2tpVpnSecret *s = NULL;
	if (n == 0)
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "no secret on fd %d: end of input", fd);
	else if (!newline && n == sizeof(buf))
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID,
			    "secret on fd %d is longer than %d bytes", fd, SECRET_MAX_BYTES);
	else {
		g_autofree char *where = g_strdup_printf("secret on fd %d", fd);
		s = secret_from_text(buf, n, where, error);
	}
	explicit_bzero(buf, sizeof(buf));
	return s;
}

L2tpVpnSecret *l2tpvpn_secret_ask_fd(const L2tpVpnSecretRequest *request, gpointer user_data, GError **error)
{
	return l2tpvpn_secret_read_fd(GPOINTER_TO_INT(user_data), error);
}

/* ---- libsecret ----------------------------------------------------------- */

#ifdef HAVE_LIBSECRET

static const SecretSchema *l2tpvpn_schema(void)
{
	static const SecretSchema schema = {
	    "org.l2tp-vpn.Secret",
	    SECRET_SCHEMA_NONE,
	    {
		{"profile", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{NULL, 0},
	    },
	};
	return &schema;
}

static void set_unavailable(GError **error, GError *cause, const char *profile, L2tpVpnSecretKind kind)
{
	g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE,
		    "libsecret: the Secret Service cannot be reached for the %s of profile %s: %s (is a "
		    "keyring running in this session? otherwise use a -file= key)",
		    l2tpvpn_secret_kind_describe(kind), profile, cause->message);
}

gboolean l2tpvpn_secret_have_libsecret(void)
{
	return TRUE;
}

L2tpVpnSecret *l2tpvpn_secret_libsecret_lookup(const char *profile, L2tpVpnSecretKind kind, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *pw = secret_password_lookup_sync(l2tpvpn_schema(), NULL, &local, "profile", profile, "kind",
					       l2tpvpn_secret_kind_name(kind), NULL);
	if (local) {
		set_unavailable(error, local, profile, kind);
		return NULL;
	}
	if (!pw) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE,
			    "libsecret: no %s stored for profile %s (store it with `secret-tool store "
			    "--label='l2tp-vpn %s' profile %s kind %s`)",
			    l2tpvpn_secret_kind_describe(kind), profile, profile, profile,
			    l2tpvpn_secret_kind_name(kind));
		return NULL;
	}
	g_autofree char *where = g_strdup_printf("libsecret item for profile %s", profile);
	L2tpVpnSecret *s = secret_from_text(pw, strlen(pw), where, error);
	secret_password_free(pw);
	return s;
}

gboolean l2tpvpn_secret_libsecret_store(const char *profile, L2tpVpnSecretKind kind,
					const L2tpVpnSecret *secret, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *label =
	    g_strdup_printf("l2tp-vpn %s: %s", profile, l2tpvpn_secret_kind_describe(kind));
	if (!secret_password_store_sync(l2tpvpn_schema(), SECRET_COLLECTION_DEFAULT, label,
					l2tpvpn_secret_get(secret), NULL, &local, "profile", profile, "kind",
					l2tpvpn_secret_kind_name(kind), NULL)) {
		set_unavailable(error, local, profile, kind);
		return FALSE;
	}
	return TRUE;
}

gboolean l2tpvpn_secret_libsecret_clear(const char *profile, L2tpVpnSecretKind kind, GError **error)
{
	g_autoptr(GError) local = NULL;
	secret_password_clear_sync(l2tpvpn_schema(), NULL, &local, "profile", profile, "kind",
				   l2tpvpn_secret_kind_name(kind), NULL);
	if (local) {
		set_unavailable(error, local, profile, kind);
		return FALSE;
	}
	return TRUE;
}

#else /* !HAVE_LIBSECRET */

static void set_no_libsecret(GError **error)
{
	g_set_error_literal(
	    error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NO_LIBSECRET,
	    "l2tp-vpn was built without libsecret: keep the secret in the profile, in a -file= "
	    "key, or let it be asked for");
}

gboolean l2tpvpn_secret_have_libsecret(void)
{
	return FALSE;
}

L2tpVpnSecret *l2tpvpn_secret_libsecret_lookup(const char *profile, L2tpVpnSecretKind kind, GError **error)
{
	set_no_libsecret(error);
	return NULL;
}

gboolean l2tpvpn_secret_libsecret_store(const char *profile, L2tpVpnSecretKind kind,
					const L2tpVpnSecret *secret, GError **error)
{
	set_no_libsecret(error);
	return FALSE;
}

gboolean l2tpvpn_secret_libsecret_clear(const char *profile, L2tpVpnSecretKind kind, GError **error)
{
	set_no_libsecret(error);
	return FALSE;
}

#endif
