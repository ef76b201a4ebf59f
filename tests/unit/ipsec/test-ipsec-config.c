// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection builder, proposals, settings validation, failure diagnosis (with
 * charon 5.9.8 control-log lines recorded in the host interop runs) and the
 * charon locator's decision logic, including the systemd activation path.
 */
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "ipsec-private.h"

static IpsecSettings base_settings(void)
{
	IpsecSettings s;
	ipsec_settings_init(&s);
	s.gateway = "192.0.2.10";
	s.local_port = 40123;
	s.psk = "secret";
	s.profile = "office";
	return s;
}

static int validate_code(const IpsecSettings *s)
{
	g_autoptr(GError) error = NULL;
	if (ipsec_settings_validate(s, &error))
		return -1;
	CHECK(error && error->domain == IPSEC_ERROR);
	return error ? error->code : -2;
}

static void test_validation(void)
{
	IpsecSettings s = base_settings();
	CHECK_INT(validate_code(&s), -1);
	s.gateway = NULL;
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s = base_settings();
	s.local_port = 0; /* the selector needs the socket's real port */
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s = base_settings();
	s.aggressive = TRUE;
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s.local_id = "client@example.net";
	CHECK_INT(validate_code(&s), -1);
	s = base_settings();
	s.proposal_preset = "nonsense";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s.proposal_preset = "MikroTik"; /* case-insensitive */
	CHECK_INT(validate_code(&s), -1);
	s = base_settings();
	s.ike_proposals = "aes256-sha1-modp2048;rm -rf";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s = base_settings();
	s.psk = "";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s = base_settings();
	s.auth = IPSEC_AUTH_CERT;
	s.cert_path = "/nonexistent.pem";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS); /* no CA */
	s.ca_cert_path = "/nonexistent-ca.pem";
	CHECK_INT(validate_code(&s), -1);
	s = base_settings();
	s.profile = "has space";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
	s = base_settings();
	s.vici_uri = "tcp://127.0.0.1:4502";
	CHECK_INT(validate_code(&s), IPSEC_ERROR_INVALID_SETTINGS);
}

static void test_presets(void)
{
	gsize n;
	const IpsecProposalPreset *p = ipsec_proposal_presets(&n);
	const char *required[] = {"default", "windows",  "macos",     "meraki", "mikrotik",
				  "cisco",   "fortinet", "sonicwall", "legacy"};
	CHECK_INT(n, G_N_ELEMENTS(required));
	for (gsize i = 0; i < G_N_ELEMENTS(required); i++) {
		const IpsecProposalPreset *found = ipsec_proposal_preset_find(required[i]);
		CHECK(found != NULL);
		if (!found)
			continue;
		IpsecSettings s = base_settings();
		s.proposal_preset = required[i];
		g_auto(GStrv) ike = ipsec_ike_proposals(&s);
		g_auto(GStrv) esp = ipsec_esp_proposals(&s);
		CHECK(g_strv_length(ike) >= 1 && g_strv_length(esp) >= 1);
		/* IKEv1 needs explicit combinations: every IKE proposal names a DH group. */
		for (char **q = ike; *q; q++)
			CHECK(strstr(*q, "modp") || strstr(*q, "ecp"));
		CHECK_INT(validate_code(&s), -1);
	}
	/* The default is the secure one: no SHA1, 3DES, MD5 or MODP1024. */
	const IpsecProposalPreset *def = ipsec_proposal_preset_find(NULL);
	CHECK_STR(def->name, "default");
	CHECK(!def->weak);
	CHECK(!strstr(def->ike, "sha1") && !strstr(def->ike, "3des") && !strstr(def->ike, "md5") &&
	      !strstr(def->ike, "modp1024"));
	CHECK(!strstr(def->esp, "sha1") && !strstr(def->esp, "3des"));
	CHECK(ipsec_proposal_preset_find("meraki")->weak);
	CHECK(strstr(ipsec_proposal_preset_find("meraki")->ike, "3des-sha1-modp1024") != NULL);
	(void)p;
}

static void test_pfs_and_free_text(void)
{
	IpsecSettings s = base_settings();
	s.proposal_preset = "windows";
	s.pfs = TRUE;
	g_auto(GStrv) esp = ipsec_esp_proposals(&s);
	CHECK_STR(esp[0], "aes256-sha1-modp2048"); /* DH group of the first IKE proposal */
	s.ike_proposals = "aes128-sha256-ecp256, aes128-sha1-modp1024";
	s.esp_proposals = "aes128gcm16,aes128-sha1-modp1024";
	g_auto(GStrv) ike2 = ipsec_ike_proposals(&s);
	g_auto(GStrv) esp2 = ipsec_esp_proposals(&s);
	CHECK_INT(g_strv_length(ike2), 2);
	CHECK_STR(ike2[1], "aes128-sha1-modp1024");
	CHECK_STR(esp2[0], "aes128gcm16-ecp256");
	CHECK_STR(esp2[1], "aes128-sha1-modp1024"); /* already names a group: untouched */
	s.pfs = FALSE;
	g_auto(GStrv) esp3 = ipsec_esp_proposals(&s);
	CHECK_STR(esp3[0], "aes128gcm16");
}

