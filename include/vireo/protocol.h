/* The IPC protocols between Vireo's servers: message labels and their words. Data bytes
 * travel in the IPC buffer (struct vireo_ipc_buffer). Replies carry a status in w0: 0 or a
 * negative VIREO_E_* code. */
#ifndef VIREO_PROTOCOL_H
#define VIREO_PROTOCOL_H

/* Every task init starts gets init's endpoint in handle 1. */
#define VIREO_HANDLE_INIT 1

enum init_label {
	/* data = name; the handle sent along is the service's endpoint. */
	INIT_REGISTER = 1,
	/* data = name -> a handle to the service's endpoint (the reply waits until it exists). */
	INIT_LOOKUP,
	/* data = path in the bootfs -> w1 = task id. */
	INIT_SPAWN,
	/* w0 = task id -> w1 = its exit status, once it has ended. */
	INIT_WAIT,
	/* data = directory path, w0 = index -> w1 = 1 and data = the index-th entry's name, with
	 * w2 = its size and w3 = 1 for a directory; w1 = 0 past the end. */
	INIT_LIST,
	/* data = path, w0 = offset -> data = bytes from there (empty at the end), w1 = size. */
	INIT_READ,
};

enum console_label {
	CONSOLE_WRITE = 1, /* data = bytes */
	CONSOLE_READ,      /* -> data = at least one byte of input, waiting for it if needed */
};

#endif
