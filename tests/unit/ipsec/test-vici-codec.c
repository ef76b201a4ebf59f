// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vici codec: hand-built vectors from the protocol description, bytes captured
 * from a real charon 5.9.8 exchange (tests/unit/ipsec/vectors, recorded with
 * tests/interop/ipsec/vici-capture-proxy.py), and every strict-limit rejection.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vici-codec.h"

static const char *vector_dir;

static uint8_t *read_vector(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", vector_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		return NULL;
	}
	static uint8_t buf[VICI_MAX_FRAME + 8];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	uint8_t *copy = malloc(*len);
	memcpy(copy, buf, *len);
	return copy;
}

/* Decodes a captured frame fully; returns the message tree (caller frees). */
static struct vici_node *decode_frame(const uint8_t *frame, size_t len, struct vici_packet *pkt)
{
	size_t body_len = 0;
	CHECK(len >= 4);
	CHECK_INT(vici_frame_length(frame, &body_len), VICI_OK);
	CHECK_INT(body_len, len - 4);
	CHECK_INT(vici_packet_decode(frame + 4, body_len, pkt), VICI_OK);
	struct vici_node *root = NULL;
	if (vici_packet_has_message(pkt->type))
		CHECK_INT(vici_message_decode(pkt->msg, pkt->msg_len, &root), VICI_OK);
	return root;
}

/* Decode → re-encode must reproduce charon's bytes exactly. */
static void check_roundtrip(const char *name)
{
	size_t len;
	uint8_t *frame = read_vector(name, &len);
	CHECK(frame != NULL);
	if (!frame)
		return;
	struct vici_packet pkt;
	struct vici_node *root = decode_frame(frame, len, &pkt);
	uint8_t *msg = NULL, *out = NULL;
	size_t msg_len = 0, out_len = 0;
	if (root) {
		struct vici_builder b;
		vici_builder_init(&b);
		vici_node_encode(root, &b);
		CHECK_INT(vici_builder_finish(&b, &msg, &msg_len), VICI_OK);
	}
	CHECK_INT(vici_packet_encode(pkt.type, pkt.name[0] ? pkt.name : NULL, msg, msg_len, &out, &out_len),
		  VICI_OK);
	CHECK_INT(out_len, len);
	CHECK(out && memcmp(out, frame, len) == 0);
	free(out);
	free(msg);
	vici_node_free(root);
	free(frame);
}

static void test_captured_roundtrip(void)
{
	const char *vectors[] = {"version-response.bin",
				 "load-conn-request.bin",
				 "initiate-request.bin",
				 "control-log-event.bin",
				 "ike-updown-event.bin",
				 "initiate-failed-response.bin",
				 "terminate-response.bin",
				 "get-keys-response.bin",
				 "stats-response.bin",
				 "event-confirm.bin",
				 "event-register.bin",
				 "empty-response.bin",
				 "terminate-nomatch-response.bin"};
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		check_roundtrip(vectors[i]);
}

