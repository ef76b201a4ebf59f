// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the control message parser and everything that reads its
 * result (typed accessors, result text), with and without a shared secret
 * (hidden AVPs decode only with one).
 */
#include "l2tp-codec.h"

#include <stddef.h>
#include <stdint.h>

static void read_everything(const struct l2tp_msg *msg)
{
	struct l2tp_result res;
	struct l2tp_protocol_version ver;
	struct l2tp_q931_cause q931;
	struct l2tp_call_errors ce;
	struct l2tp_accm accm;
	struct l2tp_proxy_auth_id pid;
	char text[256];
	uint64_t u64;
	uint32_t u32;
	uint16_t u16, len;
	const uint8_t *v;

	for (int t = 0; t < L2TP_AVP_TYPE_COUNT; t++) {
		if (!msg->avp[t].present)
			continue;
		l2tp_msg_u16(msg, (enum l2tp_avp_type)t, &u16);
		l2tp_msg_u32(msg, (enum l2tp_avp_type)t, &u32);
		l2tp_msg_u64(msg, (enum l2tp_avp_type)t, &u64);
		if (l2tp_msg_bytes(msg, (enum l2tp_avp_type)t, &v, &len) && len) {
			volatile uint8_t sink = v[0] ^ v[len - 1];
			(void)sink;
		}
	}
	if (l2tp_msg_result(msg, &res))
		l2tp_result_format(text, sizeof(text), msg->type, &res);
	l2tp_msg_protocol_version(msg, &ver);
	l2tp_msg_q931_cause(msg, &q931);
	l2tp_msg_call_errors(msg, &ce);
	l2tp_msg_accm(msg, &accm);
	l2tp_msg_proxy_auth_id(msg, &pid);
	l2tp_msg_type_name(msg->type);
	l2tp_avp_name(msg->status_avp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct l2tp_msg msg; /* large: keep it off the stack */
	static const struct l2tp_secret secret = {(const uint8_t *)"fuzz-secret", 11};

	enum l2tp_parse_status st = l2tp_msg_parse(data, size, NULL, &msg);
	l2tp_parse_strerror(st);
	if (st == L2TP_PARSE_OK)
		read_everything(&msg);
	/* Only hidden AVPs parse differently with a secret. */
	if (st != L2TP_PARSE_HIDDEN_NO_SECRET)
		return 0;
	st = l2tp_msg_parse(data, size, &secret, &msg);
	if (st == L2TP_PARSE_OK || st == L2TP_PARSE_MISSING_AVP)
		read_everything(&msg);
	return 0;
}
