/* System call dispatch (the calls are listed and documented in include/vireo/syscall.h). */
#ifndef VIREO_SYSCALL_DISPATCH_H
#define VIREO_SYSCALL_DISPATCH_H

#include "handle.h"
#include "task.h"

/* For the handlers, here and beside their objects (hv/vm_syscall.c): each takes the calling
 * thread t and its arguments a[0..5], decodes them all, then acts. GET sets var to the
 * object behind handle h, or returns the error. */
#define GET(var, type, h, rights)                                  \
	int err_;                                                  \
	var = handle_get(t->task, (h), (type), (rights), &err_);   \
	if (!var)                                                  \
		return err_

/* Calls that need the system handle's authority (include/vireo/syscall.h): h with all of
 * rights. */
#define NEED_SYSTEM(h, rights)                                 \
	do {                                                   \
		void *sys_;                                    \
		GET(sys_, OBJ_SYSTEM, (h), (rights));          \
		(void)sys_;                                    \
	} while (0)

void syscall_dispatch(struct thread *t, struct user_frame *f);

/* The thread calls (thread.c). */
int64_t sys_thread_create(struct thread *t, const uint64_t *a);
int64_t sys_thread_exit(struct thread *t, const uint64_t *a);
int64_t sys_thread_join(struct thread *t, const uint64_t *a);
int64_t sys_thread_list(struct thread *t, const uint64_t *a);

#endif
