/* Frames between the VM monitor and the guest agent of `linux exec` (docs/agent.md), on
 * the second port of the guest's virtio-console ("vireo.agent"). A frame is an 8-byte
 * header (magic, type, length of the payload, little-endian) and up to AGENT_PAYLOAD_MAX
 * payload bytes. Pure C shared by both ends (the monitor and guest/agent/agent.c), so that
 * the host unit tests (tools/unit/test_agent_frame.c) and the fuzzer drive the reader with
 * hostile streams: each side reads the other's frames as untrusted. */
#ifndef VMM_AGENT_FRAME_H
#define VMM_AGENT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_MAGIC 0x5641u /* "VA" */
#define AGENT_HEADER 8
#define AGENT_PAYLOAD_MAX 4096
#define AGENT_PORT_NAME "vireo.agent"

enum agent_type {
	/* guest -> host */
	AGENT_HELLO = 1,  /* the agent is up; no payload */
	AGENT_STDOUT = 2, /* bytes of the command's stdout */
	AGENT_STDERR = 3, /* bytes of its stderr */
	AGENT_EXIT = 4,   /* 4 bytes: its exit status, 128 + N when killed by signal N */
	AGENT_ERROR = 5,  /* a line of text: what the agent could not do */
	/* host -> guest */
	AGENT_EXEC = 16,   /* a command line for the guest's /bin/sh -c (1 byte or more) */
	AGENT_STDIN = 17,  /* bytes for the command's stdin; none: its end (Ctrl-D) */
	AGENT_SIGNAL = 18, /* 4 bytes: a signal for the command's process group (2: Ctrl-C) */
};

struct agent_frame {
	uint8_t type;
	uint32_t len;
	const uint8_t *payload; /* inside the reader's buffer, until the next agent_read */
};

/* Reassembles frames from a byte stream that arrives in any pieces. */
struct agent_reader {
	bool from_guest; /* which types are allowed: the guest's or the host's */
	bool broken;     /* a bad frame came: nothing more is read until agent_reader_init */
	uint32_t have;
	uint8_t buf[AGENT_HEADER + AGENT_PAYLOAD_MAX];
};

void agent_reader_init(struct agent_reader *rd, bool from_guest);

/* Takes bytes of in[0..n) into rd, up to the end of one frame: *used says how many. Returns
 * 1 with *f filled when a frame is whole, 0 when more bytes are needed (all were used), -1
 * with *why when the stream is malformed (bad magic or flags, a type of the wrong side or
 * unknown, a length over AGENT_PAYLOAD_MAX or wrong for the type); rd is broken then. */
int agent_read(struct agent_reader *rd, const uint8_t *in, size_t n, size_t *used,
	       struct agent_frame *f, const char **why);

/* Writes a frame of len payload bytes (at most AGENT_PAYLOAD_MAX) into out, which has
 * room for AGENT_HEADER + len; the bytes written. */
size_t agent_frame_write(uint8_t *out, uint8_t type, const void *payload, uint32_t len);

#endif
