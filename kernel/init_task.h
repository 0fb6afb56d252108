/* Starts init, the first task, from bin/init in the boot file system (docs/design.md 5). */
#ifndef VIREO_INIT_TASK_H
#define VIREO_INIT_TASK_H

#include "machine.h"

void start_init(const struct machine *m);

#endif
