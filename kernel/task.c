#include "task.h"

#include <string.h>

#include "console.h"
#include "csr.h"
#include "ipc.h"
#include "kalloc.h"
#include "kernel_map.h"
#include "memobj.h"
#include "memory.h"
#include "page_alloc.h"
#include "quota.h"
#include "sched.h"
#include "smp.h"
#include "tlb.h"

/* kzalloc gives at most a page. */
_Static_assert(sizeof(struct task) <= PAGE_SIZE, "struct task fits a page");

static struct task *tasks[MAX_TASKS];
static uint64_t next_task_id = 1;

int task_charge(struct task *t, uint64_t n)
{
	if (t->quota && !quota_charge(t->quota, n))
		return VIREO_E_LIMIT;
	t->pages += n;
	return 0;
}

void task_uncharge(struct task *t, uint64_t n)
{
	if (t->quota)
		quota_uncharge(t->quota, n);
	t->pages -= n;
}

/* Table pages are charged to the task whose address space they build. */
static uint64_t alloc_table(void *ctx)
{
	if (task_charge(ctx, 1))
		return 0;
	uint64_t page = kpage_alloc();
	if (!page)
		task_uncharge(ctx, 1);
	return page;
}

static void free_table(void *ctx, uint64_t page)
{
	task_uncharge(ctx, 1);
	kpage_free(page);
}

struct task *task_create(const char *name, uint64_t parent, struct quota *quota, int *err)
{
	unsigned slot = 0;
	while (slot < MAX_TASKS && tasks[slot])
		slot++;
	*err = slot == MAX_TASKS ? VIREO_E_FULL : VIREO_E_NOMEM;
	if (slot == MAX_TASKS)
		return NULL;
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->quota = quota;
	t->space = (struct pt_space){ &pt_sv39, NULL, alloc_table, free_table, t };
	t->space.root = (pte_t *)(uintptr_t)alloc_table(t);
	if (!t->space.root) {
		*err = quota && quota->used >= quota->limit ? VIREO_E_LIMIT : VIREO_E_NOMEM;
		kfree(t, sizeof(*t));
		return NULL;
	}
	if (quota)
		quota->refs++;
	/* The kernel's half (docs/design.md 1): root entries shared, global, supervisor-only. */
	memcpy(t->space.root, kernel_space()->root, PAGE_SIZE);
	t->id = next_task_id++;
	t->asid = slot + 1;
	tlb_flush_asid(t->asid); /* nothing of the slot's last task may linger in a TLB */
	t->satp = SATP_MODE_SV39 | (t->asid << SATP_ASID_SHIFT) |
		  ((uint64_t)(uintptr_t)t->space.root >> PAGE_SHIFT);
	t->parent = parent;
	t->refs = 1;
	strncpy(t->name, name, VIREO_NAME_MAX - 1);
	tasks[slot] = t;
	return t;
}

static struct mapping *free_mapping_slot(struct task *t)
{
	for (unsigned i = 0; i < MAX_MAPPINGS; i++)
		if (t->mappings[i].npages == 0)
			return &t->mappings[i];
	return NULL;
}

static struct mapping *mapping_at(struct task *t, uint64_t va)
{
	for (unsigned i = 0; i < MAX_MAPPINGS; i++) {
		struct mapping *m = &t->mappings[i];
		if (m->npages && va >= m->va && (va - m->va) >> PAGE_SHIFT < m->npages)
			return m;
	}
	return NULL;
}

static bool overlaps_mapping(struct task *t, uint64_t va, uint64_t npages)
{
	for (unsigned i = 0; i < MAX_MAPPINGS; i++) {
		struct mapping *m = &t->mappings[i];
		if (m->npages && va < m->va + (m->npages << PAGE_SHIFT) &&
		    m->va < va + (npages << PAGE_SHIFT))
			return true;
	}
	return false;
}

static uint64_t untouched_bytes(uint64_t npages)
{
	return (npages + CHUNK_PAGES * 64 - 1) / (CHUNK_PAGES * 64) * 8;
}

/* A large owned region is only reserved here: its chunks are zeroed and mapped when first
 * touched. Zeroing a 256 MiB guest's RAM up front took longer than the guest's boot, most
 * of it QEMU's host touching memory the guest never uses. */
static int map_untouched(struct task *t, struct mapping *m, uint64_t va, uint64_t npages,
			 uint64_t pte_flags)
{
	if (task_charge(t, npages))
		return VIREO_E_LIMIT;
	uint64_t nchunks = (npages + CHUNK_PAGES - 1) / CHUNK_PAGES;
	uint64_t *untouched = kzalloc(untouched_bytes(npages));
	uint64_t pa = untouched ? kpages_take(npages, CHUNK_PAGES) : 0;
	if (!pa) {
		if (untouched)
			kfree(untouched, untouched_bytes(npages));
		task_uncharge(t, npages);
		return VIREO_E_NOMEM;
	}
	for (uint64_t c = 0; c < nchunks; c++)
		untouched[c / 64] |= 1ul << (c % 64);
	*m = (struct mapping){ .va = va, .npages = npages, .pa = pa, .pte_flags = pte_flags,
			       .owned = true, .untouched = untouched };
	return 0;
}

