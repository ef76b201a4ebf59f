/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TP Access Concentrator (RFC 2661), control plane: one control connection
 * (tunnel) carrying one incoming-call session, as a VPN client needs.
 *
 * I/O-free and event-driven. The host feeds in received datagrams and the
 * current monotonic time in milliseconds, and runs l2tp_lac_timeout() at
 * l2tp_lac_deadline(); the LAC hands datagrams to ops->send and reports
 * progress through ops->event. No GLib, no sockets: the same code runs on a
 * real UDP socket (l2tp-udp.h) and in tests with virtual time.
 *
 * Lifecycle seen through events:
 *
 *   l2tp_lac_start()          sends SCCRQ to the LNS
 *   L2TP_EVENT_TUNNEL_UP      SCCRP accepted (challenge verified), SCCCN sent.
 *                             The event carries both tunnel IDs and the LNS's
 *                             address as it answered: it may have answered
 *                             from a new source port, which every later
 *                             datagram goes to (connect() the socket to it).
 *                             This is where a host creates the kernel tunnel
 *                             (L2TP_CMD_TUNNEL_CREATE). ICRQ follows at once.
 *   L2TP_EVENT_SESSION_READY  ICRP received: both session IDs are known. The
 *                             host creates the kernel session and PPPoX
 *                             socket now, then calls l2tp_lac_session_confirm(),
 *                             which sends ICCN (the LNS may send data right
 *                             after ICCN, so the session must exist first).
 *                             It may do so from inside the event callback.
 *   L2TP_EVENT_SESSION_UP     the LNS acknowledged ICCN: start pppd.
 *   L2TP_EVENT_SESSION_DOWN   the call is gone (CDN either way, tunnel loss);
 *                             reason says why in words.
 *   L2TP_EVENT_TUNNEL_DOWN    the tunnel is unusable; reason says why. The LAC
 *                             may still be acknowledging (our StopCCN awaiting
 *                             its ACK, or ~31 s of re-ACKing the LNS's StopCCN).
 *   L2TP_EVENT_FINISHED       nothing left to do: l2tp_lac_free() it (not from
 *                             inside the callback).
 *
 * A session ending (CDN) also closes the tunnel: this LAC carries one call.
 * Callbacks may call l2tp_lac_session_confirm() and l2tp_lac_close(); they
 * must not call l2tp_lac_free() or l2tp_lac_input().
 */
#ifndef L2TP_H
#define L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "l2tp-reliable.h"

#define L2TP_PORT        1701
#define L2TP_NO_DEADLINE UINT64_MAX

struct l2tp_lac_config {
	const char *host_name;      /* Host Name AVP, required */
	const char *vendor_name;    /* optional Vendor Name AVP */
	const uint8_t *secret;      /* optional shared secret: tunnel authentication and hidden AVPs */
	size_t secret_len;          /* <= 255 */
	bool hide_avps;             /* hide every AVP RFC 2661 lets be hidden, from SCCCN on (needs secret) */
	bool send_rx_connect_speed; /* off by default: WatchGuard rejects ICCN carrying it */
	uint32_t connect_speed_bps; /* (Tx) Connect Speed in ICCN */
	uint32_t hello_interval_ms; /* HELLO after this long without hearing from the LNS; 0 = never */
	unsigned retries;           /* retransmissions before the LNS is declared dead */
	uint32_t rto_initial_ms, rto_max_ms;
	uint16_t rx_window;        /* our Receive Window Size, 1..16 */
	uint32_t ack_delay_ms;     /* delayed ZLB ACK */
	uint32_t linger_ms;        /* how long to re-ACK the LNS's StopCCN */
	uint32_t setup_timeout_ms; /* SCCRQ to SESSION_UP, including the host's kernel work; 0 = none */
};

/* Defaults: hello 60 s, 5 retries from 1 s up to 8 s, window 8, ACK delay 100 ms, linger 31 s, setup 60 s. */
void l2tp_lac_config_defaults(struct l2tp_lac_config *cfg);

enum l2tp_event_type {
	L2TP_EVENT_TUNNEL_UP,
	L2TP_EVENT_SESSION_READY,
	L2TP_EVENT_SESSION_UP,
	L2TP_EVENT_SESSION_DOWN,
	L2TP_EVENT_TUNNEL_DOWN,
	L2TP_EVENT_FINISHED,
};

enum l2tp_cause {
	L2TP_CAUSE_NONE,
	L2TP_CAUSE_LOCAL,        /* l2tp_lac_close() */
	L2TP_CAUSE_PEER_STOPCCN, /* the LNS closed or refused the tunnel */
	L2TP_CAUSE_PEER_CDN,     /* the LNS cleared the call */
	L2TP_CAUSE_PEER_DEAD,    /* retransmissions unanswered */
	L2TP_CAUSE_AUTH,         /* tunnel authentication failed either way */
	L2TP_CAUSE_PROTOCOL,     /* the LNS broke the protocol */
	L2TP_CAUSE_TIMEOUT,      /* setup did not complete in time */
	L2TP_CAUSE_RESOURCES,    /* out of memory or queue space */
};

struct l2tp_event {
	enum l2tp_event_type type;
	uint16_t our_tunnel_id, peer_tunnel_id;
	uint16_t our_session_id, peer_session_id; /* 0 until known */
	const struct sockaddr *peer;              /* the LNS's current address */
	socklen_t peer_len;
	/* SESSION_DOWN, TUNNEL_DOWN, FINISHED: */
	enum l2tp_cause cause;
	uint16_t result_code, error_code; /* from the LNS's StopCCN/CDN, or what we sent */
	const char *reason;               /* human-readable, never NULL */
	bool stopccn_acked;               /* FINISHED: our StopCCN was acknowledged */
};

enum l2tp_log_level { L2TP_LOG_ERROR, L2TP_LOG_INFO, L2TP_LOG_DEBUG };

struct l2tp_lac_ops {
	void (*send)(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen);
	void (*event)(void *ctx, const struct l2tp_event *ev);
	/* Optional: random bytes for IDs, challenges, Random Vectors (default: GnuTLS). */
	void (*random)(void *ctx, void *buf, size_t len);
	/* Optional. */
	void (*log)(void *ctx, enum l2tp_log_level level, const char *message);
	/* Optional: true if this host already uses tunnel ID id (the kernel's tunnel IDs are one
	 * namespace for every connection): a new SCCRQ then assigns another. */
	bool (*tunnel_id_taken)(void *ctx, uint16_t id);
};

struct l2tp_lac;

/* NULL with a reason in err if the configuration is unusable. */
struct l2tp_lac *l2tp_lac_new(const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops, void *ctx,
			      char *err, size_t err_size);
void l2tp_lac_free(struct l2tp_lac *lac);
/*
 * Makes lac what l2tp_lac_new() with these arguments would have returned, in any state, keeping its
 * allocations: a host running one connection after another (or a fuzz harness, one per input) saves
 * allocating each. Not from inside a callback. False with a reason in err if the configuration is
 * unusable; lac is then unchanged.
 */
bool l2tp_lac_reset(struct l2tp_lac *lac, const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops,
		    void *ctx, char *err, size_t err_size);

/*
 * Right after a new IPsec SA, before l2tp_lac_start(): if the LNS has not
 * answered SCCRQ within ms, start over once under a new tunnel ID instead of
 * waiting for the 1 s retransmission. Why: an IKEv1 responder (strongSwan's
 * charon among them) installs its inbound SA before its outbound policy; an
 * LNS that answers our first SCCRQ in that gap sends SCCRP in clear, our
 * kernel rightly drops it, and the LNS treats our retransmitted SCCRQ as a
 * duplicate (xl2tpd: "requested tunnel twice, ignoring") and re-sends SCCRP
 * only on its own 1 s timer. A new SCCRQ is a new tunnel to the LNS and is
 * answered at once. If the first attempt's SCCRP still arrives, it is answered
 * with StopCCN (again for every retransmission of it, so the LNS clears it
 * reliably without us keeping state). 0 (the default) or a value not below
 * rto_initial_ms turns this off. Returns false after start.
 */
bool l2tp_lac_set_sccrq_restart(struct l2tp_lac *lac, uint32_t ms);
/*
 * While waiting for SCCRP: send a new SCCRQ at once, under a new tunnel ID, as the restart
 * above does. For a host that has just renewed the IPsec SA under the tunnel because the LNS
 * stayed silent (IKEv1's last quick-mode message may never have reached the gateway, which then
 * has no SA for us): the next retransmission could be seconds away, and a retransmitted SCCRQ
 * is one that an LNS which did see the first may ignore as a duplicate. False in any other state.
 */
bool l2tp_lac_restart_tunnel(struct l2tp_lac *lac, uint64_t now);
/* Sends SCCRQ to the LNS (IPv4 or IPv6, port usually 1701). */
bool l2tp_lac_start(struct l2tp_lac *lac, uint64_t now, const struct sockaddr *lns, socklen_t lns_len);
/* A datagram received on the tunnel socket; anything not from the LNS or not control is ignored. */
void l2tp_lac_input(struct l2tp_lac *lac, uint64_t now, const uint8_t *data, size_t len,
		    const struct sockaddr *from, socklen_t from_len);
uint64_t l2tp_lac_deadline(const struct l2tp_lac *lac);
void l2tp_lac_timeout(struct l2tp_lac *lac, uint64_t now);

/* After SESSION_READY: the kernel session exists, send ICCN. False in any other state. */
bool l2tp_lac_session_confirm(struct l2tp_lac *lac, uint64_t now);
/* Orderly shutdown: CDN for the session, then StopCCN; FINISHED once acknowledged. */
void l2tp_lac_close(struct l2tp_lac *lac, uint64_t now, const char *why);
bool l2tp_lac_finished(const struct l2tp_lac *lac);

/* Counters of the reliable-delivery engine (tests, diagnostics). */
const struct l2tp_rel_stats *l2tp_lac_stats(const struct l2tp_lac *lac);

const char *l2tp_event_name(enum l2tp_event_type type);
const char *l2tp_cause_name(enum l2tp_cause cause);

#endif
