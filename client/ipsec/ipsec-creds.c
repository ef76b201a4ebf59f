// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * X.509 credentials: read a certificate (PEM/DER) or PKCS#12 bundle and a maybe
 * encrypted private key, decrypt locally with GnuTLS, and hand charon only PEM
 * certificates and an unencrypted key (charon's load-key takes no passphrase
 * over vici; FACTS §4). Key material lives in wiped buffers only.
 */
#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ipsec-private.h"

static GError *cred_error(const char *what, const char *path, int rc)
{
	return g_error_new(IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS, "%s %s: %s", what, path,
			   gnutls_strerror(rc));
}

static void datum_wipe(gnutls_datum_t *d)
{
	if (d->data) {
		explicit_bzero(d->data, d->size);
		g_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

static gboolean read_file(const char *path, gnutls_datum_t *out, GError **error)
{
	gchar *data;
	gsize len;
	g_autoptr(GError) io = NULL;
	if (!g_file_get_contents(path, &data, &len, &io)) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS, "Cannot read %s", io->message);
		return FALSE;
	}
	out->data = (unsigned char *)data;
	out->size = (unsigned)len;
	return TRUE;
}

/* Exports a key as PEM into a g_malloc buffer (so it can be wiped and freed alike). */
static gboolean export_key(gnutls_x509_privkey_t key, IpsecCreds *creds, GError **error)
{
	gnutls_datum_t pem = {0};
	int rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem);
	if (rc < 0) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS, "Cannot export private key: %s",
			    gnutls_strerror(rc));
		return FALSE;
	}
	gnutls_datum_t copy = {g_memdup2(pem.data, pem.size), pem.size};
	explicit_bzero(pem.data, pem.size);
	gnutls_free(pem.data);
	int algo = gnutls_x509_privkey_get_pk_algorithm(key);
	creds->key_type = algo == GNUTLS_PK_RSA ? "rsa" : algo == GNUTLS_PK_ECDSA ? "ecdsa" : "any";
	/* Wiped by the GBytes free function only for its own memory: keep a wiping owner. */
	creds->key_pem = g_bytes_new_with_free_func(copy.data, copy.size, (GDestroyNotify)g_free, copy.data);
	return TRUE;
}

static gboolean export_cert(gnutls_x509_crt_t crt, GBytes **out, char **subject, GError **error)
{
	gnutls_datum_t pem = {0};
	int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
	if (rc < 0) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS, "Cannot export certificate: %s",
			    gnutls_strerror(rc));
		return FALSE;
	}
	*out = g_bytes_new(pem.data, pem.size);
	gnutls_free(pem.data);
	if (subject) {
		gnutls_datum_t dn = {0};
		if (gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
			/* GnuTLS writes RFC 4514 order (CN first); charon parses either, as an ASN.1 DN. */
			*subject = g_strndup((const char *)dn.data, dn.size);
			gnutls_free(dn.data);
		}
	}
	return TRUE;
}

static gboolean import_cert(const char *path, gnutls_x509_crt_t crt, GError **error)
{
	gnutls_datum_t data = {0};
	if (!read_file(path, &data, error))
		return FALSE;
	int rc = gnutls_x509_crt_import(crt, &data, GNUTLS_X509_FMT_PEM);
	if (rc < 0)
		rc = gnutls_x509_crt_import(crt, &data, GNUTLS_X509_FMT_DER);
	datum_wipe(&data);
	if (rc < 0) {
		*error = cred_error("Not a PEM or DER X.509 certificate:", path, rc);
		return FALSE;
	}
	return TRUE;
}

static GError *key_error(const char *path, int rc, gboolean have_passphrase)
{
	if (rc == GNUTLS_E_DECRYPTION_FAILED || rc == GNUTLS_E_MAC_VERIFY_FAILED)
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS, "Cannot decrypt %s: %s", path,
				   have_passphrase ? "wrong passphrase"
						   : "it is encrypted and no passphrase was given");
	return cred_error("Cannot read private key", path, rc);
}

static gboolean load_key_file(const IpsecSettings *s, gnutls_x509_privkey_t key, GError **error)
{
	gnutls_datum_t data = {0};
	if (!read_file(s->key_path, &data, error))
		return FALSE;
	int rc = gnutls_x509_privkey_import2(key, &data, GNUTLS_X509_FMT_PEM, s->key_passphrase, 0);
	if (rc < 0 && rc != GNUTLS_E_DECRYPTION_FAILED)
		rc = gnutls_x509_privkey_import2(key, &data, GNUTLS_X509_FMT_DER, s->key_passphrase, 0);
	datum_wipe(&data);
	if (rc < 0) {
		*error = key_error(s->key_path, rc, s->key_passphrase != NULL);
		return FALSE;
	}
	return TRUE;
}

