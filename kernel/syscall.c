/* Each handler checks all of its arguments before it changes anything (decode, then
 * invoke), and returns the value for a0: >= 0, or a negative VIREO_E_* code. */
#include "syscall.h"

#include <stddef.h>
#include <string.h>
#include <vireo/syscall.h>

#include "console.h"
#include "device.h"
#include "dma.h"
#include "format.h"
#include "hv.h"
#include "ipc.h"
#include "irq.h"
#include "kalloc.h"
#include "klog.h"
#include "loader.h"
#include "memobj.h"
#include "memory.h"
#include "page_alloc.h"
#include "quota.h"
#include "random.h"
#include "sbi.h"
#include "sched.h"
#include "timer.h"

/* The largest program SYS_TASK_SPAWN loads. */
#define SPAWN_MAX_IMAGE (16ul << 20)

typedef int64_t (*syscall_fn)(struct thread *t, const uint64_t *a);

static int64_t sys_exit(struct thread *t, const uint64_t *a)
{
	task_exit(t->task, (int64_t)(a[0] & 0xffff));
	return 0;
}

static int64_t sys_yield(struct thread *t, const uint64_t *a)
{
	(void)t, (void)a;
	sched_yield();
	return 0;
}

/* A task without the log right has each of its lines marked with its name (syscall.h). */
static int64_t sys_log_write(struct thread *t, const uint64_t *a)
{
	char buf[256];
	uint64_t ptr = a[0], len = a[1];
	int unused;
	bool marked = !handle_get(t->task, a[2], OBJ_SYSTEM, VIREO_RIGHT_LOG, &unused);
	while (len > 0) {
		uint64_t n = len < sizeof(buf) ? len : sizeof(buf);
		if (copy_from_user(t->task, buf, ptr, n))
			return VIREO_E_FAULT;
		if (marked) {
			const char *end = memchr(buf, '\n', n);
			n = end ? (uint64_t)(end - buf) + 1 : n;
			char line[VIREO_NAME_MAX + 3 + sizeof(buf) + 1];
			size_t k = snformat(line, sizeof(line), "[%s] ", t->task->name);
			memcpy(line + k, buf, n);
			k += n;
			if (!end)
				line[k++] = '\n';
			console_write(line, k);
		} else {
			console_write(buf, n);
		}
		ptr += n;
		len -= n;
	}
	return 0;
}

static int64_t sys_log_read(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_LOG);
	char buf[256];
	uint64_t pos = a[1], len = a[3] < sizeof(buf) ? a[3] : sizeof(buf);
	size_t n = klog_read(&pos, buf, len);
	if (n && copy_to_user(t->task, a[2], buf, n))
		return VIREO_E_FAULT;
	return (int64_t)n;
}

static int64_t sys_clock(struct thread *t, const uint64_t *a)
{
	(void)t, (void)a;
	return (int64_t)timer_uptime_us();
}

static int64_t sys_endpoint_create(struct thread *t, const uint64_t *a)
{
	(void)a;
	struct endpoint *ep = endpoint_create(t->task);
	if (!ep)
		return VIREO_E_NOMEM;
	int h = handle_install(t->task, OBJ_ENDPOINT, ep,
			       VIREO_RIGHT_SEND | VIREO_RIGHT_RECV | VIREO_RIGHT_TRANSFER);
	if (h < 0) {
		ep->refs++; /* no handle took it: let the last reference go */
		endpoint_put(ep);
	}
	return h;
}

static int64_t sys_call(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	GET(ep, OBJ_ENDPOINT, a[0], VIREO_RIGHT_SEND);
	return ipc_call(t, ep, &a[1]);
}

static int64_t sys_recv(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	GET(ep, OBJ_ENDPOINT, a[0], VIREO_RIGHT_RECV);
	if (ep->owner != t->task)
		return VIREO_E_RIGHTS;
	return ipc_recv(t, ep);
}

static int64_t sys_reply(struct thread *t, const uint64_t *a)
{
	return ipc_reply(t, a[0], &a[1]);
}

static int64_t sys_reply_recv(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	GET(ep, OBJ_ENDPOINT, a[0], VIREO_RIGHT_RECV);
	if (ep->owner != t->task)
		return VIREO_E_RIGHTS;
	if (a[1])
		ipc_reply(t, a[1], &a[2]);
	return ipc_recv(t, ep);
}