static void test_captured_content(void)
{
	size_t len;
	struct vici_packet pkt;
	uint8_t *f = read_vector("version-response.bin", &len);
	struct vici_node *root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK_INT(pkt.type, VICI_CMD_RESPONSE);
	CHECK_STR(vici_node_str(root, "daemon"), "charon");
	CHECK_STR(vici_node_str(root, "version"), "5.9.8");
	vici_node_free(root);
	free(f);

	f = read_vector("control-log-event.bin", &len);
	root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK_INT(pkt.type, VICI_EVENT);
	CHECK_STR(pkt.name, "control-log");
	CHECK_STR(vici_node_str(root, "group"), "IKE");
	CHECK(strstr(vici_node_str(root, "msg") ? vici_node_str(root, "msg") : "", "established between") !=
	      NULL);
	vici_node_free(root);
	free(f);

	f = read_vector("ike-updown-event.bin", &len);
	root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK_STR(pkt.name, "ike-updown");
	CHECK(vici_node_is_yes(root, "up"));
	const struct vici_node *ike = root ? root->children ? root->children->next : NULL : NULL;
	CHECK(ike && ike->kind == VICI_NODE_SECTION && strncmp(ike->name, "l2tp-vpn-", 9) == 0);
	CHECK_STR(vici_node_str(ike, "state"), "ESTABLISHED");
	CHECK_STR(vici_node_str(ike, "version"), "1");
	vici_node_free(root);
	free(f);

	f = read_vector("get-keys-response.bin", &len);
	root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK(vici_node_list(root, "keys") != NULL);
	CHECK_INT(vici_node_count(vici_node_list(root, "keys")), 0);
	vici_node_free(root);
	free(f);

	f = read_vector("load-conn-request.bin", &len);
	root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK_INT(pkt.type, VICI_CMD_REQUEST);
	CHECK_STR(pkt.name, "load-conn");
	const struct vici_node *conn = root ? root->children : NULL;
	CHECK_STR(vici_node_str(conn, "version"), "1");
	const struct vici_node *children = vici_node_section(conn, "children");
	const struct vici_node *child = children ? children->children : NULL;
	CHECK_STR(vici_node_str(child, "mode"), "transport");
	const struct vici_node *ts = vici_node_list(child, "remote_ts");
	CHECK(ts && ts->children && strcmp((const char *)ts->children->value, "dynamic[17/1701]") == 0);
	vici_node_free(root);
	free(f);

	f = read_vector("initiate-failed-response.bin", &len);
	root = f ? decode_frame(f, len, &pkt) : NULL;
	CHECK(!vici_node_is_yes(root, "success"));
	CHECK(strstr(vici_node_str(root, "errmsg") ? vici_node_str(root, "errmsg") : "",
		     "establishing CHILD_SA") != NULL);
	vici_node_free(root);
	free(f);
}

/* The README's example message, encoded by hand from the element definitions. */
static const uint8_t example_msg[] = {
    3, 4, 'k', 'e', 'y', '1', 0,   6,   'v', 'a', 'l', 'u', 'e', '1',           /* key1 = value1 */
    1, 8, 's', 'e', 'c', 't', 'i', 'o', 'n', '1',                               /* section1 { */
    1, 3, 's', 'u', 'b',                                                        /*   sub { */
    3, 4, 'k', 'e', 'y', '2', 0,   6,   'v', 'a', 'l', 'u', 'e', '2',           /*     key2 = value2 */
    2,                                                                          /*   } */
    4, 5, 'l', 'i', 's', 't', '1',                                              /*   list1 = [ */
    5, 0, 5,   'i', 't', 'e', 'm', '1', 5,   0,   5,   'i', 't', 'e', 'm', '2', /*     item1, item2 */
    6,                                                                          /*   ] */
    2,                                                                          /* } */
};

static void test_builder_matches_hand_encoding(void)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "key1", "value1");
	vici_builder_section_begin(&b, "section1");
	vici_builder_section_begin(&b, "sub");
	vici_builder_kv_str(&b, "key2", "value2");
	vici_builder_section_end(&b);
	vici_builder_list_begin(&b, "list1");
	vici_builder_list_item_str(&b, "item1");
	vici_builder_list_item_str(&b, "item2");
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	uint8_t *msg;
	size_t len;
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_OK);
	CHECK_INT(len, sizeof(example_msg));
	CHECK(memcmp(msg, example_msg, sizeof(example_msg)) == 0);
	struct vici_node *root;
	CHECK_INT(vici_message_decode(msg, len, &root), VICI_OK);
	const struct vici_node *sub = vici_node_section(vici_node_section(root, "section1"), "sub");
	CHECK_STR(vici_node_str(sub, "key2"), "value2");
	CHECK_INT(vici_node_count(vici_node_list(vici_node_section(root, "section1"), "list1")), 2);
	CHECK(vici_node_str(root, "section1") == NULL); /* a section is not a value */
	CHECK(vici_node_section(root, "key1") == NULL);
	vici_node_free(root);
	vici_buffer_free_secure(msg, len);
}