static struct vici_node *built_conn(const IpsecSettings *s, const IpsecCreds *creds, const char *name)
{
	struct vici_builder b;
	vici_builder_init(&b);
	ipsec_build_load_conn(&b, s, name, "192.0.2.10", creds);
	uint8_t *msg;
	size_t len;
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_OK);
	struct vici_node *root = NULL;
	CHECK_INT(vici_message_decode(msg, len, &root), VICI_OK);
	vici_buffer_free_secure(msg, len);
	return root;
}

static const char *first_item(const struct vici_node *section, const char *list)
{
	const struct vici_node *l = vici_node_list(section, list);
	return l && l->children ? (const char *)l->children->value : NULL;
}

static void test_load_conn_psk(void)
{
	IpsecSettings s = base_settings();
	s.local_address = "198.51.100.7";
	s.nat_t = IPSEC_NAT_T_FORCED;
	s.dpd_delay_s = 10;
	s.ike_lifetime_s = 3600;
	s.child_lifetime_s = 1200;
	struct vici_node *root = built_conn(&s, NULL, "l2tp-vpn-office-0badcafe");
	const struct vici_node *conn = vici_node_section(root, "l2tp-vpn-office-0badcafe");
	CHECK(conn != NULL);
	CHECK_STR(vici_node_str(conn, "version"), "1");
	CHECK_STR(vici_node_str(conn, "aggressive"), "no");
	CHECK_STR(vici_node_str(conn, "encap"), "yes");
	CHECK_STR(vici_node_str(conn, "dpd_delay"), "10s");
	CHECK_STR(vici_node_str(conn, "rekey_time"), "3600s");
	CHECK_STR(first_item(conn, "local_addrs"), "198.51.100.7");
	CHECK_STR(first_item(conn, "remote_addrs"), "192.0.2.10");
	CHECK_STR(first_item(conn, "proposals"), "aes256-sha256-modp2048");
	/* Keys charon insists on as lists are lists (FACTS §4). */
	CHECK(vici_node_list(conn, "proposals") && vici_node_list(conn, "remote_addrs"));
	CHECK_STR(vici_node_str(vici_node_section(conn, "local-1"), "auth"), "psk");
	CHECK_STR(vici_node_str(vici_node_section(conn, "remote-1"), "id"), "%any");
	const struct vici_node *child =
	    vici_node_section(vici_node_section(conn, "children"), "l2tp-vpn-office-0badcafe");
	CHECK_STR(vici_node_str(child, "mode"), "transport");
	CHECK_STR(first_item(child, "local_ts"), "dynamic[17/40123]");
	CHECK_STR(first_item(child, "remote_ts"), "dynamic[17/1701]");
	CHECK_INT(vici_node_count(vici_node_list(child, "local_ts")), 1);
	CHECK_INT(vici_node_count(vici_node_list(child, "remote_ts")), 1);
	CHECK_STR(vici_node_str(child, "rekey_time"), "1200s");
	CHECK(vici_node_list(child, "esp_proposals") != NULL);
	/* Never a PSK in the conn itself. */
	CHECK(vici_node_child(vici_node_section(conn, "local-1"), "psk") == NULL);
	vici_node_free(root);
}

static void test_load_conn_aggressive_cert(void)
{
	IpsecSettings s = base_settings();
	s.aggressive = TRUE;
	s.local_id = "client@example.net";
	s.remote_id = "vpn.example.net";
	s.auth = IPSEC_AUTH_CERT;
	IpsecCreds creds = {0};
	creds.cert_pem = g_bytes_new_static("CERT", 4);
	creds.ca_pem = g_bytes_new_static("CA", 2);
	creds.subject = g_strdup("CN=client");
	struct vici_node *root = built_conn(&s, &creds, "n");
	const struct vici_node *conn = vici_node_section(root, "n");
	CHECK_STR(vici_node_str(conn, "aggressive"), "yes");
	const struct vici_node *local = vici_node_section(conn, "local-1");
	const struct vici_node *remote = vici_node_section(conn, "remote-1");
	CHECK_STR(vici_node_str(local, "auth"), "pubkey");
	CHECK_STR(vici_node_str(local, "id"), "client@example.net");
	CHECK_STR(first_item(local, "certs"), "CERT");
	CHECK_STR(vici_node_str(remote, "id"), "vpn.example.net");
	CHECK_STR(first_item(remote, "cacerts"), "CA");
	vici_node_free(root);
	ipsec_creds_clear(&creds);
}

