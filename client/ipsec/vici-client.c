// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vici client on the GLib main loop (see vici-client.h).
 */
#include "vici-client.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "ipsec.h"

typedef enum {
	STAGE_REGISTER,
	STAGE_COMMAND,
	STAGE_UNREGISTER,
} OpStage;

typedef struct {
	char *event;
	ViciEventFunc func;
	gpointer data;
} ViciHandler;

typedef struct {
	ViciClient *client;  /* not a reference: ops never outlive the queue */
	gboolean persistent; /* a register_async operation */
	char *command;
	uint8_t *frame; /* the CMD_REQUEST frame, wiped when freed */
	size_t frame_len;
	char *event; /* stream or persistent event name */
	ViciEventFunc func;
	gpointer func_data;
	OpStage stage;
	gboolean in_flight;
	GTask *task; /* NULL once abandoned (cancelled): the exchange still completes */
	struct vici_node *response;
	GError *deferred_error; /* reported after unregistering a stream */
	GError *stream_error;   /* registering the stream failed (the command ran regardless) */
	guint timeout_ms;
	guint timeout_id;
	GCancellable *cancellable;
	gulong cancel_id;
} ViciOp;

struct _ViciClient {
	gint ref;
	char *uri;
	GSocketConnection *conn;
	GCancellable *io_cancel;
	guint generation; /* bumped on close: late I/O callbacks of an old connection are ignored */
	gboolean connecting;
	GQueue ops;
	GPtrArray *connect_waiters; /* GTask* of connect_async */
	uint8_t header[VICI_FRAME_HEADER];
	uint8_t *body;
	size_t body_len;
	GPtrArray *handlers; /* ViciHandler* */
	uint8_t *outq;       /* frames waiting for the write in progress (may hold secrets) */
	size_t outq_len;
	gboolean writing;
	ViciClosedFunc closed_func;
	gpointer closed_data;
};

/* Carries a client reference and the connection generation through async I/O. */
typedef struct {
	ViciClient *client;
	guint generation;
	GBytes *frame; /* writes: the bytes in flight, wiped when released */
} IoCtx;

static void client_fail_all(ViciClient *client, const GError *reason);
static void client_pump(ViciClient *client);
static void client_start_connect(ViciClient *client);
static void read_header(ViciClient *client);

/* ---- helpers ------------------------------------------------------------- */

char *vici_uri_to_path(const char *uri, GError **error)
{
	if (!uri || !*uri)
		uri = IPSEC_DEFAULT_VICI_URI;
	if (!g_str_has_prefix(uri, "unix://") || uri[7] == '\0') {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_INVALID_SETTINGS,
			    "Unsupported vici URI “%s”: only unix:///path/to/charon.vici is supported", uri);
		return NULL;
	}
	return g_strdup(uri + 7);
}

gboolean vici_response_ok(const struct vici_node *response, const char **errmsg)
{
	if (errmsg)
		*errmsg = vici_node_str(response, "errmsg");
	return vici_node_is_yes(response, "success");
}

static IoCtx *io_ctx_new(ViciClient *client)
{
	IoCtx *ctx = g_new0(IoCtx, 1);
	ctx->client = vici_client_ref(client);
	ctx->generation = client->generation;
	return ctx;
}

/* Consumes ctx; returns the client (with a reference) if the I/O is still current. */
static ViciClient *io_ctx_take(IoCtx *ctx, gboolean *current)
{
	ViciClient *client = ctx->client;
	*current = client->conn && ctx->generation == client->generation;
	if (ctx->frame)
		g_bytes_unref(ctx->frame);
	g_free(ctx);
	return client;
}

static void handler_free(gpointer p)
{
	ViciHandler *h = p;
	g_free(h->event);
	g_free(h);
}

static void op_free(ViciOp *op)
{
	if (op->timeout_id)
		g_source_remove(op->timeout_id);
	if (op->cancellable) {
		g_cancellable_disconnect(op->cancellable, op->cancel_id);
		g_object_unref(op->cancellable);
	}
	g_free(op->command);
	vici_buffer_free_secure(op->frame, op->frame_len);
	g_free(op->event);
	vici_node_free(op->response);
	g_clear_error(&op->deferred_error);
	g_clear_error(&op->stream_error);
	g_clear_object(&op->task);
	g_free(op);
}