static void test_packet_encoding(void)
{
	uint8_t *frame;
	size_t len;
	CHECK_INT(vici_packet_encode(VICI_CMD_REQUEST, "version", NULL, 0, &frame, &len), VICI_OK);
	static const uint8_t expect[] = {0, 0, 0, 9, 0, 7, 'v', 'e', 'r', 's', 'i', 'o', 'n'};
	CHECK_INT(len, sizeof(expect));
	CHECK(memcmp(frame, expect, sizeof(expect)) == 0);
	free(frame);
	CHECK_INT(vici_packet_encode(VICI_EVENT_CONFIRM, NULL, NULL, 0, &frame, &len), VICI_OK);
	CHECK_INT(len, 5);
	CHECK(frame[3] == 1 && frame[4] == VICI_EVENT_CONFIRM);
	free(frame);
	CHECK_INT(vici_packet_encode(VICI_CMD_REQUEST, "", NULL, 0, &frame, &len), VICI_ERR_BAD_NAME);
	CHECK_INT(vici_packet_encode(8, "x", NULL, 0, &frame, &len), VICI_ERR_BAD_TYPE);
	CHECK_INT(vici_packet_encode(VICI_EVENT, NULL, NULL, 0, &frame, &len), VICI_ERR_BAD_NAME);
}

static void test_frame_limits(void)
{
	size_t len;
	const uint8_t zero[4] = {0, 0, 0, 0};
	const uint8_t max[4] = {0, 8, 0, 0};  /* 512 KiB: allowed */
	const uint8_t over[4] = {0, 8, 0, 1}; /* 512 KiB + 1 */
	const uint8_t huge[4] = {0xff, 0xff, 0xff, 0xff};
	CHECK_INT(vici_frame_length(zero, &len), VICI_ERR_EMPTY);
	CHECK_INT(vici_frame_length(max, &len), VICI_OK);
	CHECK_INT(len, 512 * 1024);
	CHECK_INT(vici_frame_length(over, &len), VICI_ERR_TOO_LARGE);
	CHECK_INT(vici_frame_length(huge, &len), VICI_ERR_TOO_LARGE);
}

static void test_packet_rejects(void)
{
	struct vici_packet pkt;
	const uint8_t bad_type[] = {8};
	const uint8_t trailing[] = {VICI_EVENT_CONFIRM, 0};
	const uint8_t no_name[] = {VICI_CMD_REQUEST};
	const uint8_t short_name[] = {VICI_EVENT_REGISTER, 5, 'a', 'b'};
	const uint8_t empty_name[] = {VICI_EVENT_REGISTER, 0};
	const uint8_t nul_name[] = {VICI_EVENT_REGISTER, 2, 'a', 0};
	CHECK_INT(vici_packet_decode(bad_type, sizeof(bad_type), &pkt), VICI_ERR_BAD_TYPE);
	CHECK_INT(vici_packet_decode(trailing, sizeof(trailing), &pkt), VICI_ERR_TRAILING);
	CHECK_INT(vici_packet_decode(no_name, sizeof(no_name), &pkt), VICI_ERR_TRUNCATED);
	CHECK_INT(vici_packet_decode(short_name, sizeof(short_name), &pkt), VICI_ERR_TRUNCATED);
	CHECK_INT(vici_packet_decode(empty_name, sizeof(empty_name), &pkt), VICI_ERR_BAD_NAME);
	CHECK_INT(vici_packet_decode(nul_name, sizeof(nul_name), &pkt), VICI_ERR_BAD_NAME);
	CHECK_INT(vici_packet_decode(bad_type, 0, &pkt), VICI_ERR_EMPTY);
}

