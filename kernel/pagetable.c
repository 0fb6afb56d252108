#include "pagetable.h"

#include <stddef.h>

/* Sv39 is used for the lower half only (VA bit 38 clear), where Vireo puts everything;
 * Sv39x4 translates all 41 bits of a guest physical address. */
const struct pt_format pt_sv39 = { "Sv39", 0, 38 };
const struct pt_format pt_sv39x4 = { "Sv39x4", 2, 41 };

static uint64_t level_shift(unsigned level) { return 12 + 9 * level; }
static pte_t *pte_table(pte_t pte) { return (pte_t *)(uintptr_t)((pte & PTE_PPN_MASK) << 2); }
static pte_t make_pte(uint64_t pa, uint64_t flags) { return ((pa >> 12) << PTE_PPN_SHIFT) | flags; }
static int is_leaf(pte_t pte) { return (pte & (PTE_R | PTE_W | PTE_X)) != 0; }

uint64_t pt_root_size(const struct pt_format *fmt)
{
	return 4096ul << fmt->root_extra_bits;
}

static unsigned index_at(const struct pt_format *f, uint64_t va, unsigned level)
{
	uint64_t mask = level == PT_LEVELS - 1 ? (512u << f->root_extra_bits) - 1 : 511;
	return (unsigned)((va >> level_shift(level)) & mask);
}

/* Whether anything is mapped in [va, va+size) below the table at level. */
static int range_used(const struct pt_format *f, pte_t *table, unsigned level, uint64_t va,
		      uint64_t size)
{
	uint64_t step = 1ul << level_shift(level);
	uint64_t end = va + size;
	while (va < end) {
		pte_t pte = table[index_at(f, va, level)];
		uint64_t next = (va & ~(step - 1)) + step;
		uint64_t chunk = (next < end ? next : end) - va;
		if (pte & PTE_V) {
			if (is_leaf(pte) || level == 0)
				return 1;
			if (range_used(f, pte_table(pte), level - 1, va, chunk))
				return 1;
		}
		va += chunk;
	}
	return 0;
}

/* The table at leaf_level that holds va's entry, allocating the missing ones on the way
 * (the caller has checked that no leaf is on the way); NULL when out of memory. */
static pte_t *table_for(struct pt_space *s, uint64_t va, unsigned leaf_level)
{
	pte_t *table = s->root;
	for (unsigned level = PT_LEVELS - 1; level > leaf_level; level--) {
		pte_t *pte = &table[index_at(s->fmt, va, level)];
		if (!(*pte & PTE_V)) {
			uint64_t page = s->alloc(s->ctx);
			if (!page)
				return NULL;
			*pte = make_pte(page, PTE_V);
		}
		table = pte_table(*pte);
	}
	return table;
}

static enum pt_error map_one(struct pt_space *s, uint64_t va, uint64_t pa, unsigned leaf_level,
			     uint64_t flags)
{
	pte_t *table = table_for(s, va, leaf_level);
	if (!table)
		return PT_ERR_NOMEM;
	/* A and D set up front: this kernel does not track them, and hardware that faults on
	 * clear A/D bits (priv spec 4.3.1) would otherwise trap on first use. */
	table[index_at(s->fmt, va, leaf_level)] = make_pte(pa, flags | PTE_V | PTE_A | PTE_D);
	return PT_OK;
}

enum pt_error pt_map(struct pt_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
		     uint64_t max_leaf)
{
	if ((va | pa | size) & 0xfff)
		return PT_ERR_MISALIGNED;
	if (size == 0 || va + size < va || va + size > (1ul << s->fmt->va_bits))
		return PT_ERR_RANGE;
	if (!(flags & (PTE_R | PTE_X)) || ((flags & PTE_W) && !(flags & PTE_R)) ||
	    (flags & ~PTE_PERMS))
		return PT_ERR_PERMS;
	if (range_used(s->fmt, s->root, PT_LEVELS - 1, va, size))
		return PT_ERR_EXISTS;

	while (size > 0) {
		unsigned level = 2;
		while (level > 0 && ((1ul << level_shift(level)) > max_leaf ||
				     ((va | pa) & ((1ul << level_shift(level)) - 1)) ||
				     size < (1ul << level_shift(level))))
			level--;
		enum pt_error e = map_one(s, va, pa, level, flags);
		if (e)
			return e;
		uint64_t step = 1ul << level_shift(level);
		va += step;
		pa += step;
		size -= step;
	}
	return PT_OK;
}