/* Removes op from the queue, then reports (the callback may re-enter the client). */
static void op_finish(ViciOp *op, const GError *error)
{
	ViciClient *client = vici_client_ref(op->client);
	g_queue_remove(&client->ops, op);
	GTask *task = g_steal_pointer(&op->task);
	if (task)
		g_task_set_task_data(task, NULL, NULL);
	if (task && !error && op->persistent) {
		ViciHandler *h = g_new0(ViciHandler, 1);
		h->event = g_strdup(op->event);
		h->func = op->func;
		h->data = op->func_data;
		g_ptr_array_add(client->handlers, h);
	}
	if (task) {
		if (error)
			g_task_return_error(task, g_error_copy(error));
		else if (op->persistent)
			g_task_return_boolean(task, TRUE);
		else
			g_task_return_pointer(task, g_steal_pointer(&op->response),
					      (GDestroyNotify)vici_node_free);
		g_object_unref(task);
	}
	op_free(op);
	client_pump(client);
	vici_client_unref(client);
}

/* ---- lifecycle ----------------------------------------------------------- */

ViciClient *vici_client_new(const char *uri)
{
	ViciClient *client = g_new0(ViciClient, 1);
	client->ref = 1;
	client->uri = g_strdup(uri && *uri ? uri : IPSEC_DEFAULT_VICI_URI);
	g_queue_init(&client->ops);
	client->handlers = g_ptr_array_new_with_free_func(handler_free);
	client->connect_waiters = g_ptr_array_new();
	return client;
}

ViciClient *vici_client_ref(ViciClient *client)
{
	g_atomic_int_inc(&client->ref);
	return client;
}

void vici_client_unref(ViciClient *client)
{
	if (!client || !g_atomic_int_dec_and_test(&client->ref))
		return;
	/* Nothing can be pending here: every op and I/O callback holds a reference. */
	g_clear_object(&client->io_cancel);
	g_clear_object(&client->conn);
	g_ptr_array_unref(client->handlers);
	g_ptr_array_unref(client->connect_waiters);
	g_free(client->body);
	g_free(client->uri);
	g_free(client);
}

void vici_client_set_closed_handler(ViciClient *client, ViciClosedFunc func, gpointer user_data)
{
	client->closed_func = func;
	client->closed_data = user_data;
}

gboolean vici_client_is_connected(ViciClient *client)
{
	return client->conn != NULL;
}

static void client_drop_connection(ViciClient *client)
{
	client->generation++;
	if (client->io_cancel)
		g_cancellable_cancel(client->io_cancel);
	g_clear_object(&client->io_cancel);
	if (client->conn)
		g_io_stream_close(G_IO_STREAM(client->conn), NULL, NULL);
	g_clear_object(&client->conn);
	g_clear_pointer(&client->body, g_free);
	vici_buffer_free_secure(client->outq, client->outq_len);
	client->outq = NULL;
	client->outq_len = 0;
	client->writing = FALSE;
	/* Registrations live in charon per connection: they are gone now. */
	g_ptr_array_set_size(client->handlers, 0);
}

static void client_fail_all(ViciClient *client, const GError *reason)
{
	ViciOp *op;
	while ((op = g_queue_peek_head(&client->ops)))
		op_finish(op, reason);
}

/* Involuntary loss (EOF, I/O error, protocol error, timeout): tell the owner. */
static void client_lost(ViciClient *client, const GError *reason)
{
	gboolean was_connected = client->conn != NULL;
	vici_client_ref(client);
	client_drop_connection(client);
	client_fail_all(client, reason);
	if (was_connected && client->closed_func)
		client->closed_func(client, reason, client->closed_data);
	vici_client_unref(client);
}

void vici_client_close(ViciClient *client, const GError *reason)
{
	g_autoptr(GError) generic = NULL;
	if (!reason)
		reason = generic =
		    g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED, "vici connection closed");
	vici_client_ref(client);
	client_drop_connection(client);
	client_fail_all(client, reason);
	vici_client_unref(client);
}

/* ---- connecting ---------------------------------------------------------- */

static GError *connect_error(const char *path, const GError *error)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		return g_error_new(
		    IPSEC_ERROR, IPSEC_ERROR_PERMISSION_DENIED,
		    "Permission denied on charon's vici socket %s: it is root-only (mode 0770); "
		    "run as root or through the l2tp-vpn daemon",
		    path);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING,
				   "strongSwan's charon is not running (no listener on %s: %s); "
				   "start strongswan.service or check charon.plugins.vici.socket",
				   path, error->message);
	return g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING, "Cannot connect to charon at %s: %s",
			   path, error->message);
}

