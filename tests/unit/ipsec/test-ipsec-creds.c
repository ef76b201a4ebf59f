// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Credential loading with GnuTLS-generated material (EC P-256 keeps it fast):
 * PEM certificate + encrypted PKCS#8 key, DER key, wrong passphrase, a key
 * that belongs to another certificate, missing CA, a PKCS#12 bundle's wrong
 * passphrases. PKCS#12 bundles are covered further by the host interop test
 * (certtool-made, against a real charon).
 */
#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <glib/gstdio.h>

#include "check.h"
#include "fake-charon.h"
#include "ipsec-private.h"

static char *dir;

static char *path(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static void write_datum(const char *name, const gnutls_datum_t *d)
{
	g_autofree char *p = path(name);
	CHECK(g_file_set_contents(p, (const char *)d->data, d->size, NULL));
}

static gnutls_x509_privkey_t new_key(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_privkey_init(&key);
	CHECK(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) == 0);
	return key;
}

static gnutls_x509_crt_t new_cert(gnutls_x509_privkey_t key, const char *cn, gnutls_x509_crt_t issuer,
				  gnutls_x509_privkey_t issuer_key, gboolean ca)
{
	gnutls_x509_crt_t crt;
	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_key(crt, key);
	unsigned char serial[4] = {1, 2, 3, ca ? 4 : 5};
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60);
	gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 3600);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn));
	gnutls_x509_crt_set_basic_constraints(crt, ca, -1);
	CHECK(gnutls_x509_crt_sign2(crt, issuer ? issuer : crt, issuer_key ? issuer_key : key,
				    GNUTLS_DIG_SHA256, 0) == 0);
	return crt;
}

static void export_cert(gnutls_x509_crt_t crt, const char *name)
{
	gnutls_datum_t d;
	CHECK(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d) == 0);
	write_datum(name, &d);
	gnutls_free(d.data);
}

/* client.p12: the certificate and its key (encrypted, AES-256), MAC'd, passphrase "pass-word". */
static void make_pkcs12(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	gnutls_pkcs12_t p12;
	gnutls_pkcs12_bag_t cert_bag, key_bag;
	gnutls_datum_t d;

	gnutls_pkcs12_init(&p12);
	gnutls_pkcs12_bag_init(&cert_bag);
	gnutls_pkcs12_bag_init(&key_bag);
	CHECK(gnutls_pkcs12_bag_set_crt(cert_bag, crt) >= 0);
	CHECK(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_DER, "pass-word",
						GNUTLS_PKCS_PBES2_AES_256, &d) == 0);
	CHECK(gnutls_pkcs12_bag_set_data(key_bag, GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &d) >= 0);
	gnutls_free(d.data);
	CHECK(gnutls_pkcs12_set_bag(p12, cert_bag) == 0 && gnutls_pkcs12_set_bag(p12, key_bag) == 0);
	CHECK(gnutls_pkcs12_generate_mac(p12, "pass-word") == 0);
	CHECK(gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &d) == 0);
	write_datum("client.p12", &d);
	gnutls_free(d.data);
	gnutls_pkcs12_bag_deinit(cert_bag);
	gnutls_pkcs12_bag_deinit(key_bag);
	gnutls_pkcs12_deinit(p12);
}

static void make_material(void)
{
	gnutls_x509_privkey_t ca_key = new_key(), key = new_key(), other = new_key();
	gnutls_x509_crt_t ca = new_cert(ca_key, "unit CA", NULL, NULL, TRUE);
	gnutls_x509_crt_t crt = new_cert(key, "unit client", ca, ca_key, FALSE);
	export_cert(ca, "ca.pem");
	export_cert(crt, "client.pem");
	make_pkcs12(crt, key);
	gnutls_datum_t d;
	CHECK(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, "pass-word",
						GNUTLS_PKCS_PBES2_AES_256, &d) == 0);
	write_datum("client-enc.key", &d);
	gnutls_free(d.data);
	CHECK(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_DER, &d) == 0);
	write_datum("client.der.key", &d);
	gnutls_free(d.data);
	CHECK(gnutls_x509_privkey_export2(other, GNUTLS_X509_FMT_PEM, &d) == 0);
	write_datum("other.key", &d);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(key);
	gnutls_x509_privkey_deinit(other);
}

