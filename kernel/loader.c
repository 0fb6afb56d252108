#include "loader.h"

#include <string.h>
#include <vireo/syscall.h>

#include "elf.h"

#include "page_alloc.h"
#include "pagetable.h"
#include "task.h"

static uint64_t pte_flags(uint32_t elf_flags)
{
	return (elf_flags & ELF_PF_R ? PTE_R : 0) | (elf_flags & ELF_PF_W ? PTE_W : 0) |
	       (elf_flags & ELF_PF_X ? PTE_X : 0);
}

/* Copies a segment's file part page by page: a large segment is only reserved (task.c
 * map_untouched), and each page's chunk is zeroed and mapped as the copy first reaches it. */
static int copy_segment(struct task *t, uint64_t va, const char *src, uint64_t len)
{
	while (len > 0) {
		uint64_t pa = task_touch(t, va);
		if (!pa)
			return VIREO_E_NOMEM;
		uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (n > len)
			n = len;
		memcpy((void *)(uintptr_t)pa, src, n);
		va += n;
		src += n;
		len -= n;
	}
	return 0;
}

int load_program(struct task *t, const void *image, size_t size, uint64_t *entry,
		 const char **err)
{
	struct elf_image elf;
	/* Programs live below the stack region; the guard page under the stack stays free. */
	uint64_t stack_base = VIREO_USER_STACK_TOP - VIREO_USER_STACK_SIZE;
	if (elf_parse(image, size, VIREO_USER_BASE, VIREO_USER_HEAP, ELF_TASK_LAYOUT, &elf, err))
		return VIREO_E_BADELF;

	for (unsigned i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.segments[i];
		uint64_t npages = (s->memsz + PAGE_SIZE - 1) >> PAGE_SHIFT;
		int e = task_map(t, s->vaddr, npages, 0, pte_flags(s->flags), true);
		/* Fresh pages are zeroed, which is the .bss part; copy the file part. */
		if (!e)
			e = copy_segment(t, s->vaddr, (const char *)image + s->offset, s->filesz);
		if (e) {
			*err = e == VIREO_E_LIMIT ? "a segment is over the memory quota"
						  : "no memory for a segment";
			return e;
		}
	}
	int e = task_map(t, stack_base, VIREO_USER_STACK_SIZE >> PAGE_SHIFT, 0, PTE_R | PTE_W,
			 true);
	if (e) {
		*err = e == VIREO_E_LIMIT ? "the stack is over the memory quota"
					  : "no memory for the stack";
		return e;
	}
	*entry = elf.entry;
	return 0;
}