static void finish_connect_waiters(ViciClient *client, const GError *error)
{
	g_autoptr(GPtrArray) waiters = client->connect_waiters;
	client->connect_waiters = g_ptr_array_new();
	for (guint i = 0; i < waiters->len; i++) {
		GTask *task = waiters->pdata[i];
		if (error)
			g_task_return_error(task, g_error_copy(error));
		else
			g_task_return_boolean(task, TRUE);
		g_object_unref(task);
	}
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer data)
{
	ViciClient *client = data;
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &error);
	client->connecting = FALSE;
	if (!conn) {
		g_autofree char *path = vici_uri_to_path(client->uri, NULL);
		g_autoptr(GError) mapped = connect_error(path ? path : client->uri, error);
		finish_connect_waiters(client, mapped);
		client_fail_all(client, mapped);
	} else {
		client->conn = conn;
		client->io_cancel = g_cancellable_new();
		read_header(client);
		finish_connect_waiters(client, NULL);
		client_pump(client);
	}
	vici_client_unref(client);
}

static void client_start_connect(ViciClient *client)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = vici_uri_to_path(client->uri, &error);
	if (!path) {
		finish_connect_waiters(client, error);
		client_fail_all(client, error);
		return;
	}
	client->connecting = TRUE;
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_socket_client_connect_async(sc, G_SOCKET_CONNECTABLE(addr), NULL, on_connected,
				      vici_client_ref(client));
}

void vici_client_connect_async(ViciClient *client, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, vici_client_connect_async);
	if (client->conn) {
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
		return;
	}
	g_ptr_array_add(client->connect_waiters, task);
	if (!client->connecting)
		client_start_connect(client);
}

gboolean vici_client_connect_finish(ViciClient *client, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- sending ------------------------------------------------------------- */

typedef struct {
	uint8_t *data;
	size_t len;
} SecretCopy;

static void secret_copy_free(gpointer p)
{
	SecretCopy *copy = p;
	vici_buffer_free_secure(copy->data, copy->len);
	g_free(copy);
}

static void on_written(GObject *source, GAsyncResult *res, gpointer data);

/* Hands everything queued to the stream in one write (a stream takes one write at a time),
 * from a private copy wiped once the write is done (PSKs, keys). */
static void write_queued(ViciClient *client)
{
	SecretCopy *copy = g_new(SecretCopy, 1);
	copy->data = g_steal_pointer(&client->outq);
	copy->len = client->outq_len;
	client->outq_len = 0;
	client->writing = TRUE;
	IoCtx *ctx = io_ctx_new(client);
	ctx->frame = g_bytes_new_with_free_func(copy->data, copy->len, secret_copy_free, copy);
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(client->conn));
	g_output_stream_write_all_async(out, copy->data, copy->len, G_PRIORITY_DEFAULT, client->io_cancel,
					on_written, ctx);
}

static void on_written(GObject *source, GAsyncResult *res, gpointer data)
{
	gboolean current;
	ViciClient *client = io_ctx_take(data, &current);
	g_autoptr(GError) error = NULL;
	gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), res, NULL, &error);
	if (current && !ok) {
		g_autoptr(GError) lost =
		    g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING,
				"Lost the connection to charon while sending: %s", error->message);
		client_lost(client, lost);
	} else if (current) {
		client->writing = FALSE;
		if (client->outq)
			write_queued(client);
	}
	vici_client_unref(client);
}

/* Queues a frame behind what is being written (pipelined commands), then writes. */
static void send_frame(ViciClient *client, const uint8_t *frame, size_t len)
{
	uint8_t *joined = g_malloc(client->outq_len + len);
	if (client->outq_len)
		memcpy(joined, client->outq, client->outq_len);
	memcpy(joined + client->outq_len, frame, len);
	vici_buffer_free_secure(client->outq, client->outq_len);
	client->outq = joined;
	client->outq_len += len;
	if (!client->writing)
		write_queued(client);
}

static gboolean send_event_packet(ViciClient *client, int type, const char *event)
{
	uint8_t *frame;
	size_t len;
	if (vici_packet_encode(type, event, NULL, 0, &frame, &len) != VICI_OK)
		return FALSE;
	send_frame(client, frame, len);
	g_free(frame);
	return TRUE;
}

