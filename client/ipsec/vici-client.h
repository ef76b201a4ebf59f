/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vici client on the GLib main loop: one stream connection to charon, a queue of
 * operations of which exactly one is in flight (charon handles a connection's
 * requests strictly in order; a streaming command's registration and the command
 * go out together), and event demultiplexing (EVENT packets may arrive between a
 * request and its response).
 *
 * Like strongSwan's own layering (vici_socket / vici_dispatcher), this is the
 * dispatcher half for a client: it knows packets and messages, not IPsec.
 * Errors are IPSEC_ERROR codes: CHARON_NOT_RUNNING, PERMISSION_DENIED,
 * PROTOCOL, TIMEOUT; cancellation gives G_IO_ERROR_CANCELLED.
 *
 * The connection opens lazily with the first operation and is reopened by the
 * next operation after it was lost (reconnect); persistent event registrations
 * are not replayed automatically: the closed handler tells the owner to do so.
 */
#ifndef L2TPVPN_VICI_CLIENT_H
#define L2TPVPN_VICI_CLIENT_H

#include <gio/gio.h>

#include "vici-codec.h"

G_BEGIN_DECLS

typedef struct _ViciClient ViciClient;

/* msg is only valid during the call. */
typedef void (*ViciEventFunc)(const char *event, const struct vici_node *msg, gpointer user_data);
typedef void (*ViciClosedFunc)(ViciClient *client, const GError *reason, gpointer user_data);

/* Parses "unix:///path" (the only transport we support); NULL + error otherwise. */
char *vici_uri_to_path(const char *uri, GError **error);

/*
 * While connected, pending reads hold a reference: call vici_client_close()
 * before dropping the last reference of your own.
 */
ViciClient *vici_client_new(const char *uri);
ViciClient *vici_client_ref(ViciClient *client);
void vici_client_unref(ViciClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ViciClient, vici_client_unref)

void vici_client_set_closed_handler(ViciClient *client, ViciClosedFunc func, gpointer user_data);
gboolean vici_client_is_connected(ViciClient *client);
/* Fails all queued operations with reason (or a generic "closed"). */
void vici_client_close(ViciClient *client, const GError *reason);

/* Opens the connection now (operations also do this on demand). */
void vici_client_connect_async(ViciClient *client, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data);
gboolean vici_client_connect_finish(ViciClient *client, GAsyncResult *result, GError **error);

/*
 * Sends command with message msg (may be NULL: empty). If stream_event is set,
 * registers it first, passes every such event to stream_func until the response
 * arrives, then unregisters (the streaming pattern of initiate/control-log and
 * list-sas/list-sa). timeout_ms covers the whole operation; 0 means none.
 * The message is copied into the frame; the frame is wiped after sending.
 */
void vici_client_command_async(ViciClient *client, const char *command, const uint8_t *msg, size_t msg_len,
			       const char *stream_event, ViciEventFunc stream_func, gpointer stream_data,
			       guint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data);
/* The decoded response message (free with vici_node_free). */
struct vici_node *vici_client_command_finish(ViciClient *client, GAsyncResult *result, GError **error);

/* Registers a persistent event handler (for the monitoring connection). */
void vici_client_register_async(ViciClient *client, const char *event, ViciEventFunc func, gpointer func_data,
				guint timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
				gpointer user_data);
gboolean vici_client_register_finish(ViciClient *client, GAsyncResult *result, GError **error);

/* success=yes → TRUE; else IPSEC_ERROR_PROTOCOL-free: sets *errmsg (owned by msg) and returns FALSE. */
gboolean vici_response_ok(const struct vici_node *response, const char **errmsg);

G_END_DECLS

#endif
