// SPDX-License-Identifier: GPL-2.0-or-later
/* Names and RFC 2661 meanings of message types, AVPs, result and error codes. */
#include "l2tp-codec.h"

#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *table, size_t n, uint16_t i, const char *fallback)
{
	return i < n && table[i] ? table[i] : fallback;
}

static const char *const msg_names[] = {
    [L2TP_MSG_ZLB] = "ZLB",     [L2TP_MSG_SCCRQ] = "SCCRQ",     [L2TP_MSG_SCCRP] = "SCCRP",
    [L2TP_MSG_SCCCN] = "SCCCN", [L2TP_MSG_STOPCCN] = "StopCCN", [L2TP_MSG_HELLO] = "HELLO",
    [L2TP_MSG_OCRQ] = "OCRQ",   [L2TP_MSG_OCRP] = "OCRP",       [L2TP_MSG_OCCN] = "OCCN",
    [L2TP_MSG_ICRQ] = "ICRQ",   [L2TP_MSG_ICRP] = "ICRP",       [L2TP_MSG_ICCN] = "ICCN",
    [L2TP_MSG_CDN] = "CDN",     [L2TP_MSG_WEN] = "WEN",         [L2TP_MSG_SLI] = "SLI",
};

const char *l2tp_msg_type_name(uint16_t type)
{
	return lookup(msg_names, ARRAY_SIZE(msg_names), type, "unknown message");
}

static const char *const avp_names[] = {
    "Message Type",
    "Result Code",
    "Protocol Version",
    "Framing Capabilities",
    "Bearer Capabilities",
    "Tie Breaker",
    "Firmware Revision",
    "Host Name",
    "Vendor Name",
    "Assigned Tunnel ID",
    "Receive Window Size",
    "Challenge",
    "Q.931 Cause Code",
    "Challenge Response",
    "Assigned Session ID",
    "Call Serial Number",
    "Minimum BPS",
    "Maximum BPS",
    "Bearer Type",
    "Framing Type",
    NULL,
    "Called Number",
    "Calling Number",
    "Sub-Address",
    "(Tx) Connect Speed",
    "Physical Channel ID",
    "Initial Received LCP CONFREQ",
    "Last Sent LCP CONFREQ",
    "Last Received LCP CONFREQ",
    "Proxy Authen Type",
    "Proxy Authen Name",
    "Proxy Authen Challenge",
    "Proxy Authen ID",
    "Proxy Authen Response",
    "Call Errors",
    "ACCM",
    "Random Vector",
    "Private Group ID",
    "Rx Connect Speed",
    "Sequencing Required",
};

const char *l2tp_avp_name(uint16_t type)
{
	return lookup(avp_names, ARRAY_SIZE(avp_names), type, "unknown AVP");
}

static const char *const parse_errors[] = {
    [L2TP_PARSE_OK] = "ok",
    [L2TP_PARSE_TOO_SHORT] = "datagram shorter than an L2TP header",
    [L2TP_PARSE_BAD_VERSION] = "not L2TP version 2",
    [L2TP_PARSE_BAD_CONTROL_FLAGS] = "control message without L and S bits or with O or P bits",
    [L2TP_PARSE_BAD_LENGTH] = "Length field outside the datagram",
    [L2TP_PARSE_NOT_CONTROL] = "data message, not a control message",
    [L2TP_PARSE_AVP_TRUNCATED] = "truncated AVP header",
    [L2TP_PARSE_AVP_BAD_LENGTH] = "AVP length invalid for its type",
    [L2TP_PARSE_NO_MESSAGE_TYPE] = "first AVP is not Message Type",
    [L2TP_PARSE_HIDDEN_FORBIDDEN] = "AVP that must never be hidden is hidden",
    [L2TP_PARSE_HIDDEN_NO_SECRET] = "hidden AVP but no shared secret is configured",
    [L2TP_PARSE_HIDDEN_NO_VECTOR] = "hidden AVP without a preceding Random Vector",
    [L2TP_PARSE_HIDDEN_BAD_LENGTH] = "hidden AVP does not decode (wrong shared secret?)",
    [L2TP_PARSE_HIDDEN_TOO_MUCH] = "hidden AVPs exceed the decoding space",
    [L2TP_PARSE_UNKNOWN_MANDATORY_AVP] = "unrecognised AVP with the Mandatory bit",
    [L2TP_PARSE_UNKNOWN_MESSAGE_TYPE] = "unknown message type",
    [L2TP_PARSE_MISSING_AVP] = "required AVP missing",
};

