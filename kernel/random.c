/* Random bytes from a ChaCha20 key stream with fast key erasure (D. J. Bernstein, "Fast-
 * key-erasure random-number generators", 2017): each request runs ChaCha20 under the current
 * key from block 0, takes the first 32 bytes of output as the next key and hands out what
 * follows. The old key is overwritten before the bytes leave, so a later look at kernel
 * memory cannot reconstruct output already given out. A key serves one request only, so
 * the block counter and an all-zero nonce never repeat under it. */
#include "random.h"

#include <string.h>

#include "chacha20.h"
#include "spinlock.h"

static struct spinlock lock;
static bool ready;
static uint8_t key[CHACHA20_KEY_SIZE];

static void wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;
	while (n--)
		*b++ = 0;
}

bool random_init(const uint8_t *seed, size_t len)
{
	if (len < RANDOM_MIN_SEED)
		return false;
	/* A seed longer than a key is folded into it; the first request's key rotation then
	 * mixes all of it through ChaCha20. */
	memset(key, 0, sizeof(key));
	for (size_t i = 0; i < len; i++)
		key[i % sizeof(key)] ^= seed[i];
	ready = true;
	return true;
}

bool random_ready(void)
{
	return ready;
}

void random_read(void *buf, size_t len)
{
	static const uint8_t nonce[CHACHA20_NONCE_SIZE];
	uint8_t block[CHACHA20_BLOCK_SIZE];
	uint8_t *out = buf;
	uint64_t flags = spin_lock_irqsave(&lock);

	chacha20_block(key, 0, nonce, block);
	size_t n = len < sizeof(block) - sizeof(key) ? len : sizeof(block) - sizeof(key);
	memcpy(out, block + sizeof(key), n);
	uint32_t counter = 1;
	for (size_t done = n; done < len; done += n, counter++) {
		uint8_t more[CHACHA20_BLOCK_SIZE];
		chacha20_block(key, counter, nonce, more);
		n = len - done < sizeof(more) ? len - done : sizeof(more);
		memcpy(out + done, more, n);
		wipe(more, sizeof(more));
	}
	memcpy(key, block, sizeof(key));
	wipe(block, sizeof(block));
	spin_unlock_irqrestore(&lock, flags);
}