static void test_load_shared(void)
{
	IpsecSettings s = base_settings();
	s.remote_id = "vpn.example.net";
	struct vici_builder b;
	vici_builder_init(&b);
	ipsec_build_load_shared(&b, &s, "l2tp-vpn-office-1-psk", "192.0.2.10");
	uint8_t *msg;
	size_t len;
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_OK);
	struct vici_node *root;
	CHECK_INT(vici_message_decode(msg, len, &root), VICI_OK);
	vici_buffer_free_secure(msg, len);
	CHECK_STR(vici_node_str(root, "id"), "l2tp-vpn-office-1-psk");
	CHECK_STR(vici_node_str(root, "type"), "IKE");
	CHECK_STR(vici_node_str(root, "data"), "secret");
	CHECK_INT(vici_node_count(vici_node_list(root, "owners")), 2);
	CHECK_STR(first_item(root, "owners"), "192.0.2.10");
	vici_node_free(root);
}

static void test_conn_names_unique(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 200; i++) {
		char *name = ipsec_make_conn_name("office");
		CHECK(g_str_has_prefix(name, "l2tp-vpn-office-"));
		CHECK_INT(strlen(name), strlen("l2tp-vpn-office-") + 8);
		CHECK(!g_hash_table_contains(seen, name));
		g_hash_table_add(seen, name);
	}
}

static void test_settings_copy_wipes(void)
{
	IpsecSettings s = base_settings();
	IpsecSettings *copy = ipsec_settings_copy(&s);
	CHECK(copy->psk != s.psk);
	CHECK_STR(copy->psk, "secret");
	CHECK_STR(copy->gateway, "192.0.2.10");
	ipsec_settings_free(copy);
}

/* ---- diagnosis ----------------------------------------------------------- */

static const char *const wrong_psk_log[] = {
    "initiating Main Mode IKE_SA l2tp-vpn-psk_wrong-6db94d56[2] to 10.231.0.2",
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (92 bytes)",
    "invalid HASH_V1 payload length, decryption failed?",
    "could not decrypt payloads",
    "message parsing failed",
    "sending retransmit 1 of request message ID 0, seq 3",
    "giving up after 2 retransmits",
    "establishing IKE_SA failed, peer not responding",
    NULL,
};

static const char *const kernel_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "IKE_SA l2tp-vpn-t1-63e6f847[1] established between 10.231.0.1[10.231.0.1]...10.231.0.2[10.231.0.2]",
    "selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ",
    "received netlink error: Function not implemented (38)",
    "unable to add SAD entry with SPI c92d3d54 (FAILED)",
    "unable to install inbound and outbound IPsec SA (SAD) in kernel",
    NULL,
};

static const char *const unreachable_log[] = {
    "initiating Main Mode IKE_SA l2tp-vpn-x[13] to 10.231.0.77",
    "sending packet: from 10.231.0.1[500] to 10.231.0.77[500] (324 bytes)",
    "sending retransmit 1 of request message ID 0, seq 1",
    "giving up after 2 retransmits",
    "establishing IKE_SA failed, peer not responding",
    NULL,
};

static const char *const ike_proposal_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (40 bytes)",
    "parsed INFORMATIONAL_V1 request 1 [ N(NO_PROP) ]",
    "received NO_PROPOSAL_CHOSEN error notify",
    NULL,
};

static const char *const esp_proposal_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "IKE_SA l2tp-vpn-x[3] established between 10.231.0.1[10.231.0.1]...10.231.0.2[10.231.0.2]",
    "received NO_PROPOSAL_CHOSEN error notify",
    NULL,
};

static const char *const cert_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (430 bytes)",
    "received AUTHENTICATION_FAILED error notify",
    NULL,
};

static const char *const nat_blocked_log[] = {
    "sending packet: from 10.0.0.2[500] to 203.0.113.1[500] (324 bytes)",
    "received packet: from 203.0.113.1[500] to 10.0.0.2[500] (160 bytes)",
    "local host is behind NAT, sending keep alives",
    "sending packet: from 10.0.0.2[4500] to 203.0.113.1[4500] (92 bytes)",
    "sending retransmit 1 of request message ID 0, seq 3",
    "giving up after 5 retransmits",
    NULL,
};

