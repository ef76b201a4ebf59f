// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fake charon vici endpoint (see fake-charon.h). Single-threaded on the test's
 * main loop; replies are written synchronously (they are small).
 */
#include "fake-charon.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	FakeCharon *fc;
	GSocketConnection *conn;
	GHashTable *events; /* registered event names */
	uint8_t header[4];
	uint8_t *body;
	size_t body_len;
	gboolean closed;
	gboolean hung;   /* a command never answered: like charon, nothing after it is handled */
	GPtrArray *held; /* HeldRequest*: see hold_first_requests */
	guint requests;
	GCancellable *cancel;
} FakeClient;

static void read_next(FakeClient *c);

static void send_packet(FakeClient *c, int type, const char *name, struct vici_builder *b)
{
	uint8_t *msg = NULL, *frame = NULL;
	size_t msg_len = 0, frame_len = 0;
	if (b)
		g_assert_cmpint(vici_builder_finish(b, &msg, &msg_len), ==, VICI_OK);
	g_assert_cmpint(vici_packet_encode(type, name, msg, msg_len, &frame, &frame_len), ==, VICI_OK);
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
	if (!c->closed)
		g_output_stream_write_all(out, frame, frame_len, NULL, NULL, NULL);
	free(frame);
	free(msg);
}

static void reply(FakeClient *c, struct vici_builder *b)
{
	send_packet(c, VICI_CMD_RESPONSE, NULL, b);
}

static void reply_status(FakeClient *c, gboolean ok, const char *errmsg)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "success", ok ? "yes" : "no");
	if (!ok && errmsg)
		vici_builder_kv_str(&b, "errmsg", errmsg);
	reply(c, &b);
}

static void event_to(FakeClient *c, const char *event, struct vici_builder *b)
{
	if (g_hash_table_contains(c->events, event))
		send_packet(c, VICI_EVENT, event, b);
	else
		vici_builder_clear(b);
}

static void ike_section(FakeCharon *fc, struct vici_builder *b, const char *conn, gboolean with_child,
			const char *mode)
{
	g_autofree char *uniqueid = g_strdup_printf("%u", fc->ike_uniqueid);
	vici_builder_section_begin(b, conn);
	vici_builder_kv_str(b, "uniqueid", uniqueid);
	vici_builder_kv_str(b, "version", "1");
	vici_builder_kv_str(b, "state", "ESTABLISHED");
	vici_builder_kv_str(b, "local-host", "198.51.100.7");
	vici_builder_kv_str(b, "local-port", "4500");
	vici_builder_kv_str(b, "remote-host", "192.0.2.10");
	vici_builder_kv_str(b, "remote-port", "4500");
	vici_builder_kv_str(b, "nat-any", "yes");
	vici_builder_kv_str(b, "encr-alg", "AES_CBC");
	vici_builder_kv_str(b, "encr-keysize", "256");
	vici_builder_kv_str(b, "integ-alg", "HMAC_SHA2_256_128");
	vici_builder_kv_str(b, "prf-alg", "PRF_HMAC_SHA2_256");
	vici_builder_kv_str(b, "dh-group", "MODP_2048");
	if (with_child) {
		g_autofree char *child = g_strdup_printf("%s-7", conn);
		vici_builder_section_begin(b, "child-sas");
		vici_builder_section_begin(b, child);
		vici_builder_kv_str(b, "name", conn);
		vici_builder_kv_str(b, "mode", mode);
		vici_builder_kv_str(b, "protocol", "ESP");
		vici_builder_kv_str(b, "encap", "yes");
		vici_builder_kv_str(b, "encr-alg", "AES_CBC");
		vici_builder_kv_str(b, "encr-keysize", "128");
		vici_builder_kv_str(b, "integ-alg", "HMAC_SHA1_96");
		vici_builder_kv_str(b, "spi-in", "c1a2b3c4");
		vici_builder_kv_str(b, "spi-out", "d1e2f3a4");
		vici_builder_list_begin(b, "local-ts");
		vici_builder_list_item_str(b, "198.51.100.7/32[udp/40123]");
		vici_builder_list_end(b);
		vici_builder_list_begin(b, "remote-ts");
		vici_builder_list_item_str(b, "192.0.2.10/32[udp/l2f]");
		vici_builder_list_end(b);
		vici_builder_section_end(b);
		vici_builder_section_end(b);
	}
	vici_builder_section_end(b);
}

