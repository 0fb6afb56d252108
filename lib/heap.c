/* malloc and free: a first-fit list of free blocks over pages from SYS_MEM_ALLOC, merged
 * with their neighbours on free. Enough for servers and the shell; not fast. */
#include <stdint.h>

#include "vireo.h"

#define ALIGN 16
#define CHUNK_PAGES 16

struct block {
	size_t size; /* of the whole block, header included */
	struct block *next;
};

static struct block *free_list;
static uint64_t heap_end = VIREO_USER_HEAP;

static void insert_free(struct block *b)
{
	struct block **p = &free_list;
	while (*p && *p < b)
		p = &(*p)->next;
	b->next = *p;
	*p = b;
	/* merge with the next block, then the previous one */
	if (b->next && (char *)b + b->size == (char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (p != &free_list) {
		struct block *prev = (struct block *)((char *)p - offsetof(struct block, next));
		if ((char *)prev + prev->size == (char *)b) {
			prev->size += b->size;
			prev->next = b->next;
		}
	}
}

static int grow(size_t need)
{
	uint64_t pages = (need + 4095) / 4096;
	if (pages < CHUNK_PAGES)
		pages = CHUNK_PAGES;
	if (vireo_syscall(SYS_MEM_ALLOC, (long)heap_end, (long)pages,
			  VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0) < 0)
		return -1;
	struct block *b = (struct block *)heap_end;
	b->size = pages * 4096;
	heap_end += pages * 4096;
	insert_free(b);
	return 0;
}

void *malloc(size_t size)
{
	if (size == 0 || size > (1ul << 30))
		return NULL;
	size_t need = (size + sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (int attempt = 0; attempt < 2; attempt++) {
		for (struct block **p = &free_list; *p; p = &(*p)->next) {
			struct block *b = *p;
			if (b->size < need)
				continue;
			if (b->size - need >= sizeof(struct block) + ALIGN) {
				struct block *rest = (struct block *)((char *)b + need);
				rest->size = b->size - need;
				rest->next = b->next;
				*p = rest;
				b->size = need;
			} else {
				*p = b->next;
			}
			return b + 1;
		}
		if (grow(need))
			return NULL;
	}
	return NULL;
}

void free(void *ptr)
{
	if (ptr)
		insert_free((struct block *)ptr - 1);
}
