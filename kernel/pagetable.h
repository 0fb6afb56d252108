/* Building and walking RISC-V page tables: Sv39 for address spaces and Sv39x4 for guest
 * G-stage tables (priv spec 4.4 and 8.5.1). Pure logic: tables are reached at VA = PA, and
 * the page source is a callback, so the same code is unit-tested on the host. */
#ifndef VIREO_PAGETABLE_H
#define VIREO_PAGETABLE_H

#include <stdint.h>

typedef uint64_t pte_t;

/* PTE fields (priv spec 4.4.1, figure 4.21). */
#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_PERMS (PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ul << 44) - 1) << PTE_PPN_SHIFT)

/* The layout of one kind of table: three levels of 9 index bits over 4 KiB pages, the root
 * widened by root_extra_bits (2 for Sv39x4: a 16 KiB root covering 41-bit guest addresses). */
struct pt_format {
	const char *name;
	unsigned root_extra_bits;
	unsigned va_bits; /* addresses at or above 1 << va_bits are not mapped */
};
extern const struct pt_format pt_sv39, pt_sv39x4;

#define PT_LEVELS 3
#define PT_PAGE_SIZE 4096ul
#define PT_PAGE_2M (1ul << 21)
#define PT_PAGE_1G (1ul << 30)

enum pt_error {
	PT_OK = 0,
	PT_ERR_NOMEM = -1,
	PT_ERR_MISALIGNED = -2,
	PT_ERR_RANGE = -3,  /* address beyond what the format translates */
	PT_ERR_EXISTS = -4, /* something is mapped there already */
	PT_ERR_PERMS = -5,  /* no R/W/X, or W without R (reserved, priv spec table 4.5) */
};

/* Returns a zeroed, 4 KiB-aligned page (its physical address), or 0. */
typedef uint64_t (*pt_alloc_fn)(void *ctx);
typedef void (*pt_free_fn)(void *ctx, uint64_t page);

struct pt_space {
	const struct pt_format *fmt;
	pte_t *root;
	pt_alloc_fn alloc;
	pt_free_fn free;
	void *ctx;
};

/* Maps [va, va+size) to pa with flags (PTE_R/W/X/U/G), using 1 GiB and 2 MiB leaves where
 * both addresses are aligned enough and max_leaf allows. Fails without mapping anything if
 * any part is taken; on PT_ERR_NOMEM the part already mapped stays mapped. */
enum pt_error pt_map(struct pt_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
		     uint64_t max_leaf);
/* Builds the tables of [va, va+size) down to the 4 KiB level and maps nothing, so that
 * 4 KiB mappings made there later allocate no table: a root whose entries other roots copy
 * (the kernel's, kernel_map.c) can change them there for all. Fails if anything is mapped
 * there already; on PT_ERR_NOMEM the tables already built stay. */
enum pt_error pt_prepare(struct pt_space *s, uint64_t va, uint64_t size);
/* Clears the mappings of [va, va+size); a larger page only partly inside the range is an
 * error (PT_ERR_MISALIGNED) and leaves everything as it was. Tables stay allocated. */
enum pt_error pt_unmap(struct pt_space *s, uint64_t va, uint64_t size);
/* The leaf PTE for va, or 0 when unmapped; *leaf_size tells the page size it maps. */
pte_t pt_lookup(const struct pt_space *s, uint64_t va, uint64_t *leaf_size);
/* Translates va to a physical address, or returns 0 when unmapped. */
uint64_t pt_translate(const struct pt_space *s, uint64_t va);
/* Frees every table page below the root and clears the root, which is the caller's to
 * free (it may span several pages); the mapped pages are untouched. */
void pt_destroy(struct pt_space *s);
uint64_t pt_root_size(const struct pt_format *fmt);
const char *pt_error_name(enum pt_error e);

#endif
