// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the pppd plugin channel decoder. Feeds the input as a
 * stream of frames, like the launcher would see it, and checks that every
 * decoded message re-encodes to exactly the bytes it came from.
 */
#include <stdlib.h>
#include <string.h>

#include "ppp-channel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size > 0) {
		struct pppchan_msg msg;
		uint8_t again[PPPCHAN_MAX_FRAME];
		size_t used = 0;

		if (pppchan_decode(data, size, &msg, &used) != PPPCHAN_OK)
			break;
		if (used == 0 || used > size)
			abort();
		if (pppchan_encode(&msg, again, sizeof(again)) != (int)used || memcmp(again, data, used) != 0)
			abort();
		pppchan_msg_wipe(&msg);
		data += used;
		size -= used;
	}
	return 0;
}