const char *l2tp_parse_strerror(enum l2tp_parse_status status)
{
	return lookup(parse_errors, ARRAY_SIZE(parse_errors), (uint16_t)status, "unknown parse error");
}

static const char *const stopccn_results[] = {
    [1] = "general request to clear control connection",
    [2] = "general error",
    [3] = "control channel already exists",
    [4] = "not authorized",
    [5] = "protocol version not supported",
    [6] = "LNS is being shut down",
    [7] = "finite state machine error",
};

const char *l2tp_stopccn_result_text(uint16_t result)
{
	return lookup(stopccn_results, ARRAY_SIZE(stopccn_results), result, "unknown result code");
}

static const char *const cdn_results[] = {
    [1] = "call disconnected due to loss of carrier",
    [2] = "call disconnected for the reason in the error code",
    [3] = "call disconnected for administrative reasons",
    [4] = "call failed: no appropriate facilities available (temporary)",
    [5] = "call failed: no appropriate facilities available (permanent)",
    [6] = "invalid destination",
    [7] = "call failed: no carrier detected",
    [8] = "call failed: busy signal",
    [9] = "call failed: no dial tone",
    [10] = "call was not established within the time allotted",
    [11] = "call connected but no appropriate framing detected",
};

const char *l2tp_cdn_result_text(uint16_t result)
{
	return lookup(cdn_results, ARRAY_SIZE(cdn_results), result, "unknown result code");
}

static const char *const error_codes[] = {
    [0] = "no general error",       [1] = "no control connection exists yet for this LAC-LNS pair",
    [2] = "length is wrong",        [3] = "a field is out of range or a reserved field is non-zero",
    [4] = "insufficient resources", [5] = "invalid session ID",
    [6] = "vendor-specific error",  [7] = "try another LNS",
    [8] = "unknown mandatory AVP",
};

const char *l2tp_error_code_text(uint16_t error)
{
	return lookup(error_codes, ARRAY_SIZE(error_codes), error, "unknown error code");
}

/* Appends the peer's free-text message, replacing anything non-printable. */
static size_t append_peer_message(char *out, size_t size, size_t used, const uint8_t *msg, uint16_t len)
{
	if (!len || used + 5 >= size)
		return used;
	out[used++] = ':';
	out[used++] = ' ';
	out[used++] = '"';
	for (uint16_t i = 0; i < len && used + 2 < size; i++)
		out[used++] = msg[i] >= 0x20 && msg[i] < 0x7f ? (char)msg[i] : '?';
	out[used++] = '"';
	out[used] = '\0';
	return used;
}

size_t l2tp_result_format(char *out, size_t size, uint16_t msg_type, const struct l2tp_result *res)
{
	if (!size)
		return 0;
	bool cdn = msg_type == L2TP_MSG_CDN;
	const char *text = cdn ? l2tp_cdn_result_text(res->result) : l2tp_stopccn_result_text(res->result);
	int n;
	if (res->has_error && res->error != L2TP_ERR_NONE)
		n = snprintf(out, size, "%s (%s result %u, error %u: %s)", text, l2tp_msg_type_name(msg_type),
			     res->result, res->error, l2tp_error_code_text(res->error));
	else
		n = snprintf(out, size, "%s (%s result %u)", text, l2tp_msg_type_name(msg_type), res->result);
	size_t used = n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
	return append_peer_message(out, size, used, res->message, res->message_len);
}
