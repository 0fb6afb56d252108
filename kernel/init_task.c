#include "init_task.h"

#include <vireo/boot.h>
#include <vireo/syscall.h>

#include "console.h"
#include "cpio.h"
#include "device.h"
#include "loader.h"
#include "memobj.h"
#include "page_alloc.h"
#include "panic.h"
#include "task.h"

static int system_object; /* the system handle names no state, only authority */

void start_init(const struct machine *m)
{
	const void *bootfs = (const void *)(uintptr_t)m->initrd_start;
	uint64_t size = m->initrd_end - m->initrd_start;
	struct cpio_entry e;
	const char *err = "not found";

	if (cpio_find(bootfs, size, "bin/init", &e, &err) != 1)
		panic("bootfs: bin/init: %s", err);
	int err_code;
	struct task *t = task_create("init", 0, NULL, &err_code);
	if (!t)
		panic("init: no memory for the task");
	uint64_t entry;
	if (load_program(t, e.data, e.size, &entry, &err))
		panic("init: bin/init: %s", err);

	if (m->initrd_start & (PAGE_SIZE - 1))
		panic("bootfs at %lx is not page-aligned", m->initrd_start);
	int rc = task_map(t, VIREO_USER_BOOTFS, (size + PAGE_SIZE - 1) >> PAGE_SHIFT,
			  m->initrd_start, PTE_R, false);
	if (rc)
		panic("init: cannot map the bootfs (%d)", rc);

	handle_install(t, OBJ_SYSTEM, &system_object, VIREO_RIGHT_CONTROL | VIREO_RIGHT_TRANSFER |
						      VIREO_RIGHT_VM | VIREO_RIGHT_LOG);
	struct memobj *bootfs_obj = memobj_borrow(m->initrd_start, (size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if (!bootfs_obj || handle_install(t, OBJ_MEMORY, bootfs_obj,
					  VIREO_RIGHT_MAP | VIREO_RIGHT_TRANSFER) != VIREO_INIT_BOOTFS)
		panic("init: cannot hand it the bootfs");
	struct device *d;
	unsigned nvirtio = 0;
	for (unsigned i = 0; (d = device_at(i)); i++) {
		int h = handle_install(t, OBJ_DEVICE, d, VIREO_RIGHT_TRANSFER |
				       (d->kind == DEVICE_VIRTIO_MMIO ? VIREO_RIGHT_DMA : 0));
		if (d->kind == DEVICE_VIRTIO_MMIO)
			nvirtio++;
		else if (h != VIREO_INIT_UART)
			panic("init: the UART landed in handle %d", h);
	}
	if (task_start(t, entry, VIREO_USER_STACK_TOP, size, nvirtio))
		panic("init: cannot start its thread");
	kprintf("vireo: starting init (%lu bytes of bootfs)\n", size);
}