/* The request may carry a PSK or key: wipe our copy as soon as it is queued. */
static void op_drop_frame(ViciOp *op)
{
	vici_buffer_free_secure(op->frame, op->frame_len);
	op->frame = NULL;
	op->frame_len = 0;
}

/*
 * A streaming command's registration and the command itself in one write: charon
 * handles a connection's requests strictly in order (vici_socket's process_queue), so
 * the stream is registered before the command runs, and the round trip between the two
 * is saved (lab: ~50 ms between control-log's confirm and initiate reaching charon).
 */
static void send_register_and_command(ViciOp *op)
{
	uint8_t *reg;
	size_t reg_len;
	if (vici_packet_encode(VICI_EVENT_REGISTER, op->event, NULL, 0, &reg, &reg_len) != VICI_OK)
		return;
	size_t len = reg_len + op->frame_len;
	uint8_t *both = g_malloc(len);
	memcpy(both, reg, reg_len);
	memcpy(both + reg_len, op->frame, op->frame_len);
	send_frame(op->client, both, len);
	vici_buffer_free_secure(both, len);
	g_free(reg);
	op_drop_frame(op);
}

static void op_send_stage(ViciOp *op)
{
	ViciClient *client = op->client;
	op->in_flight = TRUE;
	switch (op->stage) {
	case STAGE_REGISTER:
		if (op->persistent)
			send_event_packet(client, VICI_EVENT_REGISTER, op->event);
		else
			send_register_and_command(op);
		break;
	case STAGE_COMMAND:
		send_frame(client, op->frame, op->frame_len);
		op_drop_frame(op);
		break;
	case STAGE_UNREGISTER:
		send_event_packet(client, VICI_EVENT_UNREGISTER, op->event);
		break;
	}
}

/* A streaming command has events, a response and an unregistration after its request. */
static gboolean op_is_stream(const ViciOp *op)
{
	return op->event && !op->persistent;
}

/*
 * Sends what may go now. Commands and registrations are pipelined: charon handles a
 * connection's requests strictly in order, so answers match the queue's order, and a
 * chain of loads or registrations costs one round trip instead of one each (events of a
 * registration only come after its confirm). A streaming command goes out once every op
 * ahead of it is sent, and nothing after it until it is done: its events must find it at
 * the head of the queue.
 */
static void client_pump(ViciClient *client)
{
	ViciOp *head = g_queue_peek_head(&client->ops);
	if (!head)
		return;
	if (!client->conn) {
		if (!head->in_flight && !client->connecting)
			client_start_connect(client);
		return;
	}
	for (GList *l = client->ops.head; l; l = l->next) {
		ViciOp *op = l->data;
		if (!op->in_flight)
			op_send_stage(op);
		if (op_is_stream(op))
			break;
	}
}

/* ---- operations ---------------------------------------------------------- */

static gboolean on_op_timeout(gpointer data)
{
	ViciOp *op = data;
	ViciClient *client = op->client;
	op->timeout_id = 0;
	g_autoptr(GError) error =
	    g_error_new(IPSEC_ERROR, IPSEC_ERROR_TIMEOUT, "charon did not answer “%s” within %u ms",
			op->command ? op->command : op->event, op->timeout_ms);
	if (!op->in_flight) {
		op_finish(op, error);
		return G_SOURCE_REMOVE;
	}
	/* A reply may still come: the connection is out of step, so start afresh. */
	client_lost(client, error);
	return G_SOURCE_REMOVE;
}

static gboolean on_op_cancelled_idle(gpointer data)
{
	GTask *task = data;
	ViciOp *op = g_task_get_task_data(task);
	if (!op) {
		g_object_unref(task);
		return G_SOURCE_REMOVE;
	}
	g_autoptr(GError) error =
	    g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
	if (!op->in_flight) {
		op_finish(op, error);
	} else if (op->task == task) {
		/* Report now; the exchange runs to its end silently to keep the stream in step. */
		op->task = NULL;
		op->func = NULL;
		g_task_set_task_data(task, NULL, NULL);
		g_task_return_error(task, g_steal_pointer(&error));
		g_object_unref(task);
	}
	g_object_unref(task);
	return G_SOURCE_REMOVE;
}

static void on_op_cancelled(GCancellable *cancellable, gpointer data)
{
	/* Never act inside the signal: g_cancellable_disconnect() from here would deadlock. */
	g_idle_add(on_op_cancelled_idle, g_object_ref(data));
}

static void op_task_data_clear(gpointer data)
{
	(void)data;
}

