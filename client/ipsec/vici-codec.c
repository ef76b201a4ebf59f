// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vici wire codec (see vici-codec.h). Pure functions over byte buffers.
 */
#include "vici-codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vici_strerror(int status)
{
	switch (status) {
	case VICI_OK:
		return "ok";
	case VICI_ERR_TRUNCATED:
		return "truncated vici data";
	case VICI_ERR_TOO_LARGE:
		return "vici frame or value too large";
	case VICI_ERR_BAD_TYPE:
		return "unknown vici packet or element type";
	case VICI_ERR_BAD_NAME:
		return "invalid vici name";
	case VICI_ERR_UNBALANCED:
		return "unbalanced vici section or list";
	case VICI_ERR_LIST_CONTENT:
		return "vici list holds something other than items";
	case VICI_ERR_TOO_DEEP:
		return "vici message nested too deeply";
	case VICI_ERR_NO_MEMORY:
		return "out of memory";
	case VICI_ERR_TRAILING:
		return "trailing bytes after vici packet";
	case VICI_ERR_EMPTY:
		return "empty vici frame";
	}
	return "unknown vici error";
}

const char *vici_packet_type_name(int type)
{
	static const char *const names[] = {
	    "CMD_REQUEST",      "CMD_RESPONSE",  "CMD_UNKNOWN",   "EVENT_REGISTER",
	    "EVENT_UNREGISTER", "EVENT_CONFIRM", "EVENT_UNKNOWN", "EVENT",
	};
	if (type < 0 || type > VICI_EVENT)
		return "INVALID";
	return names[type];
}

/* ---- builder ------------------------------------------------------------- */

void vici_builder_init(struct vici_builder *b)
{
	memset(b, 0, sizeof(*b));
}

static void builder_fail(struct vici_builder *b, int error)
{
	if (!b->error)
		b->error = error;
}

