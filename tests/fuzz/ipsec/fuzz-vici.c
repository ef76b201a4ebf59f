// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the vici codec. The input is a frame as read from
 * charon's socket (length prefix included). Properties checked beyond "no
 * crash, no sanitizer report":
 *   - whatever decodes re-encodes to the identical bytes (packet and message);
 *   - the whole input, taken as a bare message, decodes or is rejected cleanly.
 * Seeds: tests/fuzz/ipsec/corpus, frames captured from charon 5.9.8 and swanctl.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vici-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip_message(const uint8_t *msg, size_t len)
{
	struct vici_node *root = NULL;
	if (vici_message_decode(msg, len, &root) != VICI_OK)
		return;
	struct vici_builder b;
	vici_builder_init(&b);
	vici_node_encode(root, &b);
	uint8_t *out;
	size_t out_len;
	if (vici_builder_finish(&b, &out, &out_len) == VICI_OK) {
		if (out_len != len || (len && memcmp(out, msg, len) != 0))
			abort();
		vici_buffer_free_secure(out, out_len);
	} else if (len < VICI_MAX_FRAME - 1) {
		abort(); /* a decodable message of legal size must re-encode */
	}
	/* Exercise the lookups on whatever came in. */
	for (const struct vici_node *n = root->children; n; n = n->next) {
		if (n->name) {
			(void)vici_node_str(root, n->name);
			(void)vici_node_count(vici_node_child(root, n->name));
		}
	}
	vici_node_free(root);
}

static void roundtrip_frame(const uint8_t *data, size_t size)
{
	size_t body_len;
	if (size < VICI_FRAME_HEADER || vici_frame_length(data, &body_len) != VICI_OK)
		return;
	if (body_len > size - VICI_FRAME_HEADER)
		return;
	struct vici_packet pkt;
	if (vici_packet_decode(data + VICI_FRAME_HEADER, body_len, &pkt) != VICI_OK)
		return;
	uint8_t *frame;
	size_t frame_len;
	if (vici_packet_encode(pkt.type, pkt.name[0] ? pkt.name : NULL, pkt.msg, pkt.msg_len, &frame,
			       &frame_len) != VICI_OK)
		abort();
	if (frame_len != VICI_FRAME_HEADER + body_len || memcmp(frame, data, frame_len) != 0)
		abort();
	free(frame);
	if (pkt.msg)
		roundtrip_message(pkt.msg, pkt.msg_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip_frame(data, size);
	roundtrip_message(data, size);
	return 0;
}