static void op_enqueue(ViciClient *client, ViciOp *op, GCancellable *cancellable)
{
	if (op->timeout_ms)
		op->timeout_id = g_timeout_add(op->timeout_ms, on_op_timeout, op);
	g_task_set_task_data(op->task, op, op_task_data_clear);
	if (cancellable) {
		op->cancellable = g_object_ref(cancellable);
		op->cancel_id =
		    g_cancellable_connect(cancellable, G_CALLBACK(on_op_cancelled), op->task, NULL);
	}
	g_queue_push_tail(&client->ops, op);
	client_pump(client);
}

void vici_client_command_async(ViciClient *client, const char *command, const uint8_t *msg, size_t msg_len,
			       const char *stream_event, ViciEventFunc stream_func, gpointer stream_data,
			       guint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, vici_client_command_async);
	ViciOp *op = g_new0(ViciOp, 1);
	int rc = vici_packet_encode(VICI_CMD_REQUEST, command, msg, msg_len, &op->frame, &op->frame_len);
	if (rc != VICI_OK) {
		g_task_return_new_error(task, IPSEC_ERROR, IPSEC_ERROR_PROTOCOL,
					"Cannot encode vici command %s: %s", command, vici_strerror(rc));
		g_object_unref(task);
		g_free(op);
		return;
	}
	op->client = client;
	op->task = task;
	op->command = g_strdup(command);
	op->event = g_strdup(stream_event);
	op->func = stream_func;
	op->func_data = stream_data;
	op->stage = stream_event ? STAGE_REGISTER : STAGE_COMMAND;
	op->timeout_ms = timeout_ms;
	op_enqueue(client, op, cancellable);
}

struct vici_node *vici_client_command_finish(ViciClient *client, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

void vici_client_register_async(ViciClient *client, const char *event, ViciEventFunc func, gpointer func_data,
				guint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
				gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, vici_client_register_async);
	ViciOp *op = g_new0(ViciOp, 1);
	op->client = client;
	op->task = task;
	op->persistent = TRUE;
	op->event = g_strdup(event);
	op->func = func;
	op->func_data = func_data;
	op->stage = STAGE_REGISTER;
	op->timeout_ms = timeout_ms;
	op_enqueue(client, op, cancellable);
}

gboolean vici_client_register_finish(ViciClient *client, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- receiving ----------------------------------------------------------- */

static GError *protocol_error(const char *what, int rc)
{
	return g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL, "Malformed vici traffic from charon (%s): %s",
			   what, vici_strerror(rc));
}

static void dispatch_event(ViciClient *client, const char *name, const struct vici_node *msg)
{
	ViciOp *op = g_queue_peek_head(&client->ops);
	if (op && op->in_flight && !op->persistent && op->func && op->event && strcmp(op->event, name) == 0)
		op->func(name, msg, op->func_data);
	/* Handlers may unregister nothing but can trigger new operations: iterate a copy. */
	guint generation = client->generation;
	for (guint i = 0; i < client->handlers->len; i++) {
		ViciHandler *h = client->handlers->pdata[i];
		if (strcmp(h->event, name) == 0)
			h->func(name, msg, h->data);
		if (generation != client->generation)
			break; /* a handler closed us: the handler list is gone */
	}
}

/* Moves a streaming command on after its response, or finishes the op. */
static void op_after_response(ViciOp *op, struct vici_node *response, GError *error)
{
	op->response = response;
	if (op->stream_error) {
		/* Registering the stream failed first: that is the error to report. */
		g_clear_error(&error);
		error = g_steal_pointer(&op->stream_error);
	}
	if (op->event && !op->persistent) {
		op->deferred_error = error;
		op->stage = STAGE_UNREGISTER;
		op->func = NULL;
		op_send_stage(op);
		return;
	}
	op_finish(op, error);
	g_clear_error(&error);
}

static void handle_confirm(ViciOp *op, gboolean known)
{
	if (op->stage == STAGE_REGISTER) {
		GError *error = known ? NULL
				      : g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL,
						    "charon does not know the vici event “%s”", op->event);
		if (op->persistent) {
			op_finish(op, error);
			g_clear_error(&error);
			return;
		}
		/* The command went out with the registration: its response comes next either way. */
		op->stage = STAGE_COMMAND;
		op->stream_error = error;
		if (error)
			op->func = NULL;
		return;
	}
	/* STAGE_UNREGISTER: the streaming command is complete either way. */
	GError *error = g_steal_pointer(&op->deferred_error);
	op_finish(op, error);
	g_clear_error(&error);
}