int task_map(struct task *t, uint64_t va, uint64_t npages, uint64_t pa, uint64_t pte_flags,
	     bool owned)
{
	struct mapping *m = free_mapping_slot(t);
	if (!m || npages == 0)
		return VIREO_E_NOMEM;
	if (va < VIREO_USER_BASE || va >= VIREO_USER_END || (va & (PAGE_SIZE - 1)) ||
	    npages > (VIREO_USER_END - va) >> PAGE_SHIFT)
		return VIREO_E_INVAL;
	if (overlaps_mapping(t, va, npages))
		return VIREO_E_BUSY;
	if (owned && npages >= CHUNK_PAGES)
		return map_untouched(t, m, va, npages, pte_flags);
	if (owned) {
		if (task_charge(t, npages))
			return VIREO_E_LIMIT;
		pa = kpages_alloc(npages, 1);
		if (!pa) {
			task_uncharge(t, npages);
			return VIREO_E_NOMEM;
		}
	}
	enum pt_error e = pt_map(&t->space, va, pa, npages << PAGE_SHIFT, pte_flags | PTE_U,
				 PT_PAGE_2M);
	if (e) {
		/* Nothing partly mapped stays: pt_map only leaves pages behind when out of
		 * memory, and those are unmapped by hand below. */
		if (e == PT_ERR_NOMEM)
			pt_unmap(&t->space, va, npages << PAGE_SHIFT);
		if (owned) {
			kpages_free(pa, npages);
			task_uncharge(t, npages);
		}
		return e == PT_ERR_EXISTS ? VIREO_E_BUSY : e == PT_ERR_NOMEM ? VIREO_E_NOMEM
									  : VIREO_E_INVAL;
	}
	*m = (struct mapping){ .va = va, .npages = npages, .pa = pa, .pte_flags = pte_flags,
			       .owned = owned };
	tlb_flush_asid(t->asid); /* a hart may have cached the old, invalid entries */
	return 0;
}

static void unmap(struct task *t, struct mapping *m)
{
	pt_unmap(&t->space, m->va, m->npages << PAGE_SHIFT);
	if (m->owned && !m->obj) { /* granted pages are their object's to free (memobj.c) */
		kpages_free(m->pa, m->npages);
		task_uncharge(t, m->npages);
	}
	if (m->untouched)
		kfree(m->untouched, untouched_bytes(m->npages));
	if (m->obj)
		memobj_put(m->obj);
	*m = (struct mapping){ 0 };
}

int task_unmap(struct task *t, uint64_t va, uint64_t npages)
{
	for (unsigned i = 0; i < MAX_MAPPINGS; i++) {
		struct mapping *m = &t->mappings[i];
		if (m->npages && m->va == va && m->npages == npages) {
			if (m->pins)
				return VIREO_E_BUSY;
			unmap(t, m);
			tlb_flush_asid(t->asid);
			return 0;
		}
	}
	return VIREO_E_INVAL;
}

int task_map_object(struct task *t, uint64_t va, struct memobj *obj, uint64_t pte_flags)
{
	int err = task_map(t, va, obj->npages, obj->pa, pte_flags, false);
	if (!err) {
		mapping_at(t, va)->obj = obj;
		obj->refs++;
	}
	return err;
}