static int64_t sys_notify(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	GET(ep, OBJ_ENDPOINT, a[0], VIREO_RIGHT_SEND);
	if (!ep->owner)
		return VIREO_E_DEAD;
	endpoint_notify(ep, a[1]);
	return 0;
}

static int64_t sys_timer_set(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	GET(ep, OBJ_ENDPOINT, a[0], VIREO_RIGHT_RECV);
	if (a[1] == 0)
		return VIREO_E_INVAL;
	endpoint_set_timer(ep, a[1], timer_uptime_us() + a[2]);
	return 0;
}

static int64_t sys_handle_close(struct thread *t, const uint64_t *a)
{
	return handle_close(t->task, a[0]);
}

/* Heap-region mappings (SYS_MEM_ALLOC, SYS_MEMORY_MAP): readable, maybe writable. */
static bool heap_range_ok(uint64_t va, uint64_t npages, uint64_t prot)
{
	return va >= VIREO_USER_HEAP && va < VIREO_USER_DEVICES && npages &&
	       npages <= (VIREO_USER_DEVICES - va) >> PAGE_SHIFT &&
	       !(prot & ~(uint64_t)(VIREO_PROT_READ | VIREO_PROT_WRITE)) && (prot & VIREO_PROT_READ);
}

static uint64_t prot_pte(uint64_t prot)
{
	return PTE_R | (prot & VIREO_PROT_WRITE ? PTE_W : 0);
}

static int64_t sys_mem_alloc(struct thread *t, const uint64_t *a)
{
	uint64_t va = a[0], npages = a[1], prot = a[2];
	if (!heap_range_ok(va, npages, prot))
		return VIREO_E_INVAL;
	return task_map(t->task, va, npages, 0, prot_pte(prot), true);
}

static int64_t sys_mem_free(struct thread *t, const uint64_t *a)
{
	if (a[0] < VIREO_USER_HEAP || a[0] >= VIREO_USER_DEVICES)
		return VIREO_E_INVAL;
	return task_unmap(t->task, a[0], a[1]);
}

/* A new memory object's first handle, to map, write and pass on; the handle holds the
 * object now, or nothing does. */
static int64_t install_memory(struct thread *t, struct memobj *o)
{
	int h = handle_install(t->task, OBJ_MEMORY, o,
			       VIREO_RIGHT_MAP | VIREO_RIGHT_WRITE | VIREO_RIGHT_TRANSFER);
	memobj_put(o);
	return h;
}

static int64_t sys_memory_create(struct thread *t, const uint64_t *a)
{
	uint64_t npages = a[0];
	if (npages == 0 || npages > (VIREO_USER_DEVICES - VIREO_USER_HEAP) >> PAGE_SHIFT)
		return VIREO_E_INVAL;
	int err;
	struct memobj *o = memobj_create(t->task, npages, &err);
	if (!o)
		return err;
	return install_memory(t, o);
}

static int64_t sys_memory_map(struct thread *t, const uint64_t *a)
{
	struct memobj *o;
	uint64_t va = a[1], prot = a[2];
	GET(o, OBJ_MEMORY, a[0], prot & VIREO_PROT_WRITE ? VIREO_RIGHT_MAP | VIREO_RIGHT_WRITE
							  : VIREO_RIGHT_MAP);
	if (o->runs || !heap_range_ok(va, o->npages, prot)) /* a grant is for devices alone */
		return VIREO_E_INVAL;
	int err = task_map_object(t->task, va, o, prot_pte(prot));
	return err ? err : (int64_t)o->npages;
}

static int64_t sys_handle_copy(struct thread *t, const uint64_t *a)
{
	return handle_copy(t->task, a[0], (uint32_t)a[1]);
}

