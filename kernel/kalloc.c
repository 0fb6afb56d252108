#include "kalloc.h"

#include <string.h>

#include "memory.h"
#include "page_alloc.h"

#define MIN_SHIFT 5 /* 32 bytes */
#define CLASSES (PAGE_SHIFT - MIN_SHIFT + 1)

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[CLASSES];

static unsigned size_class(size_t size)
{
	unsigned c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

/* Pages carved into blocks stay with their class: objects here are few and long-lived. */
void *kzalloc(size_t size)
{
	if (size == 0 || size > PAGE_SIZE)
		return NULL;
	unsigned c = size_class(size);
	if (!free_lists[c]) {
		uint64_t page = kpage_alloc();
		if (!page)
			return NULL;
		size_t block = (size_t)1 << (c + MIN_SHIFT);
		for (size_t off = 0; off < PAGE_SIZE; off += block) {
			struct free_block *b = (struct free_block *)(uintptr_t)(page + off);
			b->next = free_lists[c];
			free_lists[c] = b;
		}
	}
	struct free_block *b = free_lists[c];
	free_lists[c] = b->next;
	memset(b, 0, (size_t)1 << (c + MIN_SHIFT));
	return b;
}

void kfree(void *p, size_t size)
{
	if (!p)
		return;
	struct free_block *b = p;
	unsigned c = size_class(size);
	b->next = free_lists[c];
	free_lists[c] = b;
}
