/* The agent's frame reader and writer; see agent_frame.h. */
#include "agent_frame.h"

#include <string.h>

void agent_reader_init(struct agent_reader *rd, bool from_guest)
{
	rd->from_guest = from_guest;
	rd->broken = false;
	rd->have = 0;
}

/* The payload lengths a type allows: [min, max]. */
static bool length_ok(uint8_t type, uint32_t len)
{
	switch (type) {
	case AGENT_HELLO: return len == 0;
	case AGENT_EXIT:
	case AGENT_SIGNAL: return len == 4;
	case AGENT_EXEC: return len >= 1;
	default: return true; /* data: any up to AGENT_PAYLOAD_MAX */
	}
}

static bool type_ok(bool from_guest, uint8_t type)
{
	if (from_guest)
		return type >= AGENT_HELLO && type <= AGENT_ERROR;
	return type >= AGENT_EXEC && type <= AGENT_SIGNAL;
}

static int broken(struct agent_reader *rd, const char **why, const char *what)
{
	rd->broken = true;
	*why = what;
	return -1;
}

int agent_read(struct agent_reader *rd, const uint8_t *in, size_t n, size_t *used,
	       struct agent_frame *f, const char **why)
{
	*used = 0;
	if (rd->broken)
		return broken(rd, why, "the stream broke earlier");
	for (;;) {
		uint32_t need = AGENT_HEADER;
		if (rd->have >= AGENT_HEADER) {
			uint32_t len;
			memcpy(&len, rd->buf + 4, 4);
			need = AGENT_HEADER + len; /* checked below when the header came whole */
		}
		if (rd->have == need) {
			f->type = rd->buf[2];
			f->len = need - AGENT_HEADER;
			f->payload = rd->buf + AGENT_HEADER;
			rd->have = 0;
			return 1;
		}
		if (*used == n)
			return 0;
		size_t take = need - rd->have < n - *used ? need - rd->have : n - *used;
		memcpy(rd->buf + rd->have, in + *used, take);
		rd->have += (uint32_t)take;
		*used += take;
		if (rd->have == AGENT_HEADER) {
			uint16_t magic;
			uint32_t len;
			memcpy(&magic, rd->buf, 2);
			memcpy(&len, rd->buf + 4, 4);
			if (magic != AGENT_MAGIC || rd->buf[3] != 0)
				return broken(rd, why, "a frame without the agent's magic");
			if (!type_ok(rd->from_guest, rd->buf[2]))
				return broken(rd, why, "a frame of an unknown type");
			if (len > AGENT_PAYLOAD_MAX)
				return broken(rd, why, "a frame longer than 4096 bytes");
			if (!length_ok(rd->buf[2], len))
				return broken(rd, why, "a frame of the wrong length for its type");
		}
	}
}

size_t agent_frame_write(uint8_t *out, uint8_t type, const void *payload, uint32_t len)
{
	uint16_t magic = AGENT_MAGIC;
	memcpy(out, &magic, 2);
	out[2] = type;
	out[3] = 0;
	memcpy(out + 4, &len, 4);
	if (len)
		memcpy(out + AGENT_HEADER, payload, len);
	return AGENT_HEADER + len;
}