enum pt_error pt_prepare(struct pt_space *s, uint64_t va, uint64_t size)
{
	if ((va | size) & 0xfff)
		return PT_ERR_MISALIGNED;
	if (size == 0 || va + size < va || va + size > (1ul << s->fmt->va_bits))
		return PT_ERR_RANGE;
	if (range_used(s->fmt, s->root, PT_LEVELS - 1, va, size))
		return PT_ERR_EXISTS;
	for (uint64_t a = va & ~(PT_PAGE_2M - 1); a < va + size; a += PT_PAGE_2M)
		if (!table_for(s, a, 0))
			return PT_ERR_NOMEM;
	return PT_OK;
}

static pte_t *leaf_slot(const struct pt_space *s, uint64_t va, uint64_t *leaf_size)
{
	pte_t *table = s->root;
	for (int level = PT_LEVELS - 1; level >= 0; level--) {
		pte_t *pte = &table[index_at(s->fmt, va, (unsigned)level)];
		if (!(*pte & PTE_V))
			return NULL;
		if (is_leaf(*pte)) {
			*leaf_size = 1ul << level_shift((unsigned)level);
			return pte;
		}
		table = pte_table(*pte);
	}
	return NULL;
}

enum pt_error pt_unmap(struct pt_space *s, uint64_t va, uint64_t size)
{
	if ((va | size) & 0xfff)
		return PT_ERR_MISALIGNED;
	if (va + size < va || va + size > (1ul << s->fmt->va_bits))
		return PT_ERR_RANGE;
	/* First check that no large page straddles an edge, then clear. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t a = va; a < va + size;) {
			uint64_t leaf = PT_PAGE_SIZE;
			pte_t *pte = leaf_slot(s, a, &leaf);
			uint64_t start = a & ~(leaf - 1);
			if (pte && (start < va || start + leaf > va + size))
				return PT_ERR_MISALIGNED;
			if (pte && pass)
				*pte = 0;
			a = start + leaf;
		}
	}
	return PT_OK;
}

pte_t pt_lookup(const struct pt_space *s, uint64_t va, uint64_t *leaf_size)
{
	uint64_t size;
	if (va >= (1ul << s->fmt->va_bits))
		return 0;
	pte_t *pte = leaf_slot(s, va, &size);
	if (!pte)
		return 0;
	if (leaf_size)
		*leaf_size = size;
	return *pte;
}

uint64_t pt_translate(const struct pt_space *s, uint64_t va)
{
	uint64_t size;
	pte_t pte = pt_lookup(s, va, &size);
	if (!pte)
		return 0;
	return ((pte & PTE_PPN_MASK) << 2) + (va & (size - 1));
}

static void destroy_level(struct pt_space *s, pte_t *table, unsigned level, unsigned entries)
{
	for (unsigned i = 0; i < entries; i++)
		if ((table[i] & PTE_V) && !is_leaf(table[i]) && level > 0)
			destroy_level(s, pte_table(table[i]), level - 1, 512);
	if (table != s->root)
		s->free(s->ctx, (uint64_t)(uintptr_t)table);
	else
		for (unsigned i = 0; i < entries; i++)
			table[i] = 0;
}

void pt_destroy(struct pt_space *s)
{
	destroy_level(s, s->root, PT_LEVELS - 1, 512u << s->fmt->root_extra_bits);
}

const char *pt_error_name(enum pt_error e)
{
	switch (e) {
	case PT_OK: return "ok";
	case PT_ERR_NOMEM: return "out of memory";
	case PT_ERR_MISALIGNED: return "misaligned";
	case PT_ERR_RANGE: return "out of range";
	case PT_ERR_EXISTS: return "already mapped";
	case PT_ERR_PERMS: return "invalid permissions";
	}
	return "unknown error";
}
