// SPDX-License-Identifier: GPL-2.0-or-later
/* polkit over GDBus, root-only without polkit; see daemon-auth.h. */
#include "daemon-auth.h"

#include "l2tpvpn-dbus-error.h"

#define POLKIT_NAME                   "org.freedesktop.PolicyKit1"
#define POLKIT_PATH                   "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE              "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1u
/* An admin password prompt can take a while; polkit itself gives up after a few minutes. */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)

typedef struct {
	GDBusConnection *bus;
	char *sender;
	char *action;
	VpndAuthFunc func;
	gpointer user_data;
} AuthRequest;

static void request_finish(AuthRequest *req, const GError *error)
{
	req->func(error, req->user_data);
	g_object_unref(req->bus);
	g_free(req->sender);
	g_free(req->action);
	g_free(req);
}

static void deny(AuthRequest *req, const char *why)
{
	g_autoptr(GError) error = g_error_new(L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED,
					      "not authorized to %s: %s", req->action, why);

	request_finish(req, error);
}

static void on_unix_user(GObject *source, GAsyncResult *res, gpointer data)
{
	AuthRequest *req = data;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, NULL);
	guint32 uid = G_MAXUINT32;

	if (reply)
		g_variant_get(reply, "(u)", &uid);
	if (uid == 0)
		request_finish(req, NULL);
	else
		deny(req, "polkit is not available, so only root may");
}

/* polkit is absent: the caller's uid from the bus itself, which the caller cannot forge. */
static void check_root(AuthRequest *req)
{
	static gboolean logged;

	if (!logged) {
		g_message("polkit (%s) is not on the bus: only root (uid 0) is authorized from now on",
			  POLKIT_NAME);
		logged = TRUE;
	}
	g_dbus_connection_call(req->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "GetConnectionUnixUser",
			       g_variant_new("(s)", req->sender), G_VARIANT_TYPE("(u)"),
			       G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_unix_user, req);
}

static gboolean polkit_absent(const GError *error)
{
	return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
}

static void on_polkit_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	AuthRequest *req = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	gboolean authorized = FALSE, challenge = FALSE;

	if (!reply) {
		if (polkit_absent(error)) {
			check_root(req);
			return;
		}
		g_warning("polkit check for %s failed: %s", req->action, error->message);
		deny(req, "polkit could not decide");
		return;
	}
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (authorized)
		request_finish(req, NULL);
	else
		deny(req, challenge ? "authentication is needed" : "polkit refused");
}

static GVariant *polkit_subject(const char *sender)
{
	GVariantBuilder details;

	g_variant_builder_init(&details, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&details, "{sv}", "name", g_variant_new_string(sender));
	return g_variant_new("(sa{sv})", "system-bus-name", &details);
}

void vpnd_auth_check(GDBusConnection *bus, const char *sender, const char *action, VpndAuthFunc func,
		     gpointer user_data)
{
	AuthRequest *req = g_new0(AuthRequest, 1);

	req->bus = g_object_ref(bus);
	req->sender = g_strdup(sender);
	req->action = g_strdup(action);
	req->func = func;
	req->user_data = user_data;
	if (!sender) {
		/* A peer-to-peer connection has no bus to vouch for the caller. */
		deny(req, "the caller is unknown");
		return;
	}
	/* NO_AUTO_START off: polkit is activatable on a real system bus. */
	g_dbus_connection_call(bus, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE, "CheckAuthorization",
			       g_variant_new("(@(sa{sv})sa{ss}us)", polkit_subject(sender), action, NULL,
					     POLKIT_ALLOW_USER_INTERACTION, ""),
			       G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, POLKIT_TIMEOUT_MS, NULL,
			       on_polkit_reply, req);
}