int task_start(struct task *t, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{
	if (t->dead || task_live_threads(t))
		return VIREO_E_BUSY;
	int err;
	return thread_create(t, pc, sp, a0, a1, &err) ? 0 : err;
}

struct mapping *task_find_owned(struct task *t, uint64_t va, uint64_t size, uint64_t *pa)
{
	struct mapping *m = mapping_at(t, va);
	if (!m || !m->owned || size == 0 || size > (m->npages << PAGE_SHIFT) - (va - m->va))
		return NULL;
	*pa = m->pa + (va - m->va);
	return m;
}

uint64_t task_touch(struct task *t, uint64_t va)
{
	struct mapping *m = mapping_at(t, va);
	if (!m || !m->owned)
		return 0;
	uint64_t c = (va - m->va) / (CHUNK_PAGES * PAGE_SIZE), first = c * CHUNK_PAGES;
	if (m->untouched && (m->untouched[c / 64] >> (c % 64) & 1)) {
		uint64_t n = m->npages - first < CHUNK_PAGES ? m->npages - first : CHUNK_PAGES;
		uint64_t pa = m->pa + (first << PAGE_SHIFT), chunk_va = m->va + (first << PAGE_SHIFT);
		memset((void *)(uintptr_t)pa, 0, n << PAGE_SHIFT);
		if (pt_map(&t->space, chunk_va, pa, n << PAGE_SHIFT, m->pte_flags | PTE_U,
			   PT_PAGE_2M)) {
			pt_unmap(&t->space, chunk_va, n << PAGE_SHIFT);
			return 0;
		}
		m->untouched[c / 64] &= ~(1ul << (c % 64));
	}
	return m->pa + (va - m->va);
}

bool task_fault_in(struct task *t, uint64_t va, uint64_t cause)
{
	uint64_t need = cause == EXC_LOAD_PAGE_FAULT ? PTE_R : cause == EXC_STORE_PAGE_FAULT ? PTE_W
			: cause == EXC_INST_PAGE_FAULT ? PTE_X : 0;
	if (!need || va < VIREO_USER_BASE || va >= VIREO_USER_END)
		return false;
	need |= PTE_V | PTE_U;
	pte_t pte = pt_lookup(&t->space, va, NULL);
	if ((pte & need) == need) {
		/* Priv spec 4.2.1: a hart may cache an entry while it is invalid, and nothing
		 * fenced after the chunk was mapped (on QEMU every fence flushes its whole TLB). */
		sfence_vma_asid(t->asid);
		return true;
	}
	return !(pte & PTE_V) && task_touch(t, va) && (pt_lookup(&t->space, va, NULL) & need) == need;
}

void task_unpin(struct task *t, uint64_t va)
{
	uint64_t pa;
	struct mapping *m = task_find_owned(t, va, 1, &pa);
	if (m && m->pins)
		m->pins--;
}

static void free_address_space(struct task *t)
{
	/* Never free the tables the hart is translating through. */
	if (csr_read(CSR_SATP) << 20 >> 8 == (uint64_t)(uintptr_t)t->space.root)
		kernel_map_activate();
	for (unsigned i = 0; i < MAX_MAPPINGS; i++)
		if (t->mappings[i].npages)
			unmap(t, &t->mappings[i]);
	/* The kernel's root entries are shared: clear them so only the task's tables go. */
	memset(t->space.root, 0, VIREO_USER_BASE >> 30 << 3);
	pt_destroy(&t->space);
	free_table(t, (uint64_t)(uintptr_t)t->space.root);
	t->space.root = NULL;
	tlb_flush_asid(t->asid);
}

/* A thread running on another hart cannot be ended from here: its hart is in U-mode or in a
 * guest on it, or waits for the big kernel lock. It is asked to enter the kernel, where it
 * finds its task dead and ends it itself (user_trap_return); the task's memory and objects go
 * once the last such thread has. */
void task_exit(struct task *t, int64_t status)
{
	if (t->torn_down)
		return;
	if (!t->dead) {
		t->dead = true;
		t->exit_status = status;
	}
	bool elsewhere = false;
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++) {
		struct thread *th = t->thread[i];
		if (th && th->state == THREAD_RUNNING && th->last_hart != this_hart()) {
			th->last_hart->need_resched = 1; /* out of a guest's run loop too */
			smp_kick(th->last_hart);
			elsewhere = true;
		} else if (th) {
			thread_end(th);
		}
	}
	if (elsewhere)
		return;
	t->torn_down = true;
	ipc_fail_callers_of(t);
	endpoints_orphan_owned_by(t);
	handle_close_all(t);
	free_address_space(t);
	if (t->exit_ep) {
		endpoint_notify(t->exit_ep, t->exit_bits);
		endpoint_put(t->exit_ep);
		t->exit_ep = NULL;
	}
	task_put(t); /* the task table's reference */
}

void task_put(struct task *t)
{
	if (--t->refs > 0)
		return;
	for (unsigned i = 0; i < MAX_TASKS; i++)
		if (tasks[i] == t)
			tasks[i] = NULL;
	if (t->quota)
		quota_put(t->quota);
	kfree(t, sizeof(*t));
}

DEFINE_OBJECT_OPS(task, struct task, task_put);

struct task *task_by_id(uint64_t id)
{
	for (unsigned i = 0; i < MAX_TASKS; i++)
		if (tasks[i] && tasks[i]->id == id)
			return tasks[i];
	return NULL;
}

struct task *task_at(unsigned index)
{
	return index < MAX_TASKS ? tasks[index] : NULL;
}

/* Walks the task's own tables, so a pointer into kernel memory, a supervisor-only page or
 * an unmapped one is refused rather than followed. */
static int user_copy(struct task *t, uint64_t uva, void *kbuf, uint64_t len, bool to_user)
{
	if (uva + len < uva || uva < VIREO_USER_BASE || uva + len > VIREO_USER_END)
		return -1;
	while (len > 0) {
		uint64_t need = PTE_V | PTE_U | (to_user ? PTE_W : PTE_R);
		pte_t pte = pt_lookup(&t->space, uva, NULL);
		if (!(pte & PTE_V) && task_touch(t, uva))
			pte = pt_lookup(&t->space, uva, NULL);
		if ((pte & need) != need)
			return -1;
		uint64_t pa = pt_translate(&t->space, uva);
		uint64_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		if (to_user)
			memcpy((void *)(uintptr_t)pa, kbuf, chunk);
		else
			memcpy(kbuf, (const void *)(uintptr_t)pa, chunk);
		uva += chunk;
		kbuf = (char *)kbuf + chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_user(struct task *t, void *dst, uint64_t uva, uint64_t len)
{
	return user_copy(t, uva, dst, len, false);
}

int copy_to_user(struct task *t, uint64_t uva, const void *src, uint64_t len)
{
	return user_copy(t, uva, (void *)src, len, true);
}