static int64_t sys_task_spawn(struct thread *t, const uint64_t *a)
{
	struct vireo_spawn sp;
	if (copy_from_user(t->task, &sp, a[0], sizeof(sp)))
		return VIREO_E_FAULT;
	sp.name[VIREO_NAME_MAX - 1] = '\0';
	if (sp.elf_size == 0 || sp.elf_size > SPAWN_MAX_IMAGE)
		return VIREO_E_BADELF;
	struct endpoint *exit_ep = NULL;
	if (sp.exit_ep) {
		GET(exit_ep, OBJ_ENDPOINT, sp.exit_ep, VIREO_RIGHT_SEND);
	}
	struct quota *quota = t->task->quota;
	if (sp.quota) {
		GET(quota, OBJ_QUOTA, sp.quota, 0);
	}
	unsigned nhandles = 0;
	for (; nhandles < VIREO_SPAWN_HANDLES && sp.handles[nhandles]; nhandles++) {
		uint64_t h = sp.handles[nhandles];
		if (h >= MAX_HANDLES || t->task->handles[h].type == OBJ_NONE)
			return VIREO_E_BADHANDLE;
		if (!(t->task->handles[h].rights & VIREO_RIGHT_TRANSFER))
			return VIREO_E_RIGHTS;
	}

	uint64_t npages = (sp.elf_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t image = kpages_alloc(npages, 1);
	if (!image)
		return VIREO_E_NOMEM;
	int64_t ret = VIREO_E_FAULT;
	struct task *child = NULL;
	uint64_t entry;
	const char *why = "";
	if (copy_from_user(t->task, (void *)(uintptr_t)image, (uint64_t)(uintptr_t)sp.elf,
			   sp.elf_size))
		goto out;
	int err;
	child = task_create(sp.name, t->task->id, quota, &err);
	ret = err;
	if (!child)
		goto out;
	ret = load_program(child, (const void *)(uintptr_t)image, sp.elf_size, &entry, &why);
	if (ret == 0) {
		for (unsigned i = 0; i < nhandles; i++) {
			struct handle *h = &t->task->handles[sp.handles[i]];
			handle_install(child, h->type, h->obj, h->rights);
		}
		ret = task_start(child, entry, VIREO_USER_STACK_TOP, sp.arg, 0);
	}
	if (ret == 0)
		ret = handle_install(t->task, OBJ_TASK, child, VIREO_RIGHT_CONTROL);
	if (ret < 0) {
		if (why[0])
			kprintf("vireo: spawn %s: %s\n", sp.name, why);
		if (child)
			task_exit(child, VIREO_EXIT_KILLED);
		goto out;
	}
	sp.id = child->id;
	copy_to_user(t->task, a[0] + offsetof(struct vireo_spawn, id), &sp.id, sizeof(sp.id));
	if (exit_ep) {
		exit_ep->refs++;
		child->exit_ep = exit_ep;
		child->exit_bits = sp.exit_bits;
	}
out:
	kpages_free(image, npages);
	return ret;
}

static int64_t sys_task_status(struct thread *t, const uint64_t *a)
{
	struct task *task;
	GET(task, OBJ_TASK, a[0], VIREO_RIGHT_CONTROL);
	return task->dead ? task->exit_status : VIREO_TASK_RUNNING;
}

static int64_t sys_task_list(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	/* The index counts live tasks, so a caller can walk them with 0, 1, 2, ... */
	uint64_t seen = 0;
	for (unsigned i = 0; i < MAX_TASKS; i++) {
		struct task *task = task_at(i);
		if (!task || task->dead || seen++ != a[1])
			continue;
		struct vireo_task_info info = { .id = task->id, .pages = task->pages,
						.parent = task->parent };
		memcpy(info.name, task->name, VIREO_NAME_MAX);
		info.state = task_user_state(task);
		return copy_to_user(t->task, a[2], &info, sizeof(info)) ? VIREO_E_FAULT : 1;
	}
	return 0;
}

static int64_t sys_task_kill(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	struct task *victim = task_by_id(a[1]);
	if (!victim || victim->dead)
		return VIREO_E_NOENT;
	if (victim->id == 1)
		return VIREO_E_INVAL; /* init holds the system together */
	task_exit(victim, VIREO_EXIT_KILLED);
	return 0;
}

static int64_t sys_mem_info(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	uint64_t charged = 0;
	for (unsigned i = 0; i < MAX_TASKS; i++)
		if (task_at(i) && !task_at(i)->dead)
			charged += task_at(i)->pages;
	struct vireo_mem_info info = { memory_total_pages(), memory_free_pages(), 0 };
	info.kernel_pages = info.total_pages - info.free_pages - charged;
	return copy_to_user(t->task, a[1], &info, sizeof(info)) ? VIREO_E_FAULT : 0;
}

static int64_t sys_device_map(struct thread *t, const uint64_t *a)
{
	struct device *d;
	GET(d, OBJ_DEVICE, a[0], 0);
	uint64_t va = a[1];
	uint64_t base = d->mmio.base & ~(PAGE_SIZE - 1);
	uint64_t npages = (d->mmio.base + d->mmio.size - base + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (va < VIREO_USER_DEVICES || va >= VIREO_USER_BOOTFS ||
	    npages > (VIREO_USER_BOOTFS - va) >> PAGE_SHIFT)
		return VIREO_E_INVAL;
	return task_map(t->task, va, npages, base, PTE_R | PTE_W, false);
}

static int64_t sys_irq_bind(struct thread *t, const uint64_t *a)
{
	struct device *d;
	struct endpoint *ep;
	{
		GET(d, OBJ_DEVICE, a[0], 0);
	}
	GET(ep, OBJ_ENDPOINT, a[1], VIREO_RIGHT_RECV);
	return irq_bind(d, ep, a[2]);
}

static int64_t sys_irq_ack(struct thread *t, const uint64_t *a)
{
	struct device *d;
	GET(d, OBJ_DEVICE, a[0], 0);
	return irq_ack(d);
}

static int64_t sys_dma_pin(struct thread *t, const uint64_t *a)
{
	struct device *d;
	struct memobj *o;
	{
		GET(d, OBJ_DEVICE, a[0], VIREO_RIGHT_DMA);
	}
	GET(o, OBJ_MEMORY, a[1], VIREO_RIGHT_MAP | VIREO_RIGHT_WRITE);
	return dma_pin(d, o);
}

static int64_t sys_dma_reset(struct thread *t, const uint64_t *a)
{
	struct device *d;
	GET(d, OBJ_DEVICE, a[0], VIREO_RIGHT_DMA);
	return dma_reset(d);
}

static int64_t sys_dma_pin_runs(struct thread *t, const uint64_t *a)
{
	struct device *d;
	struct memobj *o;
	{
		GET(d, OBJ_DEVICE, a[0], VIREO_RIGHT_DMA);
	}
	GET(o, OBJ_MEMORY, a[1], VIREO_RIGHT_MAP | VIREO_RIGHT_WRITE);
	static struct vireo_dma_run runs[VIREO_GRANT_SEGS]; /* under the big kernel lock */
	unsigned max = a[3] < VIREO_GRANT_SEGS ? (unsigned)a[3] : VIREO_GRANT_SEGS;
	/* Checked before the pin, so that a bad pointer leaves nothing pinned. */
	if (copy_to_user(t->task, a[2], runs, max * sizeof(*runs)))
		return VIREO_E_FAULT;
	int64_t n = dma_pin_runs(d, o, runs, max);
	if (n > 0)
		copy_to_user(t->task, a[2], runs, (uint64_t)n * sizeof(*runs));
	return n;
}

static int64_t sys_dma_unpin(struct thread *t, const uint64_t *a)
{
	struct device *d;
	struct memobj *o;
	{
		GET(d, OBJ_DEVICE, a[0], VIREO_RIGHT_DMA);
	}
	GET(o, OBJ_MEMORY, a[1], 0);
	return dma_unpin(d, o);
}

static int64_t sys_memory_grant(struct thread *t, const uint64_t *a)
{
	static struct vireo_grant_seg segs[VIREO_GRANT_SEGS]; /* under the big kernel lock */
	if (a[1] == 0 || a[1] > VIREO_GRANT_SEGS)
		return VIREO_E_INVAL;
	if (copy_from_user(t->task, segs, a[0], a[1] * sizeof(*segs)))
		return VIREO_E_FAULT;
	int err;
	struct memobj *o = memobj_grant(t->task, segs, (unsigned)a[1], &err);
	if (!o)
		return err;
	return install_memory(t, o);
}

static int64_t sys_memory_revoke(struct thread *t, const uint64_t *a)
{
	struct memobj *o;
	GET(o, OBJ_MEMORY, a[0], 0);
	if (!o->runs)
		return VIREO_E_INVAL;
	if (o->granter != t->task)
		return VIREO_E_RIGHTS;
	o->revoked = true;
	return 0;
}

static int64_t sys_system_reset(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	if (a[1] != VIREO_RESET_POWEROFF && a[1] != VIREO_RESET_REBOOT)
		return VIREO_E_INVAL;
	kprintf("vireo: %s\n", a[1] == VIREO_RESET_REBOOT ? "rebooting" : "powering off");
	sbi_system_reset(a[1] == VIREO_RESET_REBOOT ? SBI_SRST_COLD_REBOOT : SBI_SRST_SHUTDOWN,
			 SBI_SRST_REASON_NONE);
	return VIREO_E_NOSYS; /* the SBI has no SRST */
}

static int64_t sys_random(struct thread *t, const uint64_t *a)
{
	uint8_t buf[RANDOM_MAX_READ];
	uint64_t ptr = a[0], len = a[1];
	if (!random_ready())
		return VIREO_E_NOENTROPY;
	if (len > VIREO_RANDOM_MAX)
		return VIREO_E_INVAL;
	while (len > 0) {
		uint64_t n = len < sizeof(buf) ? len : sizeof(buf);
		random_read(buf, n);
		int err = copy_to_user(t->task, ptr, buf, n);
		memset(buf, 0, n);
		if (err)
			return VIREO_E_FAULT;
		ptr += n;
		len -= n;
	}
	return 0;
}

static int64_t sys_quota_create(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	if (a[1] == 0)
		return VIREO_E_INVAL;
	struct quota *q = quota_create(a[1]);
	if (!q)
		return VIREO_E_NOMEM;
	int h = handle_install(t->task, OBJ_QUOTA, q, VIREO_RIGHT_TRANSFER);
	quota_put(q); /* the handle holds it now, or nothing does */
	return h;
}

static const syscall_fn syscalls[SYS_COUNT] = {
	[SYS_EXIT] = sys_exit,
	[SYS_YIELD] = sys_yield,
	[SYS_LOG_WRITE] = sys_log_write,
	[SYS_LOG_READ] = sys_log_read,
	[SYS_CLOCK] = sys_clock,
	[SYS_ENDPOINT_CREATE] = sys_endpoint_create,
	[SYS_CALL] = sys_call,
	[SYS_RECV] = sys_recv,
	[SYS_REPLY] = sys_reply,
	[SYS_NOTIFY] = sys_notify,
	[SYS_TIMER_SET] = sys_timer_set,
	[SYS_HANDLE_CLOSE] = sys_handle_close,
	[SYS_MEM_ALLOC] = sys_mem_alloc,
	[SYS_MEM_FREE] = sys_mem_free,
	[SYS_TASK_SPAWN] = sys_task_spawn,
	[SYS_TASK_STATUS] = sys_task_status,
	[SYS_TASK_LIST] = sys_task_list,
	[SYS_TASK_KILL] = sys_task_kill,
	[SYS_MEM_INFO] = sys_mem_info,
	[SYS_DEVICE_MAP] = sys_device_map,
	[SYS_IRQ_BIND] = sys_irq_bind,
	[SYS_IRQ_ACK] = sys_irq_ack,
	[SYS_SYSTEM_RESET] = sys_system_reset,
	[SYS_REPLY_RECV] = sys_reply_recv,
	[SYS_VM_CREATE] = sys_vm_create,
	[SYS_VM_MAP] = sys_vm_map,
	[SYS_VM_RUN] = sys_vm_run,
	[SYS_VM_INPUT] = sys_vm_input,
	[SYS_VM_IRQ] = sys_vm_irq,
	[SYS_VM_STAT] = sys_vm_stat,
	[SYS_MEMORY_CREATE] = sys_memory_create,
	[SYS_MEMORY_MAP] = sys_memory_map,
	[SYS_HANDLE_COPY] = sys_handle_copy,
	[SYS_RANDOM] = sys_random,
	[SYS_QUOTA_CREATE] = sys_quota_create,
	[SYS_DMA_PIN] = sys_dma_pin,
	[SYS_DMA_RESET] = sys_dma_reset,
	[SYS_MEMORY_GRANT] = sys_memory_grant,
	[SYS_MEMORY_REVOKE] = sys_memory_revoke,
	[SYS_DMA_PIN_RUNS] = sys_dma_pin_runs,
	[SYS_DMA_UNPIN] = sys_dma_unpin,
	[SYS_THREAD_CREATE] = sys_thread_create,
	[SYS_THREAD_EXIT] = sys_thread_exit,
	[SYS_THREAD_JOIN] = sys_thread_join,
	[SYS_THREAD_LIST] = sys_thread_list,
	[SYS_VM_STOP] = sys_vm_stop,
};

void syscall_dispatch(struct thread *t, struct user_frame *f)
{
	uint64_t n = f->regs[17]; /* a7 */
	int64_t ret = n < SYS_COUNT && syscalls[n] ? syscalls[n](t, &f->regs[10]) : VIREO_E_NOSYS;
	if (t->state != THREAD_DEAD)
		f->regs[10] = (uint64_t)ret;
}
