/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-process stand-in for charon's vici socket, for unit tests of the client
 * and the session lifecycle where a real charon cannot reach an established
 * CHILD_SA (the host kernel has no ESP). It speaks the wire protocol through
 * our codec and keeps the state charon would: loaded conns, shared secrets,
 * keys, established SAs, event registrations per connection.
 */
#ifndef L2TPVPN_FAKE_CHARON_H
#define L2TPVPN_FAKE_CHARON_H

#include <gio/gio.h>

#include "vici-codec.h"

typedef struct {
	GSocketService *service;
	char *path;
	GPtrArray *clients;      /* FakeClient* */
	GHashTable *conns;       /* name → NULL */
	GHashTable *shared;      /* id → NULL */
	GHashTable *keys;        /* id → NULL */
	GHashTable *established; /* conn name → NULL */
	guint accepted;
	/* behaviour */
	const char *child_mode; /* "TRANSPORT" by default */
	gboolean initiate_ok;
	const char *const *initiate_log;
	const char *initiate_errmsg;
	char *hang_command;           /* never answer this command */
	guint hang_initiates;         /* the next N initiates get no reply (IKE stalled) */
	const char *version;          /* daemon version reported ("5.9.8") */
	const char *load_conn_errmsg; /* refuse load-conn with this errmsg */
	/* Non-NULL: on initiate, child-updown (up, the SA in this mode) goes out first and the
	 * reply 50 ms later, so the client certainly sees the event before the reply. */
	const char *updown_child_mode;
	guint deferred_reply; /* the pending reply's timeout source */
	/* Non-zero: initiate sends the first initiate_log line, and the rest of the log and the
	 * outcome this much later (timing that the client measures between log lines). */
	guint initiate_log_pause_ms;
	guint ike_uniqueid; /* the IKE_SA's uniqueid in events and lists (1; an ike-rekey moves it on) */
	guint commands_seen;
	guint rekeys_seen;                /* rekey commands */
	guint registers_followed_at_once; /* registrations with the next request already waiting */
	/* Non-zero: the first N requests of a connection are answered only once all N are in
	 * (a client that waits for each answer before the next request hangs), once. */
	guint hold_first_requests;
	/* Events named "no-such-..." are unknown (EVENT_UNKNOWN), like charon's for a typo. */
	GString *command_log; /* "cmd;" per request, in order */
} FakeCharon;

FakeCharon *fake_charon_new(const char *path);
void fake_charon_free(FakeCharon *fc);
/* What swanctl --load-all / clear-creds do to vici-loaded state. */
void fake_charon_forget_conns_and_creds(FakeCharon *fc);
/* Sends an ike-updown event (up or down) for conn to every registered client. */
void fake_charon_ike_updown(FakeCharon *fc, const char *conn, gboolean up);
/* ... for the IKE_SA with this uniqueid (e.g. the one an IKE rekey replaced). */
void fake_charon_ike_updown_id(FakeCharon *fc, const char *conn, gboolean up, guint uniqueid);
/* Sends a rekey event ("ike-rekey" or "child-rekey") for conn. */
void fake_charon_rekey(FakeCharon *fc, const char *event, const char *conn);
/* Closes every client connection (charon restarting). */
void fake_charon_kick(FakeCharon *fc);
/* Client connections still open (a closed client is seen as EOF). */
guint fake_charon_open_clients(FakeCharon *fc);
/* TRUE if nothing (conn, secret, key, SA) is loaded. */
gboolean fake_charon_is_clean(FakeCharon *fc);

#endif