static int decode_status(const uint8_t *msg, size_t len)
{
	struct vici_node *root = NULL;
	int rc = vici_message_decode(msg, len, &root);
	CHECK(rc == VICI_OK ? root != NULL : root == NULL);
	vici_node_free(root);
	return rc;
}

static void test_message_rejects(void)
{
	const uint8_t end_without_start[] = {VICI_SECTION_END};
	const uint8_t open_section[] = {VICI_SECTION_START, 1, 's'};
	const uint8_t section_in_list[] = {
	    VICI_LIST_START, 1, 'l', VICI_SECTION_START, 1, 's', VICI_SECTION_END, VICI_LIST_END};
	const uint8_t kv_in_list[] = {VICI_LIST_START, 1, 'l', VICI_KEY_VALUE, 1, 'k', 0, 0, VICI_LIST_END};
	const uint8_t item_outside[] = {VICI_LIST_ITEM, 0, 0};
	const uint8_t list_end_outside[] = {VICI_LIST_END};
	const uint8_t open_list[] = {VICI_LIST_START, 1, 'l', VICI_LIST_ITEM, 0, 0};
	const uint8_t bad_element[] = {7};
	const uint8_t zero_element[] = {0};
	const uint8_t value_overrun[] = {VICI_KEY_VALUE, 1, 'k', 0, 5, 'a'};
	const uint8_t empty_key[] = {VICI_KEY_VALUE, 0, 0, 0};
	CHECK_INT(decode_status(end_without_start, sizeof(end_without_start)), VICI_ERR_UNBALANCED);
	CHECK_INT(decode_status(open_section, sizeof(open_section)), VICI_ERR_UNBALANCED);
	CHECK_INT(decode_status(section_in_list, sizeof(section_in_list)), VICI_ERR_LIST_CONTENT);
	CHECK_INT(decode_status(kv_in_list, sizeof(kv_in_list)), VICI_ERR_LIST_CONTENT);
	CHECK_INT(decode_status(item_outside, sizeof(item_outside)), VICI_ERR_LIST_CONTENT);
	CHECK_INT(decode_status(list_end_outside, sizeof(list_end_outside)), VICI_ERR_UNBALANCED);
	CHECK_INT(decode_status(open_list, sizeof(open_list)), VICI_ERR_TRUNCATED);
	CHECK_INT(decode_status(bad_element, sizeof(bad_element)), VICI_ERR_BAD_TYPE);
	CHECK_INT(decode_status(zero_element, sizeof(zero_element)), VICI_ERR_BAD_TYPE);
	CHECK_INT(decode_status(value_overrun, sizeof(value_overrun)), VICI_ERR_TRUNCATED);
	CHECK_INT(decode_status(empty_key, sizeof(empty_key)), VICI_ERR_BAD_NAME);
	CHECK_INT(decode_status(NULL, 0), VICI_OK); /* the empty message is valid */
}

static void test_depth_limit(void)
{
	uint8_t msg[3 * (VICI_MAX_DEPTH + 1) + VICI_MAX_DEPTH + 1];
	size_t len = 0;
	for (int depth = 0; depth <= VICI_MAX_DEPTH; depth++) {
		msg[len++] = VICI_SECTION_START;
		msg[len++] = 1;
		msg[len++] = 's';
	}
	for (int depth = 0; depth <= VICI_MAX_DEPTH; depth++)
		msg[len++] = VICI_SECTION_END;
	CHECK_INT(decode_status(msg, len), VICI_ERR_TOO_DEEP);
	/* Exactly the limit is fine. */
	size_t ok_len = 0;
	for (int depth = 0; depth < VICI_MAX_DEPTH; depth++) {
		msg[ok_len++] = VICI_SECTION_START;
		msg[ok_len++] = 1;
		msg[ok_len++] = 's';
	}
	for (int depth = 0; depth < VICI_MAX_DEPTH; depth++)
		msg[ok_len++] = VICI_SECTION_END;
	CHECK_INT(decode_status(msg, ok_len), VICI_OK);
}