/* An ike-updown or child-updown event (with the CHILD_SA in child_mode) to every client. */
static void updown_event(FakeCharon *fc, const char *event, const char *conn, gboolean up,
			 const char *child_mode)
{
	for (guint i = 0; i < fc->clients->len; i++) {
		struct vici_builder b;
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "up", up ? "yes" : "no");
		ike_section(fc, &b, conn, child_mode != NULL, child_mode ? child_mode : "TRANSPORT");
		event_to(fc->clients->pdata[i], event, &b);
	}
}

void fake_charon_ike_updown(FakeCharon *fc, const char *conn, gboolean up)
{
	updown_event(fc, "ike-updown", conn, up, NULL);
}

void fake_charon_ike_updown_id(FakeCharon *fc, const char *conn, gboolean up, guint uniqueid)
{
	guint current = fc->ike_uniqueid;
	fc->ike_uniqueid = uniqueid;
	updown_event(fc, "ike-updown", conn, up, NULL);
	fc->ike_uniqueid = current;
}

void fake_charon_rekey(FakeCharon *fc, const char *event, const char *conn)
{
	g_autofree char *old_id = g_strdup_printf("%u", fc->ike_uniqueid);
	g_autofree char *new_id = g_strdup_printf("%u", fc->ike_uniqueid + 1);
	gboolean ike = strcmp(event, "ike-rekey") == 0;
	for (guint i = 0; i < fc->clients->len; i++) {
		struct vici_builder b;
		vici_builder_init(&b);
		vici_builder_section_begin(&b, conn);
		vici_builder_section_begin(&b, "old");
		vici_builder_kv_str(&b, "uniqueid", old_id);
		vici_builder_kv_str(&b, "state", "REKEYED");
		vici_builder_section_end(&b);
		vici_builder_section_begin(&b, "new");
		vici_builder_kv_str(&b, "uniqueid", ike ? new_id : old_id);
		vici_builder_kv_str(&b, "state", "ESTABLISHED");
		vici_builder_section_end(&b);
		vici_builder_section_end(&b);
		event_to(fc->clients->pdata[i], event, &b);
	}
	if (ike)
		fc->ike_uniqueid++; /* what later events carry; the old IKE_SA's id is old_id */
}

static gboolean on_deferred_reply(gpointer data)
{
	FakeClient *c = data;

	c->fc->deferred_reply = 0;
	reply_status(c, TRUE, NULL);
	return G_SOURCE_REMOVE;
}

static void log_lines(FakeClient *c, const char *const *line, const char *const *end)
{
	for (; line && *line && line != end; line++) {
		struct vici_builder b;
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "group", "IKE");
		vici_builder_kv_str(&b, "level", "1");
		vici_builder_kv_str(&b, "msg", *line);
		event_to(c, "control-log", &b);
	}
}

static void initiate_outcome(FakeClient *c, const char *ike)
{
	FakeCharon *fc = c->fc;
	if (!fc->initiate_ok || !ike || !g_hash_table_contains(fc->conns, ike)) {
		reply_status(c, FALSE,
			     fc->initiate_errmsg ? fc->initiate_errmsg : "establishing CHILD_SA failed");
		return;
	}
	g_hash_table_add(fc->established, g_strdup(ike));
	fake_charon_ike_updown(fc, ike, TRUE);
	if (fc->updown_child_mode) {
		updown_event(fc, "child-updown", ike, TRUE, fc->updown_child_mode);
		fc->deferred_reply = g_timeout_add(50, on_deferred_reply, c);
		return;
	}
	reply_status(c, TRUE, NULL);
}

typedef struct {
	FakeClient *client;
	char *ike;
} PausedInitiate;

static gboolean on_initiate_resumed(gpointer data)
{
	PausedInitiate *p = data;
	log_lines(p->client, p->client->fc->initiate_log + 1, NULL);
	initiate_outcome(p->client, p->ike);
	g_free(p->ike);
	g_free(p);
	return G_SOURCE_REMOVE;
}