static IpsecSettings cert_settings(const char *key, const char *pass)
{
	static char *cert, *ca, *key_path;
	g_free(cert);
	g_free(ca);
	g_free(key_path);
	cert = path("client.pem");
	ca = path("ca.pem");
	key_path = path(key);
	IpsecSettings s;
	ipsec_settings_init(&s);
	s.auth = IPSEC_AUTH_CERT;
	s.cert_path = cert;
	s.key_path = key_path;
	s.key_passphrase = pass;
	s.ca_cert_path = ca;
	return s;
}

static int load_code(const IpsecSettings *s, IpsecCreds *creds)
{
	g_autoptr(GError) error = NULL;
	if (ipsec_creds_load(s, creds, &error))
		return -1;
	CHECK(creds->key_pem == NULL && creds->cert_pem == NULL); /* nothing half-loaded */
	return error->code;
}

static void test_encrypted_pem(void)
{
	IpsecSettings s = cert_settings("client-enc.key", "pass-word");
	IpsecCreds creds;
	CHECK_INT(load_code(&s, &creds), -1);
	CHECK_STR(creds.key_type, "ecdsa");
	CHECK_STR(creds.subject, "CN=unit client");
	gsize len;
	const char *key = g_bytes_get_data(creds.key_pem, &len);
	/* What goes to charon is unencrypted: charon's load-key takes no passphrase. */
	CHECK(key && g_strstr_len(key, len, "BEGIN EC PRIVATE KEY") && !g_strstr_len(key, len, "ENCRYPTED"));
	const char *cert = g_bytes_get_data(creds.cert_pem, &len);
	CHECK(cert && g_strstr_len(cert, len, "BEGIN CERTIFICATE"));
	CHECK(creds.ca_pem != NULL);
	ipsec_creds_clear(&creds);
	CHECK(creds.key_pem == NULL);
}

static void test_der_key(void)
{
	IpsecSettings s = cert_settings("client.der.key", NULL);
	IpsecCreds creds;
	CHECK_INT(load_code(&s, &creds), -1);
	ipsec_creds_clear(&creds);
}

/* Every wrong passphrase is named as such. Without the MAC check first, one that happens to
 * decrypt the key to valid padding fails as "ASN1 parser: Error in TAG" instead (ipsec-interop
 * saw that once; rare: 400 tries here met none). 100 tries, each costs the MAC's key
 * derivation (~50 ms). */
static void test_pkcs12_passphrases(void)
{
	g_autofree char *bundle = path("client.p12"), *ca = path("ca.pem");
	IpsecSettings s;
	IpsecCreds creds;
	int misnamed = 0;

	ipsec_settings_init(&s);
	s.auth = IPSEC_AUTH_CERT;
	s.cert_path = bundle;
	s.ca_cert_path = ca;
	s.key_passphrase = "pass-word";
	CHECK_INT(load_code(&s, &creds), -1);
	CHECK_STR(creds.subject, "CN=unit client");
	ipsec_creds_clear(&creds);
	for (int i = 0; i < 100; i++) {
		g_autofree char *wrong = g_strdup_printf("wrong-%d", i);
		g_autoptr(GError) error = NULL;

		s.key_passphrase = wrong;
		CHECK(!ipsec_creds_load(&s, &creds, &error));
		if (!error || !strstr(error->message, "wrong passphrase")) {
			if (!misnamed++)
				fprintf(stderr, "  passphrase %s: %s\n", wrong,
					error ? error->message : "loaded");
		}
	}
	CHECK_INT(misnamed, 0);
}

