/* The ChaCha20 block function (RFC 8439 section 2.3), the core of the kernel's random
 * generator. Pure code: built into the kernel and, for its test vector, for the host. */
#ifndef VIREO_CHACHA20_H
#define VIREO_CHACHA20_H

#include <stdint.h>

#define CHACHA20_KEY_SIZE 32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* One 64-byte block of key stream for (key, block counter, nonce), serialized as RFC 8439
 * 2.3 does: the sixteen state words little-endian, in order. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE]);

#endif