static void handle_initiate(FakeClient *c, const struct vici_node *msg)
{
	FakeCharon *fc = c->fc;
	const char *ike = vici_node_str(msg, "ike");
	if (fc->initiate_log_pause_ms && fc->initiate_log && fc->initiate_log[0]) {
		log_lines(c, fc->initiate_log, fc->initiate_log + 1);
		PausedInitiate *p = g_new0(PausedInitiate, 1);
		p->client = c;
		p->ike = g_strdup(ike);
		g_timeout_add(fc->initiate_log_pause_ms, on_initiate_resumed, p);
		return;
	}
	log_lines(c, fc->initiate_log, NULL);
	initiate_outcome(c, ike);
}

static void list_keys(FakeClient *c, GHashTable *table)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_list_begin(&b, "keys");
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &key, NULL))
		vici_builder_list_item_str(&b, key);
	vici_builder_list_end(&b);
	reply(c, &b);
}

static void remove_reply(FakeClient *c, GHashTable *table, const char *key, const char *missing)
{
	gboolean ok = key && g_hash_table_remove(table, key);
	reply_status(c, ok, missing);
}

static void handle_list(FakeClient *c, const char *command, const struct vici_node *msg)
{
	FakeCharon *fc = c->fc;
	const char *only = vici_node_str(msg, "ike");
	gboolean sas = strcmp(command, "list-sas") == 0;
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, sas ? fc->established : fc->conns);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		if (only && strcmp(only, key) != 0)
			continue;
		struct vici_builder b;
		vici_builder_init(&b);
		if (sas) {
			ike_section(fc, &b, key, TRUE, fc->child_mode);
		} else {
			vici_builder_section_begin(&b, key);
			vici_builder_kv_str(&b, "version", "IKEv1");
			vici_builder_section_end(&b);
		}
		event_to(c, sas ? "list-sa" : "list-conn", &b);
	}
	reply(c, NULL);
}

static void handle_command(FakeClient *c, const char *command, const struct vici_node *msg)
{
	FakeCharon *fc = c->fc;
	fc->commands_seen++;
	g_string_append_printf(fc->command_log, "%s;", command);
	if (fc->hang_command && strcmp(command, fc->hang_command) == 0) {
		c->hung = TRUE;
		return;
	}
	if (fc->hang_initiates && strcmp(command, "initiate") == 0) {
		fc->hang_initiates--;
		c->hung = TRUE;
		return;
	}
	if (strcmp(command, "version") == 0) {
		struct vici_builder b;
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "daemon", "charon");
		vici_builder_kv_str(&b, "version", fc->version ? fc->version : "5.9.8");
		reply(c, &b);
	} else if (strcmp(command, "load-shared") == 0) {
		g_hash_table_add(fc->shared, g_strdup(vici_node_str(msg, "id")));
		reply_status(c, TRUE, NULL);
	} else if (strcmp(command, "load-key") == 0) {
		g_hash_table_add(fc->keys, g_strdup("0123456789abcdef0123456789abcdef01234567"));
		struct vici_builder b;
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "success", "yes");
		vici_builder_kv_str(&b, "id", "0123456789abcdef0123456789abcdef01234567");
		reply(c, &b);
	} else if (strcmp(command, "load-conn") == 0 && fc->load_conn_errmsg) {
		reply_status(c, FALSE, fc->load_conn_errmsg);
	} else if (strcmp(command, "load-conn") == 0) {
		g_hash_table_add(fc->conns, g_strdup(msg->children ? msg->children->name : "?"));
		reply_status(c, TRUE, NULL);
	} else if (strcmp(command, "initiate") == 0) {
		handle_initiate(c, msg);
	} else if (strcmp(command, "list-sas") == 0 || strcmp(command, "list-conns") == 0) {
		handle_list(c, command, msg);
	} else if (strcmp(command, "get-shared") == 0) {
		list_keys(c, fc->shared);
	} else if (strcmp(command, "get-keys") == 0) {
		list_keys(c, fc->keys);
	} else if (strcmp(command, "terminate") == 0) {
		const char *ike = vici_node_str(msg, "ike");
		if (ike && g_hash_table_contains(fc->established, ike))
			fake_charon_ike_updown(fc, ike, FALSE);
		remove_reply(c, fc->established, ike, "no matching SAs to terminate found");
	} else if (strcmp(command, "rekey") == 0) {
		/* charon answers once the rekey is queued; child-rekey follows when it is done. */
		const char *ike = vici_node_str(msg, "ike");
		gboolean found = ike && g_hash_table_contains(fc->established, ike);
		fc->rekeys_seen++;
		reply_status(c, found, found ? NULL : "no matching SAs to rekey found");
		if (found && vici_node_str(msg, "child"))
			fake_charon_rekey(fc, "child-rekey", ike);
	} else if (strcmp(command, "unload-conn") == 0) {
		remove_reply(c, fc->conns, vici_node_str(msg, "name"), "configuration name not found");
	} else if (strcmp(command, "unload-shared") == 0) {
		remove_reply(c, fc->shared, vici_node_str(msg, "id"), "shared key not found");
	} else if (strcmp(command, "unload-key") == 0) {
		remove_reply(c, fc->keys, vici_node_str(msg, "id"), "key not found");
	} else {
		send_packet(c, VICI_CMD_UNKNOWN, NULL, NULL);
	}
}

