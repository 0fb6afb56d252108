/* The file system's fuzz target (fuzz_fs.c), called by tools/fuzz/fuzz.c each round. */
#ifndef FUZZ_FS_H
#define FUZZ_FS_H

#include <stdint.h>

void fuzz_fs(unsigned long round, uint64_t (*rnd)(void));
void fuzz_fs_report(void);

#endif
