/* libfdt's environment header includes <stdlib.h>; the kernel has no use for its contents. */
#ifndef VIREO_STDLIB_H
#define VIREO_STDLIB_H
#include <stddef.h>
#endif