typedef struct {
	char *command;
	struct vici_node *msg;
} HeldRequest;

static void held_request_free(gpointer p)
{
	HeldRequest *h = p;
	vici_node_free(h->msg);
	g_free(h->command);
	g_free(h);
}

/* Keeps the request until hold_first_requests are in, then answers them all in order. */
static void hold_request(FakeClient *c, const char *command, struct vici_node *msg)
{
	HeldRequest *h = g_new(HeldRequest, 1);
	h->command = g_strdup(command);
	h->msg = msg;
	if (!c->held)
		c->held = g_ptr_array_new_with_free_func(held_request_free);
	g_ptr_array_add(c->held, h);
	if (c->held->len < c->fc->hold_first_requests)
		return;
	c->fc->hold_first_requests = 0; /* once: later connections are served as usual */
	for (guint i = 0; i < c->held->len; i++) {
		h = c->held->pdata[i];
		handle_command(c, h->command, h->msg);
	}
	g_ptr_array_set_size(c->held, 0);
}

static void handle_packet(FakeClient *c, const struct vici_packet *pkt)
{
	switch (pkt->type) {
	case VICI_EVENT_REGISTER:
		/* Already there: the client sent its next request without waiting for this confirm. */
		if (g_socket_condition_check(g_socket_connection_get_socket(c->conn), G_IO_IN) & G_IO_IN)
			c->fc->registers_followed_at_once++;
		if (g_str_has_prefix(pkt->name, "no-such-")) {
			send_packet(c, VICI_EVENT_UNKNOWN, NULL, NULL);
			break;
		}
		g_hash_table_add(c->events, g_strdup(pkt->name));
		send_packet(c, VICI_EVENT_CONFIRM, NULL, NULL);
		break;
	case VICI_EVENT_UNREGISTER:
		send_packet(
		    c, g_hash_table_remove(c->events, pkt->name) ? VICI_EVENT_CONFIRM : VICI_EVENT_UNKNOWN,
		    NULL, NULL);
		break;
	case VICI_CMD_REQUEST: {
		struct vici_node *msg = NULL;
		g_assert_cmpint(vici_message_decode(pkt->msg, pkt->msg_len, &msg), ==, VICI_OK);
		if (++c->requests <= c->fc->hold_first_requests) {
			hold_request(c, pkt->name, msg);
			break;
		}
		handle_command(c, pkt->name, msg);
		vici_node_free(msg);
		break;
	}
	default:
		g_error("fake charon: client sent packet type %d", pkt->type);
	}
}

static void client_close(FakeClient *c)
{
	if (c->closed)
		return;
	c->closed = TRUE;
	g_cancellable_cancel(c->cancel);
	g_io_stream_close(G_IO_STREAM(c->conn), NULL, NULL);
}

static void on_body(GObject *src, GAsyncResult *res, gpointer data)
{
	FakeClient *c = data;
	gsize got = 0;
	if (!g_input_stream_read_all_finish(G_INPUT_STREAM(src), res, &got, NULL) || got != c->body_len) {
		client_close(c);
		return;
	}
	struct vici_packet pkt;
	g_assert_cmpint(vici_packet_decode(c->body, c->body_len, &pkt), ==, VICI_OK);
	handle_packet(c, &pkt);
	g_clear_pointer(&c->body, g_free);
	if (!c->closed && !c->hung)
		read_next(c);
}

