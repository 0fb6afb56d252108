/* The kernel's random generator: ChaCha20 (lib/chacha20.c) keyed from the seed the
 * firmware passes in /chosen/rng-seed, with fast key erasure. SYS_RANDOM hands it out. */
#ifndef VIREO_RANDOM_H
#define VIREO_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fewer seed bytes than this are not taken as a seed: 128 bits at the least. */
#define RANDOM_MIN_SEED 16
/* The most one random_read returns. */
#define RANDOM_MAX_READ 256

/* Keys the generator from seed; false (and no generator) when the seed is too short. */
bool random_init(const uint8_t *seed, size_t len);
bool random_ready(void);
/* Fills buf with len <= RANDOM_MAX_READ bytes; the generator must be ready. */
void random_read(void *buf, size_t len);

#endif
