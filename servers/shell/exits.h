/* `hvstat -v`: a vCPU's recent exits, one line each, as GDB's `vireo exits` prints them
 * (tools/gdb/vireo/exits.py formats the same lines). */
#ifndef SHELL_EXITS_H
#define SHELL_EXITS_H

#include <vireo/syscall.h>

void print_exit_ring(unsigned vcpu, const struct vireo_vm_exit_ring *ring);

#endif
