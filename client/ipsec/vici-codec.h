/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vici wire codec: strongSwan's Versatile IKE Control Interface, spoken over a
 * stream socket to charon (FACTS §4; strongSwan src/libcharon/plugins/vici/README.md).
 *
 * Plain C over byte buffers: no I/O, no globals, no GLib, so fuzzers and unit
 * tests link it alone. Layering follows strongSwan's plugin:
 *   - frame:   u32 big-endian length (excluding itself, at most VICI_MAX_FRAME),
 *   - packet:  u8 type, an optional u8-length name, an optional message,
 *   - message: a sequence of elements (sections, key/values, lists of items),
 *              built with struct vici_builder, decoded into a tree of vici_node.
 *
 * Every decoder is strict: sections balance, lists hold only items, names are
 * 1..255 bytes without NUL, nothing trails a packet that carries no message,
 * nesting depth is bounded. Errors are negative enum vici_status values.
 */
#ifndef L2TPVPN_VICI_CODEC_H
#define L2TPVPN_VICI_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* charon refuses frames above 512 KiB; so do we, in both directions. */
#define VICI_MAX_FRAME    (512u * 1024u)
#define VICI_FRAME_HEADER 4u
#define VICI_MAX_NAME     255u
#define VICI_MAX_VALUE    65535u
/* charon's messages nest 5 levels at most (list-sas child-rekey); leave room. */
#define VICI_MAX_DEPTH 32

enum vici_packet_type {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

enum vici_element_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

enum vici_status {
	VICI_OK = 0,
	VICI_ERR_TRUNCATED = -1,    /* input ends inside an element or packet */
	VICI_ERR_TOO_LARGE = -2,    /* frame above VICI_MAX_FRAME, value above 64 KiB */
	VICI_ERR_BAD_TYPE = -3,     /* unknown packet or element type */
	VICI_ERR_BAD_NAME = -4,     /* empty, too long, or containing NUL */
	VICI_ERR_UNBALANCED = -5,   /* section/list end without start, or left open */
	VICI_ERR_LIST_CONTENT = -6, /* something other than an item inside a list, or an item outside */
	VICI_ERR_TOO_DEEP = -7,     /* nesting above VICI_MAX_DEPTH */
	VICI_ERR_NO_MEMORY = -8,
	VICI_ERR_TRAILING = -9, /* bytes after a packet that carries no message */
	VICI_ERR_EMPTY = -10,   /* zero-length frame */
};

const char *vici_strerror(int status);
const char *vici_packet_type_name(int type);

/* ---- message builder ----------------------------------------------------- */

/*
 * Appends elements to a growing buffer. The first error sticks (later calls are
 * no-ops), so callers check once, at vici_builder_finish(). Messages may carry
 * secrets (PSK, private keys): vici_builder_clear() and vici_buffer_free_secure()
 * wipe them.
 */
struct vici_builder {
	uint8_t *data;
	size_t len;
	size_t cap;
	int depth;
	bool in_list;
	int error;
};

void vici_builder_init(struct vici_builder *b);
void vici_builder_section_begin(struct vici_builder *b, const char *name);
void vici_builder_section_end(struct vici_builder *b);
void vici_builder_kv(struct vici_builder *b, const char *name, const void *value, size_t len);
void vici_builder_kv_str(struct vici_builder *b, const char *name, const char *value);
void vici_builder_kv_uint(struct vici_builder *b, const char *name, unsigned long long value);
void vici_builder_list_begin(struct vici_builder *b, const char *name);
void vici_builder_list_item(struct vici_builder *b, const void *value, size_t len);
void vici_builder_list_item_str(struct vici_builder *b, const char *value);
void vici_builder_list_end(struct vici_builder *b);
/* Checks balance; hands the message to the caller (free with vici_buffer_free_secure). */
int vici_builder_finish(struct vici_builder *b, uint8_t **msg, size_t *len);
/* Wipes and frees whatever the builder still holds. */
void vici_builder_clear(struct vici_builder *b);
void vici_buffer_free_secure(uint8_t *buf, size_t len);

/* ---- packets ------------------------------------------------------------- */

struct vici_packet {
	uint8_t type;
	char name[VICI_MAX_NAME + 1]; /* "" for types without a name */
	const uint8_t *msg;           /* points into the decoded body; NULL if none */
	size_t msg_len;
};

bool vici_packet_has_name(int type);
bool vici_packet_has_message(int type);
/* Reads the 4-byte frame header; rejects empty and oversized frames. */
int vici_frame_length(const uint8_t header[VICI_FRAME_HEADER], size_t *body_len);
/* Decodes a frame body (what follows the length). pkt->msg aliases body. */
int vici_packet_decode(const uint8_t *body, size_t len, struct vici_packet *pkt);
/*
 * Encodes a complete frame (length prefix included). name may be NULL for types
 * without a name; msg may be NULL (an empty message) for types carrying one.
 */
int vici_packet_encode(int type, const char *name, const uint8_t *msg, size_t msg_len, uint8_t **frame,
		       size_t *frame_len);

/* ---- decoded message tree ------------------------------------------------ */

enum vici_node_kind {
	VICI_NODE_SECTION,
	VICI_NODE_VALUE, /* a key/value, or a list item (name NULL) */
	VICI_NODE_LIST,
};

struct vici_node {
	enum vici_node_kind kind;
	char *name;     /* NULL for list items and the root section */
	uint8_t *value; /* VALUE only: value_len bytes plus a terminating NUL */
	size_t value_len;
	struct vici_node *children; /* SECTION: its elements; LIST: its items */
	struct vici_node *next;
};

/* Decodes a message into a tree rooted at an unnamed section. */
int vici_message_decode(const uint8_t *msg, size_t len, struct vici_node **root);
void vici_node_free(struct vici_node *node);
/* Re-encodes the children of a section (the root: a whole message). */
void vici_node_encode(const struct vici_node *section, struct vici_builder *b);

/* Lookups never fail loudly: a missing or mistyped element gives NULL. */
const struct vici_node *vici_node_child(const struct vici_node *section, const char *name);
const struct vici_node *vici_node_section(const struct vici_node *section, const char *name);
const struct vici_node *vici_node_list(const struct vici_node *section, const char *name);
/* The value as a C string; NULL if missing, not a value, or containing NUL. */
const char *vici_node_str(const struct vici_node *section, const char *name);
/* "yes" → true; anything else, or missing → false. */
bool vici_node_is_yes(const struct vici_node *section, const char *name);
size_t vici_node_count(const struct vici_node *section_or_list);

#endif
