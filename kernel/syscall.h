/* System call dispatch (the calls are listed and documented in include/vireo/syscall.h). */
#ifndef VIREO_SYSCALL_DISPATCH_H
#define VIREO_SYSCALL_DISPATCH_H

#include "task.h"

void syscall_dispatch(struct thread *t, struct user_frame *f);

#endif
