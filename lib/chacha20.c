/* RFC 8439 section 2.3: the ChaCha20 block function, written from the RFC's text. */
#include "chacha20.h"

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t v, unsigned n)
{
	return v << n | v >> (32 - n);
}

/* RFC 8439 2.1: the quarter round, on four words of the state. */
static void quarter_round(uint32_t *s, unsigned a, unsigned b, unsigned c, unsigned d)
{
	s[a] += s[b]; s[d] ^= s[a]; s[d] = rotl(s[d], 16);
	s[c] += s[d]; s[b] ^= s[c]; s[b] = rotl(s[b], 12);
	s[a] += s[b]; s[d] ^= s[a]; s[d] = rotl(s[d], 8);
	s[c] += s[d]; s[b] ^= s[c]; s[b] = rotl(s[b], 7);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	/* 2.3: the constants "expand 32-byte k", the key, the block count, the nonce. */
	uint32_t init[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	for (unsigned i = 0; i < 8; i++)
		init[4 + i] = load32(key + 4 * i);
	init[12] = counter;
	for (unsigned i = 0; i < 3; i++)
		init[13 + i] = load32(nonce + 4 * i);

	uint32_t s[16];
	for (unsigned i = 0; i < 16; i++)
		s[i] = init[i];
	/* Twenty rounds: ten times a column round, then a diagonal round. */
	for (unsigned i = 0; i < 10; i++) {
		quarter_round(s, 0, 4, 8, 12);
		quarter_round(s, 1, 5, 9, 13);
		quarter_round(s, 2, 6, 10, 14);
		quarter_round(s, 3, 7, 11, 15);
		quarter_round(s, 0, 5, 10, 15);
		quarter_round(s, 1, 6, 11, 12);
		quarter_round(s, 2, 7, 8, 13);
		quarter_round(s, 3, 4, 9, 14);
	}
	for (unsigned i = 0; i < 16; i++)
		store32(out + 4 * i, s[i] + init[i]);
	/* The working state is the key, in effect: leave none of it on the stack. */
	for (unsigned i = 0; i < 16; i++)
		((volatile uint32_t *)s)[i] = ((volatile uint32_t *)init)[i] = 0;
}