static const char *const selector_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "IKE_SA l2tp-vpn-x[3] established between 10.231.0.1[10.231.0.1]...10.231.0.2[10.231.0.2]",
    "received INVALID_ID_INFORMATION error notify",
    NULL,
};

/* Main mode's second exchange lost four times over: a lossy path, not a wrong PSK. */
static const char *const lost_ke_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "generating ID_PROT request 0 [ KE No NAT-D NAT-D ]",
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (396 bytes)",
    "retransmit 1 of request with message ID 0",
    "retransmit 2 of request with message ID 0",
    "giving up after 5 retransmits",
    NULL,
};

/* ... the same silence after our encrypted [ ID HASH ]: that is how a wrong PSK looks. */
static const char *const silent_after_id_log[] = {
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (324 bytes)",
    "received packet: from 10.231.0.2[500] to 10.231.0.1[500] (160 bytes)",
    "generating ID_PROT request 0 [ ID HASH ]",
    "sending packet: from 10.231.0.1[500] to 10.231.0.2[500] (92 bytes)",
    "retransmit 1 of request with message ID 0",
    "giving up after 5 retransmits",
    NULL,
};

static GError *diagnose(const char *const *lines, const IpsecSettings *s, const char *version)
{
	IpsecInitiateLog log;
	ipsec_initiate_log_init(&log);
	log.daemon_version = version;
	for (const char *const *l = lines; *l; l++)
		ipsec_initiate_log_add(&log, *l);
	GError *e = ipsec_diagnose_failure(&log, s);
	ipsec_initiate_log_clear(&log);
	return e;
}

#define CHECK_DIAG(lines, settings, version, want, needle)                                                   \
	do {                                                                                                 \
		g_autoptr(GError) e_ = diagnose(lines, settings, version);                                   \
		CHECK_STR(ipsec_error_code_name(e_->code), ipsec_error_code_name(want));                     \
		CHECK(strstr(e_->message, needle) != NULL);                                                  \
		if (!strstr(e_->message, needle))                                                            \
			fprintf(stderr, "  message: %s\n", e_->message);                                     \
	} while (0)

static void test_diagnosis(void)
{
	IpsecSettings s = base_settings();
	CHECK_DIAG(wrong_psk_log, &s, "5.9.8", IPSEC_ERROR_AUTH_FAILED_PSK,
		   "most likely a wrong pre-shared key");
	CHECK_DIAG(kernel_log, &s, "5.9.8", IPSEC_ERROR_KERNEL_NO_ESP, "Function not implemented (38)");
	CHECK_DIAG(unreachable_log, &s, "5.9.8", IPSEC_ERROR_PEER_UNREACHABLE, "No answer from the gateway");
	CHECK_DIAG(lost_ke_log, &s, "5.9.8", IPSEC_ERROR_PEER_UNREACHABLE, "during the key exchange");
	CHECK_DIAG(silent_after_id_log, &s, "5.9.8", IPSEC_ERROR_AUTH_FAILED_PSK, "most likely the PSK is wrong");
	CHECK_DIAG(ike_proposal_log, &s, "5.9.8", IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "IKE (main mode)");
	CHECK_DIAG(ike_proposal_log, &s, "5.9.8", IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "we offered default:");
	CHECK_DIAG(ike_proposal_log, &s, "5.9.8", IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "windows");
	CHECK_DIAG(esp_proposal_log, &s, "5.9.8", IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "ESP (quick mode)");
	CHECK_DIAG(esp_proposal_log, &s, "5.9.8", IPSEC_ERROR_NO_PROPOSAL_CHOSEN, "try with PFS on");
	CHECK_DIAG(nat_blocked_log, &s, "5.9.8", IPSEC_ERROR_NAT_T_BLOCKED, "UDP 4500");
	CHECK_DIAG(selector_log, &s, "5.9.8", IPSEC_ERROR_TRANSPORT_REFUSED,
		   "transport-mode SA for UDP 40123");
	/* A 6.1 charon that sent nothing for an IKEv1 conn was built without IKEv1. */
	const char *const nothing[] = {"initiating IKE_SA failed", NULL};
	CHECK_DIAG(nothing, &s, "6.1.0", IPSEC_ERROR_IKEV1_UNSUPPORTED, "--enable-ikev1");
	CHECK_DIAG(nothing, &s, "5.9.8", IPSEC_ERROR_FAILED, "IPsec negotiation failed");
	s.auth = IPSEC_AUTH_CERT;
	CHECK_DIAG(cert_log, &s, "5.9.8", IPSEC_ERROR_AUTH_FAILED_CERT, "Certificate authentication failed");
	/* With certificates, an undecryptable reply is not blamed on a PSK. */
	g_autoptr(GError) e = diagnose(wrong_psk_log, &s, "5.9.8");
	CHECK(e->code != IPSEC_ERROR_AUTH_FAILED_PSK);
}