static void test_failures(void)
{
	IpsecCreds creds;
	IpsecSettings s = cert_settings("client-enc.key", "wrong");
	g_autoptr(GError) error = NULL;
	CHECK(!ipsec_creds_load(&s, &creds, &error));
	CHECK(error && error->code == IPSEC_ERROR_CREDENTIALS && strstr(error->message, "wrong passphrase"));
	s = cert_settings("client-enc.key", NULL);
	CHECK_INT(load_code(&s, &creds), IPSEC_ERROR_CREDENTIALS);
	s = cert_settings("other.key", NULL);
	g_clear_error(&error);
	CHECK(!ipsec_creds_load(&s, &creds, &error));
	CHECK(error && strstr(error->message, "does not belong to the certificate"));
	s = cert_settings("missing.key", NULL);
	CHECK_INT(load_code(&s, &creds), IPSEC_ERROR_CREDENTIALS);
	s = cert_settings("client-enc.key", "pass-word");
	s.ca_cert_path = NULL; /* and no PKCS#12 bundle to take it from */
	CHECK_INT(load_code(&s, &creds), IPSEC_ERROR_CREDENTIALS);
	/* PSK settings need no credentials at all. */
	IpsecSettings psk;
	ipsec_settings_init(&psk);
	CHECK(ipsec_creds_load(&psk, &creds, NULL));
	CHECK(creds.key_pem == NULL);
}

typedef struct {
	IpsecSession *s;
	gboolean up_done, up_ok, down_done;
	int restored;
} CertRun;

static void on_cert_event(const IpsecEvent *ev, gpointer data)
{
	if (ev->type == IPSEC_EVENT_CONN_RESTORED)
		((CertRun *)data)->restored++;
}

static void on_cert_up(GObject *src, GAsyncResult *res, gpointer data)
{
	CertRun *r = data;
	r->up_ok = ipsec_session_up_finish(r->s, res, NULL);
	r->up_done = TRUE;
}

static void on_cert_down(GObject *src, GAsyncResult *res, gpointer data)
{
	CertRun *r = data;
	ipsec_session_down_finish(r->s, res, NULL);
	r->down_done = TRUE;
}

static gboolean wait_for(gboolean *flag, int *count)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (!(flag ? *flag : *count > 0) && g_get_monotonic_time() < deadline)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
	return flag ? *flag : *count > 0;
}

/* Certificate session: key loaded and unloaded by id; a wiped key (clear-creds) is noticed and reloaded. */
static void test_cert_session_lifecycle(void)
{
	g_autofree char *sock = path("charon.vici");
	g_autofree char *uri = g_strdup_printf("unix://%s", sock);
	FakeCharon *fc = fake_charon_new(sock);
	IpsecSettings s = cert_settings("client-enc.key", "pass-word");
	s.vici_uri = uri;
	s.gateway = "192.0.2.10";
	s.local_port = 1701;
	s.watch_interval_ms = 50;
	CertRun r = {0};
	r.s = ipsec_session_new(&s, NULL);
	CHECK(r.s != NULL);
	ipsec_session_set_event_handler(r.s, on_cert_event, &r);
	ipsec_session_up_async(r.s, NULL, on_cert_up, &r);
	CHECK(wait_for(&r.up_done, NULL) && r.up_ok);
	CHECK_INT(g_hash_table_size(fc->keys), 1);
	g_hash_table_remove_all(fc->keys); /* clear-creds */
	CHECK(wait_for(NULL, &r.restored));
	CHECK_INT(g_hash_table_size(fc->keys), 1);
	ipsec_session_down_async(r.s, NULL, on_cert_down, &r);
	CHECK(wait_for(&r.down_done, NULL));
	CHECK(fake_charon_is_clean(fc));
	CHECK(strstr(fc->command_log->str, "unload-key;") != NULL);
	ipsec_session_free(r.s);
	fake_charon_free(fc);
}

int main(void)
{
	dir = g_dir_make_tmp("ipsec-creds-XXXXXX", NULL);
	make_material();
	RUN(test_encrypted_pem);
	RUN(test_der_key);
	RUN(test_failures);
	RUN(test_pkcs12_passphrases);
	RUN(test_cert_session_lifecycle);
	const char *files[] = {"ca.pem", "client.pem", "client-enc.key", "client.der.key", "other.key"};
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = path(files[i]);
		g_unlink(p);
	}
	g_rmdir(dir);
	return CHECK_SUMMARY();
}