/* Returns an error if the packet breaks the protocol: the connection is then dropped. */
static GError *handle_packet(ViciClient *client, const struct vici_packet *pkt)
{
	ViciOp *op = g_queue_peek_head(&client->ops);
	if (pkt->type == VICI_EVENT) {
		struct vici_node *msg;
		int rc = vici_message_decode(pkt->msg, pkt->msg_len, &msg);
		if (rc)
			return protocol_error("event message", rc);
		dispatch_event(client, pkt->name, msg);
		vici_node_free(msg);
		return NULL;
	}
	if (!op || !op->in_flight)
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL, "Unexpected vici %s packet from charon",
				   vici_packet_type_name(pkt->type));
	switch (pkt->type) {
	case VICI_CMD_RESPONSE: {
		if (op->stage != STAGE_COMMAND)
			break;
		struct vici_node *msg;
		int rc = vici_message_decode(pkt->msg, pkt->msg_len, &msg);
		if (rc)
			return protocol_error("response message", rc);
		op_after_response(op, msg, NULL);
		return NULL;
	}
	case VICI_CMD_UNKNOWN:
		if (op->stage != STAGE_COMMAND)
			break;
		op_after_response(op, NULL,
				  g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL,
					      "charon does not know the vici command “%s” (too old?)",
					      op->command));
		return NULL;
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		if (op->stage == STAGE_COMMAND)
			break;
		handle_confirm(op, pkt->type == VICI_EVENT_CONFIRM);
		return NULL;
	}
	return g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL, "Unexpected vici %s packet from charon",
			   vici_packet_type_name(pkt->type));
}

static void lost_while_reading(ViciClient *client, const char *what, const GError *error)
{
	g_autoptr(GError) lost = g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING,
					     "charon closed the vici "
					     "connection%s%s%s",
					     what, error ? ": " : "", error ? error->message : "");
	client_lost(client, lost);
}

/* Decodes and dispatches one frame body, then reads on unless the connection went away. */
static void process_body(ViciClient *client)
{
	struct vici_packet pkt;
	guint generation = client->generation;
	uint8_t *body = g_steal_pointer(&client->body);
	int rc = vici_packet_decode(body, client->body_len, &pkt);
	g_autoptr(GError) perr = rc ? protocol_error("packet", rc) : handle_packet(client, &pkt);
	/* Responses may carry key material (get-shared does not, but be safe). */
	vici_buffer_free_secure(body, client->body_len);
	if (perr)
		client_lost(client, perr);
	else if (client->conn && generation == client->generation)
		read_header(client);
}

static void on_body(GObject *source, GAsyncResult *res, gpointer data)
{
	gboolean current;
	ViciClient *client = io_ctx_take(data, &current);
	g_autoptr(GError) error = NULL;
	gsize got = 0;
	gboolean ok = g_input_stream_read_all_finish(G_INPUT_STREAM(source), res, &got, &error);
	if (current && (!ok || got != client->body_len))
		lost_while_reading(client, " mid-message", error);
	else if (current)
		process_body(client);
	vici_client_unref(client);
}

static void start_body(ViciClient *client)
{
	int rc = vici_frame_length(client->header, &client->body_len);
	if (rc) {
		g_autoptr(GError) perr = protocol_error("frame length", rc);
		client_lost(client, perr);
		return;
	}
	client->body = g_malloc(client->body_len);
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(client->conn));
	g_input_stream_read_all_async(in, client->body, client->body_len, G_PRIORITY_DEFAULT,
				      client->io_cancel, on_body, io_ctx_new(client));
}

static void on_header(GObject *source, GAsyncResult *res, gpointer data)
{
	gboolean current;
	ViciClient *client = io_ctx_take(data, &current);
	g_autoptr(GError) error = NULL;
	gsize got = 0;
	gboolean ok = g_input_stream_read_all_finish(G_INPUT_STREAM(source), res, &got, &error);
	if (current && (!ok || got != VICI_FRAME_HEADER))
		lost_while_reading(client, "", error);
	else if (current)
		start_body(client);
	vici_client_unref(client);
}

static void read_header(ViciClient *client)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(client->conn));
	g_input_stream_read_all_async(in, client->header, sizeof(client->header), G_PRIORITY_DEFAULT,
				      client->io_cancel, on_header, io_ctx_new(client));
}