static void test_version_parse(void)
{
	CHECK(!ipsec_version_may_lack_ikev1("5.9.8"));
	CHECK(!ipsec_version_may_lack_ikev1("6.0.2"));
	CHECK(ipsec_version_may_lack_ikev1("6.1.0"));
	CHECK(ipsec_version_may_lack_ikev1("7.0.0"));
	CHECK(!ipsec_version_may_lack_ikev1(NULL));
	CHECK(!ipsec_version_may_lack_ikev1("garbage"));
}

/* ---- finding charon ------------------------------------------------------ */

static void test_charon_decision(void)
{
	CHECK_INT(ipsec_charon_decide(TRUE, TRUE, TRUE), IPSEC_CHARON_CONNECT);
	CHECK_INT(ipsec_charon_decide(TRUE, FALSE, FALSE), IPSEC_CHARON_CONNECT);
	CHECK_INT(ipsec_charon_decide(FALSE, TRUE, TRUE), IPSEC_CHARON_START_SYSTEMD);
	CHECK_INT(ipsec_charon_decide(FALSE, TRUE, FALSE), IPSEC_CHARON_NOT_RUNNING);
	CHECK_INT(ipsec_charon_decide(FALSE, FALSE, TRUE), IPSEC_CHARON_NOT_RUNNING);
	CHECK_INT(ipsec_charon_decide(FALSE, FALSE, FALSE), IPSEC_CHARON_NOT_RUNNING);

	g_autofree char *dir = g_dir_make_tmp("ipsec-test-XXXXXX", NULL);
	g_autofree char *comm = g_build_filename(dir, "comm", NULL);
	CHECK(g_file_set_contents(comm, "systemd\n", -1, NULL));
	CHECK(ipsec_pid1_is_systemd(comm));
	CHECK(g_file_set_contents(comm, "bash\n", -1, NULL));
	CHECK(!ipsec_pid1_is_systemd(comm));
	g_unlink(comm);
	CHECK(!ipsec_pid1_is_systemd(comm)); /* unreadable: not systemd */
	g_rmdir(dir);

	g_autoptr(GError) e1 = ipsec_charon_not_running_error("/run/charon.vici", FALSE, TRUE);
	CHECK_INT(e1->code, IPSEC_ERROR_CHARON_NOT_RUNNING);
	CHECK(strstr(e1->message, "systemd is not PID 1") != NULL);
	g_autoptr(GError) e2 = ipsec_charon_not_running_error("/tmp/x.vici", TRUE, FALSE);
	CHECK(strstr(e2->message, "not the default socket") != NULL);
}

static void test_l2tp_socket_port(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	g_autoptr(GError) error = NULL;
	CHECK_INT(ipsec_l2tp_socket_port(fd, &error), 0); /* unbound: no port yet */
	CHECK(error != NULL);
	g_clear_error(&error);
	CHECK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	socklen_t len = sizeof(sin);
	CHECK(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	CHECK_INT(ipsec_l2tp_socket_port(fd, &error), ntohs(sin.sin_port));
	close(fd);
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = 0;
	CHECK(bind(tcp, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK_INT(ipsec_l2tp_socket_port(tcp, NULL), 0); /* not UDP */
	close(tcp);
	CHECK_INT(ipsec_l2tp_socket_port(-1, NULL), 0);
}

static void test_error_names(void)
{
	for (int code = IPSEC_ERROR_INVALID_SETTINGS; code <= IPSEC_ERROR_FAILED; code++)
		CHECK(strcmp(ipsec_error_code_name(code), "unknown") != 0);
	CHECK_STR(ipsec_error_code_name(999), "unknown");
	CHECK_STR(ipsec_error_code_name(IPSEC_ERROR_KERNEL_NO_ESP), "kernel-no-esp");
}

int main(void)
{
	RUN(test_validation);
	RUN(test_presets);
	RUN(test_pfs_and_free_text);
	RUN(test_load_conn_psk);
	RUN(test_load_conn_aggressive_cert);
	RUN(test_load_shared);
	RUN(test_conn_names_unique);
	RUN(test_settings_copy_wipes);
	RUN(test_diagnosis);
	RUN(test_version_parse);
	RUN(test_charon_decision);
	RUN(test_l2tp_socket_port);
	RUN(test_error_names);
	return CHECK_SUMMARY();
}
