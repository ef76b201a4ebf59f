// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two uses of the shared secret in RFC 2661: AVP hiding (§4.3) and tunnel
 * authentication (§4.4.3, §5.1.1). Both are MD5 over a concatenation; the
 * pieces are small and bounded, so they are joined on the stack and hashed in
 * one call (no allocation, unlike GnuTLS's incremental API).
 */
#include "l2tp-codec.h"

#include <string.h>

#include <gnutls/crypto.h>

#define MD5_LEN 16

static bool md5(const uint8_t *data, size_t len, uint8_t out[MD5_LEN])
{
	return gnutls_hash_fast(GNUTLS_DIG_MD5, data, len, out) == 0;
}

static bool secret_usable(const struct l2tp_secret *secret)
{
	return secret && secret->len && secret->len <= L2TP_MAX_SECRET_LEN;
}

/* b1 = MD5(AVP type ‖ secret ‖ RV) */
static bool first_key_block(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
			    size_t vector_len, uint8_t out[MD5_LEN])
{
	uint8_t buf[2 + L2TP_MAX_SECRET_LEN + L2TP_AVP_MAX_LEN];
	if (vector_len > L2TP_AVP_MAX_LEN)
		return false;
	buf[0] = (uint8_t)(avp_type >> 8);
	buf[1] = (uint8_t)avp_type;
	memcpy(buf + 2, secret->data, secret->len);
	memcpy(buf + 2 + secret->len, vector, vector_len);
	return md5(buf, 2 + secret->len + vector_len, out);
}

/* bi = MD5(secret ‖ c(i-1)) */
static bool next_key_block(const struct l2tp_secret *secret, const uint8_t prev_cipher[MD5_LEN],
			   uint8_t out[MD5_LEN])
{
	uint8_t buf[L2TP_MAX_SECRET_LEN + MD5_LEN];
	memcpy(buf, secret->data, secret->len);
	memcpy(buf + secret->len, prev_cipher, MD5_LEN);
	return md5(buf, secret->len + MD5_LEN, out);
}

/*
 * XORs len bytes of in with the key stream into out. The chaining input is
 * always the cipher text, so hide (in=plain) and unhide (in=cipher) differ
 * only in which side they chain on.
 */
static bool keystream_xor(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
			  size_t vector_len, const uint8_t *in, size_t len, uint8_t *out, bool hiding)
{
	uint8_t key[MD5_LEN];
	if (!secret_usable(secret) || !first_key_block(avp_type, secret, vector, vector_len, key))
		return false;
	for (size_t off = 0; off < len; off += MD5_LEN) {
		size_t n = len - off < MD5_LEN ? len - off : MD5_LEN;
		uint8_t cipher[MD5_LEN];
		for (size_t i = 0; i < n; i++) {
			out[off + i] = in[off + i] ^ key[i];
			cipher[i] = hiding ? out[off + i] : in[off + i];
		}
		if (n == MD5_LEN && off + MD5_LEN < len && !next_key_block(secret, cipher, key))
			return false;
	}
	return true;
}

bool l2tp_avp_hide(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
		   size_t vector_len, const uint8_t *value, size_t len, uint8_t *out)
{
	uint8_t plain[2 + L2TP_AVP_MAX_LEN];
	if (len > L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN - 2)
		return false;
	plain[0] = (uint8_t)(len >> 8);
	plain[1] = (uint8_t)len;
	if (len)
		memcpy(plain + 2, value, len);
	return keystream_xor(avp_type, secret, vector, vector_len, plain, len + 2, out, true);
}

int l2tp_avp_unhide(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
		    size_t vector_len, const uint8_t *hidden, size_t hidden_len, uint8_t *out)
{
	if (hidden_len < 2 || hidden_len > L2TP_AVP_MAX_LEN)
		return -1;
	if (!keystream_xor(avp_type, secret, vector, vector_len, hidden, hidden_len, out, false))
		return -1;
	size_t inner = (size_t)out[0] << 8 | out[1];
	/* The rest is padding; an inner length beyond it means a wrong secret or a forgery. */
	if (inner > hidden_len - 2)
		return -1;
	return (int)inner;
}

bool l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *secret, const uint8_t *challenge,
			     size_t challenge_len, uint8_t out[L2TP_CHALLENGE_RESP_LEN])
{
	uint8_t buf[1 + L2TP_MAX_SECRET_LEN + L2TP_AVP_MAX_LEN];
	if (!secret_usable(secret) || challenge_len > L2TP_AVP_MAX_LEN)
		return false;
	buf[0] = msg_type;
	memcpy(buf + 1, secret->data, secret->len);
	memcpy(buf + 1 + secret->len, challenge, challenge_len);
	return md5(buf, 1 + secret->len + challenge_len, out);
}

bool l2tp_challenge_verify(uint8_t msg_type, const struct l2tp_secret *secret, const uint8_t *challenge,
			   size_t challenge_len, const uint8_t *response, size_t response_len)
{
	uint8_t expect[L2TP_CHALLENGE_RESP_LEN];
	if (response_len != L2TP_CHALLENGE_RESP_LEN ||
	    !l2tp_challenge_response(msg_type, secret, challenge, challenge_len, expect))
		return false;
	/* Constant time: the response is an authenticator. */
	uint8_t diff = 0;
	for (size_t i = 0; i < L2TP_CHALLENGE_RESP_LEN; i++)
		diff |= (uint8_t)(expect[i] ^ response[i]);
	return diff == 0;
}