static void on_header(GObject *src, GAsyncResult *res, gpointer data)
{
	FakeClient *c = data;
	gsize got = 0;
	if (!g_input_stream_read_all_finish(G_INPUT_STREAM(src), res, &got, NULL) || got != 4) {
		client_close(c);
		return;
	}
	g_assert_cmpint(vici_frame_length(c->header, &c->body_len), ==, VICI_OK);
	c->body = g_malloc(c->body_len);
	g_input_stream_read_all_async(G_INPUT_STREAM(src), c->body, c->body_len, G_PRIORITY_DEFAULT,
				      c->cancel, on_body, c);
}

static void read_next(FakeClient *c)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(c->conn));
	g_input_stream_read_all_async(in, c->header, 4, G_PRIORITY_DEFAULT, c->cancel, on_header, c);
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
	FakeCharon *fc = data;
	FakeClient *c = g_new0(FakeClient, 1);
	c->fc = fc;
	c->conn = g_object_ref(conn);
	c->cancel = g_cancellable_new();
	c->events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_ptr_array_add(fc->clients, c);
	fc->accepted++;
	read_next(c);
	return TRUE;
}

static void fake_client_free(gpointer p)
{
	FakeClient *c = p;
	/* Pending reads keep a pointer to c: the tests tear down only after closing them. */
	client_close(c);
	g_object_unref(c->conn);
	g_object_unref(c->cancel);
	g_hash_table_unref(c->events);
	g_clear_pointer(&c->held, g_ptr_array_unref);
	g_free(c->body);
	g_free(c);
}

FakeCharon *fake_charon_new(const char *path)
{
	FakeCharon *fc = g_new0(FakeCharon, 1);
	fc->path = g_strdup(path);
	fc->clients = g_ptr_array_new();
	fc->conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fc->shared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fc->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fc->established = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fc->ike_uniqueid = 1;
	fc->child_mode = "TRANSPORT";
	fc->initiate_ok = TRUE;
	fc->command_log = g_string_new(NULL);
	fc->service = g_socket_service_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(GError) error = NULL;
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(fc->service), addr, G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error))
		g_error("fake charon: %s", error->message);
	g_signal_connect(fc->service, "incoming", G_CALLBACK(on_incoming), fc);
	g_socket_service_start(fc->service);
	return fc;
}

void fake_charon_kick(FakeCharon *fc)
{
	for (guint i = 0; i < fc->clients->len; i++)
		client_close(fc->clients->pdata[i]);
}

void fake_charon_free(FakeCharon *fc)
{
	if (fc->deferred_reply)
		g_source_remove(fc->deferred_reply);
	fake_charon_kick(fc);
	/* Let cancelled reads on closed streams complete before their FakeClient goes. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_socket_service_stop(fc->service);
	g_socket_listener_close(G_SOCKET_LISTENER(fc->service));
	g_object_unref(fc->service);
	for (guint i = 0; i < fc->clients->len; i++)
		fake_client_free(fc->clients->pdata[i]);
	g_ptr_array_unref(fc->clients);
	g_hash_table_unref(fc->conns);
	g_hash_table_unref(fc->shared);
	g_hash_table_unref(fc->keys);
	g_hash_table_unref(fc->established);
	g_string_free(fc->command_log, TRUE);
	g_free(fc->hang_command);
	unlink(fc->path);
	g_free(fc->path);
	g_free(fc);
}

void fake_charon_forget_conns_and_creds(FakeCharon *fc)
{
	g_hash_table_remove_all(fc->conns);
	g_hash_table_remove_all(fc->shared);
	g_hash_table_remove_all(fc->keys);
}

guint fake_charon_open_clients(FakeCharon *fc)
{
	guint open = 0;
	for (guint i = 0; i < fc->clients->len; i++)
		open += !((FakeClient *)fc->clients->pdata[i])->closed;
	return open;
}

gboolean fake_charon_is_clean(FakeCharon *fc)
{
	return g_hash_table_size(fc->conns) == 0 && g_hash_table_size(fc->shared) == 0 &&
	       g_hash_table_size(fc->keys) == 0 && g_hash_table_size(fc->established) == 0;
}