static gboolean load_pkcs12(const IpsecSettings *s, gnutls_x509_privkey_t *key, gnutls_x509_crt_t *crt,
			    gnutls_x509_crt_t *ca, GError **error)
{
	gnutls_datum_t data = {0};
	gnutls_pkcs12_t p12;
	if (!read_file(s->cert_path, &data, error))
		return FALSE;
	gnutls_pkcs12_init(&p12);
	int rc = gnutls_pkcs12_import(p12, &data, GNUTLS_X509_FMT_DER, 0);
	if (rc < 0)
		rc = gnutls_pkcs12_import(p12, &data, GNUTLS_X509_FMT_PEM, 0);
	datum_wipe(&data);
	gnutls_x509_crt_t *chain = NULL, *extra = NULL;
	unsigned chain_len = 0, extra_len = 0;
	const char *pass = s->key_passphrase ? s->key_passphrase : "";
	/* The MAC first: a wrong passphrase then fails as one. Decrypting with it instead yields
	 * garbage that passes the padding check one time in ~256 and then fails to parse
	 * (ipsec-interop once reported "ASN1 parser: Error in TAG"). A bundle without a MAC
	 * goes straight to the parse. */
	if (rc >= 0 && gnutls_pkcs12_verify_mac(p12, pass) == GNUTLS_E_MAC_VERIFY_FAILED)
		rc = GNUTLS_E_MAC_VERIFY_FAILED;
	if (rc >= 0)
		rc = gnutls_pkcs12_simple_parse(p12, pass, key, &chain, &chain_len, &extra, &extra_len, NULL,
						0);
	gnutls_pkcs12_deinit(p12);
	if (rc < 0) {
		*error = key_error(s->cert_path, rc, s->key_passphrase != NULL);
		return FALSE;
	}
	*crt = chain_len ? chain[0] : NULL;
	for (unsigned i = 1; i < chain_len; i++)
		gnutls_x509_crt_deinit(chain[i]);
	/* A bundle's extra certificates may hold the CA when none is configured. */
	*ca = extra_len ? extra[0] : NULL;
	for (unsigned i = 1; i < extra_len; i++)
		gnutls_x509_crt_deinit(extra[i]);
	gnutls_free(chain);
	gnutls_free(extra);
	if (!*crt) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS,
			    "PKCS#12 bundle %s has no certificate", s->cert_path);
		return FALSE;
	}
	return TRUE;
}

static gboolean looks_like_pkcs12(const IpsecSettings *s)
{
	return !s->key_path || g_str_has_suffix(s->cert_path, ".p12") ||
	       g_str_has_suffix(s->cert_path, ".pfx");
}

static gboolean key_matches_cert(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt)
{
	unsigned char a[64], b[64];
	size_t alen = sizeof(a), blen = sizeof(b);
	if (gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, a, &alen) < 0 ||
	    gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, b, &blen) < 0)
		return FALSE;
	return alen == blen && memcmp(a, b, alen) == 0;
}

static gboolean load_machine_cert(const IpsecSettings *s, gnutls_x509_privkey_t *key, gnutls_x509_crt_t *crt,
				  gnutls_x509_crt_t *bundled_ca, GError **error)
{
	if (looks_like_pkcs12(s))
		return load_pkcs12(s, key, crt, bundled_ca, error);
	gnutls_x509_crt_init(crt);
	gnutls_x509_privkey_init(key);
	return import_cert(s->cert_path, *crt, error) && load_key_file(s, *key, error);
}

gboolean ipsec_creds_load(const IpsecSettings *s, IpsecCreds *creds, GError **error)
{
	memset(creds, 0, sizeof(*creds));
	if (s->auth != IPSEC_AUTH_CERT)
		return TRUE;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL, ca = NULL;
	gboolean ok = load_machine_cert(s, &key, &crt, &ca, error);
	if (ok && !key_matches_cert(key, crt)) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS,
			    "The private key does not belong to the certificate %s", s->cert_path);
		ok = FALSE;
	}
	if (ok && s->ca_cert_path) {
		if (ca)
			gnutls_x509_crt_deinit(ca);
		gnutls_x509_crt_init(&ca);
		ok = import_cert(s->ca_cert_path, ca, error);
	}
	if (ok && !ca) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_CREDENTIALS,
			    "No CA certificate: set the CA that signed the gateway's certificate");
		ok = FALSE;
	}
	ok = ok && export_cert(crt, &creds->cert_pem, &creds->subject, error) &&
	     export_cert(ca, &creds->ca_pem, NULL, error) && export_key(key, creds, error);
	if (key)
		gnutls_x509_privkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (ca)
		gnutls_x509_crt_deinit(ca);
	if (!ok)
		ipsec_creds_clear(creds);
	return ok;
}

void ipsec_creds_clear(IpsecCreds *creds)
{
	if (creds->key_pem) {
		gsize len;
		gpointer data = (gpointer)g_bytes_get_data(creds->key_pem, &len);
		/* GBytes is immutable by contract, but we own the only reference: wipe before release. */
		if (data)
			explicit_bzero(data, len);
		g_bytes_unref(creds->key_pem);
	}
	g_clear_pointer(&creds->cert_pem, g_bytes_unref);
	g_clear_pointer(&creds->ca_pem, g_bytes_unref);
	g_clear_pointer(&creds->subject, g_free);
	creds->key_pem = NULL;
	creds->key_type = NULL;
}