/* Grows geometrically; old contents are wiped, not just freed (secrets). */
static bool builder_reserve(struct vici_builder *b, size_t extra)
{
	if (b->error)
		return false;
	/* The message travels inside a frame with a type byte: keep it below the limit. */
	if (extra > VICI_MAX_FRAME || b->len + extra > VICI_MAX_FRAME - 1) {
		builder_fail(b, VICI_ERR_TOO_LARGE);
		return false;
	}
	if (b->len + extra <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	uint8_t *data = malloc(cap);
	if (!data) {
		builder_fail(b, VICI_ERR_NO_MEMORY);
		return false;
	}
	if (b->data) {
		memcpy(data, b->data, b->len);
		vici_buffer_free_secure(b->data, b->cap);
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void put_u8(struct vici_builder *b, uint8_t v)
{
	b->data[b->len++] = v;
}

static void put_bytes(struct vici_builder *b, const void *p, size_t len)
{
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
}

static bool name_is_valid(const char *name, size_t *len)
{
	if (!name)
		return false;
	*len = strlen(name);
	return *len >= 1 && *len <= VICI_MAX_NAME;
}

/* Element type followed by its u8-length name. */
static bool put_named(struct vici_builder *b, uint8_t type, const char *name, size_t extra)
{
	size_t name_len;
	if (!name_is_valid(name, &name_len)) {
		builder_fail(b, VICI_ERR_BAD_NAME);
		return false;
	}
	if (!builder_reserve(b, 2 + name_len + extra))
		return false;
	put_u8(b, type);
	put_u8(b, (uint8_t)name_len);
	put_bytes(b, name, name_len);
	return true;
}

static bool outside_list(struct vici_builder *b)
{
	if (b->in_list)
		builder_fail(b, VICI_ERR_LIST_CONTENT);
	return !b->in_list && !b->error;
}

void vici_builder_section_begin(struct vici_builder *b, const char *name)
{
	if (!outside_list(b))
		return;
	if (b->depth >= VICI_MAX_DEPTH) {
		builder_fail(b, VICI_ERR_TOO_DEEP);
		return;
	}
	if (put_named(b, VICI_SECTION_START, name, 0))
		b->depth++;
}

void vici_builder_section_end(struct vici_builder *b)
{
	if (!outside_list(b))
		return;
	if (b->depth == 0) {
		builder_fail(b, VICI_ERR_UNBALANCED);
		return;
	}
	if (builder_reserve(b, 1)) {
		put_u8(b, VICI_SECTION_END);
		b->depth--;
	}
}

static void put_value(struct vici_builder *b, const void *value, size_t len)
{
	put_u8(b, (uint8_t)(len >> 8));
	put_u8(b, (uint8_t)len);
	put_bytes(b, value, len);
}

void vici_builder_kv(struct vici_builder *b, const char *name, const void *value, size_t len)
{
	if (!outside_list(b))
		return;
	if (len > VICI_MAX_VALUE) {
		builder_fail(b, VICI_ERR_TOO_LARGE);
		return;
	}
	if (put_named(b, VICI_KEY_VALUE, name, 2 + len))
		put_value(b, value, len);
}

void vici_builder_kv_str(struct vici_builder *b, const char *name, const char *value)
{
	vici_builder_kv(b, name, value, strlen(value));
}

void vici_builder_kv_uint(struct vici_builder *b, const char *name, unsigned long long value)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%llu", value);
	vici_builder_kv(b, name, text, (size_t)n);
}

void vici_builder_list_begin(struct vici_builder *b, const char *name)
{
	if (!outside_list(b))
		return;
	if (put_named(b, VICI_LIST_START, name, 0))
		b->in_list = true;
}

void vici_builder_list_item(struct vici_builder *b, const void *value, size_t len)
{
	if (!b->in_list) {
		builder_fail(b, VICI_ERR_LIST_CONTENT);
		return;
	}
	if (len > VICI_MAX_VALUE) {
		builder_fail(b, VICI_ERR_TOO_LARGE);
		return;
	}
	if (builder_reserve(b, 3 + len)) {
		put_u8(b, VICI_LIST_ITEM);
		put_value(b, value, len);
	}
}

void vici_builder_list_item_str(struct vici_builder *b, const char *value)
{
	vici_builder_list_item(b, value, strlen(value));
}

void vici_builder_list_end(struct vici_builder *b)
{
	if (!b->in_list) {
		builder_fail(b, VICI_ERR_UNBALANCED);
		return;
	}
	if (builder_reserve(b, 1)) {
		put_u8(b, VICI_LIST_END);
		b->in_list = false;
	}
}

int vici_builder_finish(struct vici_builder *b, uint8_t **msg, size_t *len)
{
	if (!b->error && (b->depth != 0 || b->in_list))
		b->error = VICI_ERR_UNBALANCED;
	if (b->error) {
		int error = b->error;
		vici_builder_clear(b);
		return error;
	}
	*msg = b->data;
	*len = b->len;
	/* An empty message is legal; hand out a real allocation anyway. */
	if (!*msg)
		*msg = calloc(1, 1);
	if (!*msg)
		return VICI_ERR_NO_MEMORY;
	vici_builder_init(b);
	return VICI_OK;
}

void vici_builder_clear(struct vici_builder *b)
{
	vici_buffer_free_secure(b->data, b->cap);
	vici_builder_init(b);
}

void vici_buffer_free_secure(uint8_t *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/* ---- packets ------------------------------------------------------------- */

bool vici_packet_has_name(int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER || type == VICI_EVENT_UNREGISTER ||
	       type == VICI_EVENT;
}

bool vici_packet_has_message(int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_CMD_RESPONSE || type == VICI_EVENT;
}

int vici_frame_length(const uint8_t header[VICI_FRAME_HEADER], size_t *body_len)
{
	uint32_t len =
	    (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
	if (len == 0)
		return VICI_ERR_EMPTY;
	if (len > VICI_MAX_FRAME)
		return VICI_ERR_TOO_LARGE;
	*body_len = len;
	return VICI_OK;
}

/* Reads a u8-length name; names must be non-empty and free of NUL. */
static int read_name(const uint8_t *p, size_t avail, char out[VICI_MAX_NAME + 1], size_t *consumed)
{
	if (avail < 1)
		return VICI_ERR_TRUNCATED;
	size_t len = p[0];
	if (avail < 1 + len)
		return VICI_ERR_TRUNCATED;
	if (len == 0 || memchr(p + 1, '\0', len))
		return VICI_ERR_BAD_NAME;
	memcpy(out, p + 1, len);
	out[len] = '\0';
	*consumed = 1 + len;
	return VICI_OK;
}

int vici_packet_decode(const uint8_t *body, size_t len, struct vici_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (len == 0)
		return VICI_ERR_EMPTY;
	if (len > VICI_MAX_FRAME)
		return VICI_ERR_TOO_LARGE;
	if (body[0] > VICI_EVENT)
		return VICI_ERR_BAD_TYPE;
	pkt->type = body[0];
	size_t pos = 1;
	if (vici_packet_has_name(pkt->type)) {
		size_t used;
		int rc = read_name(body + pos, len - pos, pkt->name, &used);
		if (rc)
			return rc;
		pos += used;
	}
	if (vici_packet_has_message(pkt->type)) {
		pkt->msg = body + pos;
		pkt->msg_len = len - pos;
	} else if (pos != len) {
		return VICI_ERR_TRAILING;
	}
	return VICI_OK;
}

int vici_packet_encode(int type, const char *name, const uint8_t *msg, size_t msg_len, uint8_t **frame,
		       size_t *frame_len)
{
	if (type < 0 || type > VICI_EVENT)
		return VICI_ERR_BAD_TYPE;
	size_t name_len = 0;
	if (vici_packet_has_name(type) && !name_is_valid(name, &name_len))
		return VICI_ERR_BAD_NAME;
	if (!vici_packet_has_message(type))
		msg_len = 0;
	size_t body = 1 + (name_len ? 1 + name_len : 0) + msg_len;
	if (body > VICI_MAX_FRAME)
		return VICI_ERR_TOO_LARGE;
	uint8_t *out = malloc(VICI_FRAME_HEADER + body);
	if (!out)
		return VICI_ERR_NO_MEMORY;
	out[0] = (uint8_t)(body >> 24);
	out[1] = (uint8_t)(body >> 16);
	out[2] = (uint8_t)(body >> 8);
	out[3] = (uint8_t)body;
	size_t pos = VICI_FRAME_HEADER;
	out[pos++] = (uint8_t)type;
	if (name_len) {
		out[pos++] = (uint8_t)name_len;
		memcpy(out + pos, name, name_len);
		pos += name_len;
	}
	if (msg_len)
		memcpy(out + pos, msg, msg_len);
	*frame = out;
	*frame_len = VICI_FRAME_HEADER + body;
	return VICI_OK;
}

/* ---- message decoding ---------------------------------------------------- */

struct reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static struct vici_node *node_new(enum vici_node_kind kind, const char *name, const uint8_t *value,
				  size_t value_len)
{
	struct vici_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	if (name && !(n->name = strdup(name)))
		goto fail;
	if (kind == VICI_NODE_VALUE) {
		n->value = malloc(value_len + 1);
		if (!n->value)
			goto fail;
		if (value_len)
			memcpy(n->value, value, value_len);
		n->value[value_len] = '\0';
		n->value_len = value_len;
	}
	return n;
fail:
	free(n->name);
	free(n);
	return NULL;
}

void vici_node_free(struct vici_node *node)
{
	while (node) {
		struct vici_node *next = node->next;
		vici_node_free(node->children);
		free(node->name);
		if (node->value)
			explicit_bzero(node->value, node->value_len);
		free(node->value);
		free(node);
		node = next;
	}
}

static int read_value(struct reader *r, const uint8_t **value, size_t *len)
{
	if (r->len - r->pos < 2)
		return VICI_ERR_TRUNCATED;
	size_t n = (size_t)r->p[r->pos] << 8 | r->p[r->pos + 1];
	if (r->len - r->pos - 2 < n)
		return VICI_ERR_TRUNCATED;
	*value = r->p + r->pos + 2;
	*len = n;
	r->pos += 2 + n;
	return VICI_OK;
}

static int read_element_name(struct reader *r, char name[VICI_MAX_NAME + 1])
{
	size_t used;
	int rc = read_name(r->p + r->pos, r->len - r->pos, name, &used);
	if (rc == VICI_OK)
		r->pos += used;
	return rc;
}

/* Appends to a children list in order, keeping a tail pointer per level. */
struct level {
	struct vici_node *node;
	struct vici_node **tail;
};

static void level_append(struct level *lvl, struct vici_node *child)
{
	*lvl->tail = child;
	lvl->tail = &child->next;
}

static int decode_list(struct reader *r, struct vici_node *list)
{
	struct level lvl = {list, &list->children};
	while (r->pos < r->len) {
		uint8_t type = r->p[r->pos++];
		if (type == VICI_LIST_END)
			return VICI_OK;
		if (type != VICI_LIST_ITEM)
			return type >= VICI_SECTION_START && type <= VICI_LIST_END ? VICI_ERR_LIST_CONTENT
										   : VICI_ERR_BAD_TYPE;
		const uint8_t *value;
		size_t len;
		int rc = read_value(r, &value, &len);
		if (rc)
			return rc;
		struct vici_node *item = node_new(VICI_NODE_VALUE, NULL, value, len);
		if (!item)
			return VICI_ERR_NO_MEMORY;
		level_append(&lvl, item);
	}
	return VICI_ERR_TRUNCATED;
}

static int decode_named(struct reader *r, uint8_t type, struct level *stack, int *depth)
{
	char name[VICI_MAX_NAME + 1];
	int rc = read_element_name(r, name);
	if (rc)
		return rc;
	struct vici_node *n;
	if (type == VICI_KEY_VALUE) {
		const uint8_t *value;
		size_t len;
		if ((rc = read_value(r, &value, &len)))
			return rc;
		n = node_new(VICI_NODE_VALUE, name, value, len);
	} else {
		n = node_new(type == VICI_LIST_START ? VICI_NODE_LIST : VICI_NODE_SECTION, name, NULL, 0);
	}
	if (!n)
		return VICI_ERR_NO_MEMORY;
	level_append(&stack[*depth], n);
	if (type == VICI_LIST_START)
		return decode_list(r, n);
	if (type == VICI_SECTION_START) {
		if (*depth + 1 > VICI_MAX_DEPTH)
			return VICI_ERR_TOO_DEEP;
		(*depth)++;
		stack[*depth] = (struct level){n, &n->children};
	}
	return VICI_OK;
}

int vici_message_decode(const uint8_t *msg, size_t len, struct vici_node **root_out)
{
	*root_out = NULL;
	if (len > VICI_MAX_FRAME)
		return VICI_ERR_TOO_LARGE;
	struct vici_node *root = node_new(VICI_NODE_SECTION, NULL, NULL, 0);
	if (!root)
		return VICI_ERR_NO_MEMORY;
	struct level stack[VICI_MAX_DEPTH + 1];
	int depth = 0;
	stack[0] = (struct level){root, &root->children};
	struct reader r = {msg, len, 0};
	int rc = VICI_OK;
	while (rc == VICI_OK && r.pos < r.len) {
		uint8_t type = r.p[r.pos++];
		switch (type) {
		case VICI_SECTION_START:
		case VICI_KEY_VALUE:
		case VICI_LIST_START:
			rc = decode_named(&r, type, stack, &depth);
			break;
		case VICI_SECTION_END:
			rc = depth > 0 ? (depth--, VICI_OK) : VICI_ERR_UNBALANCED;
			break;
		case VICI_LIST_ITEM:
			rc = VICI_ERR_LIST_CONTENT;
			break;
		case VICI_LIST_END:
			rc = VICI_ERR_UNBALANCED;
			break;
		default:
			rc = VICI_ERR_BAD_TYPE;
		}
	}
	if (rc == VICI_OK && depth != 0)
		rc = VICI_ERR_UNBALANCED;
	if (rc) {
		vici_node_free(root);
		return rc;
	}
	*root_out = root;
	return VICI_OK;
}

void vici_node_encode(const struct vici_node *section, struct vici_builder *b)
{
	for (const struct vici_node *n = section->children; n; n = n->next) {
		switch (n->kind) {
		case VICI_NODE_VALUE:
			vici_builder_kv(b, n->name, n->value, n->value_len);
			break;
		case VICI_NODE_SECTION:
			vici_builder_section_begin(b, n->name);
			vici_node_encode(n, b);
			vici_builder_section_end(b);
			break;
		case VICI_NODE_LIST:
			vici_builder_list_begin(b, n->name);
			for (const struct vici_node *item = n->children; item; item = item->next)
				vici_builder_list_item(b, item->value, item->value_len);
			vici_builder_list_end(b);
			break;
		}
	}
}

/* ---- lookups ------------------------------------------------------------- */

const struct vici_node *vici_node_child(const struct vici_node *section, const char *name)
{
	if (!section || section->kind != VICI_NODE_SECTION || !name)
		return NULL;
	for (const struct vici_node *n = section->children; n; n = n->next)
		if (n->name && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static const struct vici_node *child_of_kind(const struct vici_node *section, const char *name,
					     enum vici_node_kind kind)
{
	const struct vici_node *n = vici_node_child(section, name);
	return n && n->kind == kind ? n : NULL;
}

const struct vici_node *vici_node_section(const struct vici_node *section, const char *name)
{
	return child_of_kind(section, name, VICI_NODE_SECTION);
}

const struct vici_node *vici_node_list(const struct vici_node *section, const char *name)
{
	return child_of_kind(section, name, VICI_NODE_LIST);
}

const char *vici_node_str(const struct vici_node *section, const char *name)
{
	const struct vici_node *n = child_of_kind(section, name, VICI_NODE_VALUE);
	if (!n || memchr(n->value, '\0', n->value_len))
		return NULL;
	return (const char *)n->value;
}

bool vici_node_is_yes(const struct vici_node *section, const char *name)
{
	const char *v = vici_node_str(section, name);
	return v && strcmp(v, "yes") == 0;
}

size_t vici_node_count(const struct vici_node *section_or_list)
{
	size_t count = 0;
	if (!section_or_list || section_or_list->kind == VICI_NODE_VALUE)
		return 0;
	for (const struct vici_node *n = section_or_list->children; n; n = n->next)
		count++;
	return count;
}