/* Every strict prefix of a valid message is rejected, never crashes. */
static void test_truncation_everywhere(void)
{
	size_t len;
	uint8_t *f = read_vector("ike-updown-event.bin", &len);
	if (!f) {
		CHECK(f != NULL);
		return;
	}
	struct vici_packet pkt;
	CHECK_INT(vici_packet_decode(f + 4, len - 4, &pkt), VICI_OK);
	int accepted = 0;
	for (size_t cut = 0; cut < pkt.msg_len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, pkt.msg, cut);
		/* Some cuts land on an element boundary at depth 0: only those decode. */
		if (decode_status(copy, cut) == VICI_OK)
			accepted++;
		free(copy);
	}
	/* Boundaries at depth 0: before "up" (cut 0), after "up", and none inside the section. */
	CHECK_INT(accepted, 2);
	free(f);
}

static void test_builder_rejects(void)
{
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	char long_name[300];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';

	vici_builder_init(&b);
	vici_builder_list_begin(&b, "l");
	vici_builder_kv_str(&b, "k", "v");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_LIST_CONTENT);

	vici_builder_init(&b);
	vici_builder_list_item_str(&b, "x");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_LIST_CONTENT);

	vici_builder_init(&b);
	vici_builder_section_begin(&b, "s");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_UNBALANCED);

	vici_builder_init(&b);
	vici_builder_section_end(&b);
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_UNBALANCED);

	vici_builder_init(&b);
	vici_builder_kv_str(&b, long_name, "v");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_BAD_NAME);

	vici_builder_init(&b);
	vici_builder_kv_str(&b, "", "v");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_BAD_NAME);

	static uint8_t big[VICI_MAX_VALUE + 1];
	vici_builder_init(&b);
	vici_builder_kv(&b, "k", big, sizeof(big));
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_TOO_LARGE);

	/* Nine 64 KiB values exceed a 512 KiB frame. */
	vici_builder_init(&b);
	for (int i = 0; i < 9; i++)
		vici_builder_kv(&b, "k", big, VICI_MAX_VALUE);
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_TOO_LARGE);

	vici_builder_init(&b);
	for (int i = 0; i <= VICI_MAX_DEPTH; i++)
		vici_builder_section_begin(&b, "s");
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_ERR_TOO_DEEP);
}

static void test_binary_values(void)
{
	/* Values may hold NUL (certificates): str lookups refuse them, raw access keeps them. */
	struct vici_builder b;
	vici_builder_init(&b);
	const uint8_t blob[] = {'a', 0, 'b'};
	vici_builder_kv(&b, "data", blob, sizeof(blob));
	vici_builder_kv_uint(&b, "n", 1234567890123ULL);
	uint8_t *msg;
	size_t len;
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_OK);
	struct vici_node *root;
	CHECK_INT(vici_message_decode(msg, len, &root), VICI_OK);
	const struct vici_node *data = vici_node_child(root, "data");
	CHECK(data && data->value_len == 3 && memcmp(data->value, blob, 3) == 0);
	CHECK(vici_node_str(root, "data") == NULL);
	CHECK_STR(vici_node_str(root, "n"), "1234567890123");
	CHECK(!vici_node_is_yes(root, "missing"));
	vici_node_free(root);
	vici_buffer_free_secure(msg, len);
}

int main(int argc, char **argv)
{
	vector_dir = argc > 1 ? argv[1] : "vectors";
	RUN(test_captured_roundtrip);
	RUN(test_captured_content);
	RUN(test_builder_matches_hand_encoding);
	RUN(test_packet_encoding);
	RUN(test_frame_limits);
	RUN(test_packet_rejects);
	RUN(test_message_rejects);
	RUN(test_depth_limit);
	RUN(test_truncation_everywhere);
	RUN(test_builder_rejects);
	RUN(test_binary_values);
	return CHECK_SUMMARY();
}
