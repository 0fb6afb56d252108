/* The IPC fast path: SYS_CALL and SYS_REPLY_RECV with register-only messages, straight from
 * one task to the other when the other side already waits (ipc.c keeps the full rules). */
#ifndef VIREO_IPC_FAST_H
#define VIREO_IPC_FAST_H

#include "task.h"

/* Called by trapvec.S for every trap from U-mode, before user_trap(). When it delivered a
 * message, returns the frame of the thread to run now, in U-mode; otherwise returns NULL
 * having changed nothing, and the generic path serves the trap. */
struct user_frame *ipc_fast(struct user_frame *f);

#endif
