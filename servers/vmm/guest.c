/* Making a VM from `vm run` arguments: guest RAM, the image (an ELF executable, or a raw
 * binary placed as QEMU's -kernel would be), an optional initrd, and the device tree. */
#include <string.h>

#include "elf.h"
#include "vmm.h"

#define BOOTFS_VA 0x2a00000000ul    /* in the monitor's heap region, far above malloc's */
#define GUEST_RAM_VA 0x2c00000000ul /* in the monitor's heap region, MAX_RAM_MIB per guest */
#define GUEST_RAM_VA_STRIDE ((uint64_t)MAX_RAM_MIB << 20)
#define MAX_RAM_MIB 2048

static int64_t fail(char *why, size_t len, const char *text, const char *detail)
{
	snformat(why, len, "%s%s%s", text, detail ? ": " : "", detail ? detail : "");
	return VIREO_E_INVAL;
}

/* A bootfs file, read where it lies: init hands over the bootfs as a read-only memory
 * object, mapped here once. Copying a Linux Image through IPC messages cost a thousand
 * round trips, each switching address spaces twice. */
static int64_t open_file(const char *path, const char **data, uint64_t *size)
{
	static uint64_t mapped_bytes;
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_OPEN, path, strlen(path)), 0, 0,
				0, 0);
	int64_t st = r.status < 0 ? r.status : (int64_t)r.w[0];
	if (st)
		return st;
	uint64_t bootfs = ipc_buffer()->handle;
	if (!mapped_bytes) {
		st = vireo_syscall(SYS_MEMORY_MAP, (long)bootfs, (long)BOOTFS_VA, VIREO_PROT_READ, 0,
				   0, 0);
		mapped_bytes = st > 0 ? (uint64_t)st << 12 : 0;
	}
	vireo_syscall(SYS_HANDLE_CLOSE, (long)bootfs, 0, 0, 0, 0, 0);
	if (st < 0)
		return st;
	if (r.w[1] > mapped_bytes || r.w[2] > mapped_bytes - r.w[1])
		return VIREO_E_INVAL;
	*data = (const char *)BOOTFS_VA + r.w[1];
	*size = r.w[2];
	return 0;
}

static bool parse_number(const char *s, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || *v > 1000000)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return true;
}

/* "PATH [ram=MiB] [cpus=N] [initrd=PATH] [linux] [-- bootargs...]" */
static int64_t parse(struct guest *g, const char *args, char *why, size_t len)
{
	char buf[512], *words[32];
	int n = 0;
	strncpy(buf, args, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	for (char *p = buf; *p && n < 32;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p)
			words[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	if (n == 0)
		return fail(why, len, "which guest image?", NULL);
	g->ram_size = 64ul << 20;
	g->ncpus = 1;
	g->bootargs[0] = '\0';
	strncpy(g->path, words[0], sizeof(g->path) - 1);
	for (int i = 1; i < n; i++) {
		uint64_t v;
		if (!strcmp(words[i], "--")) {
			for (int j = i + 1; j < n; j++) {
				size_t used = strlen(g->bootargs);
				snformat(g->bootargs + used, sizeof(g->bootargs) - used, "%s%s",
					 used ? " " : "", words[j]);
			}
			break;
		} else if (!strncmp(words[i], "ram=", 4)) {
			if (!parse_number(words[i] + 4, &v) || v < 4 || v > MAX_RAM_MIB)
				return fail(why, len, "ram= takes MiB from 4 to 2048", NULL);
			g->ram_size = v << 20;
		} else if (!strncmp(words[i], "cpus=", 5)) {
			if (!parse_number(words[i] + 5, &v) || v < 1 || v > VIREO_VM_MAX_VCPUS)
				return fail(why, len, "cpus= takes 1 to 4", NULL);
			g->ncpus = v;
		} else if (!strcmp(words[i], "linux")) {
			g->linux_only = true;
		} else if (!strncmp(words[i], "initrd=", 7)) {
			strncpy(g->initrd, words[i] + 7, sizeof(g->initrd) - 1);
		} else {
			return fail(why, len, "unknown option", words[i]);
		}
	}
	const char *base = strrchr(g->path, '/');
	strncpy(g->name, base ? base + 1 : g->path, VIREO_NAME_MAX - 1);
	return 0;
}

/* The RISC-V Linux boot image header (Linux Documentation/riscv/boot-image-header.rst). */
struct linux_header {
	uint32_t code0, code1;
	uint64_t text_offset, image_size, flags;
	uint32_t version, res1;
	uint64_t res2, magic;
	uint32_t magic2, res3;
};
#define LINUX_MAGIC2 0x05435352 /* "RSC\x05" */

static bool is_linux_image(const char *data, uint64_t size)
{
	struct linux_header h;
	if (size < sizeof(h))
		return false;
	memcpy(&h, data, sizeof(h));
	return h.magic2 == LINUX_MAGIC2;
}

/* Loads a Linux Image where its header asks (text_offset from the start of RAM), after
 * checking that the header is sane and the file plausibly whole: the file holds everything
 * but .bss, so it must reach past the middle of image_size, where a file cut in half does
 * not. */
static uint64_t load_linux(struct guest *g, const char *data, uint64_t size, char *why,
			   size_t len)
{
	struct linux_header h;
	memcpy(&h, data, sizeof(h));
	if (h.text_offset % (2ul << 20) || h.image_size < size || h.image_size == 0) {
		fail(why, len, "not a valid Linux Image", "bad text_offset or image_size");
		return 0;
	}
	if (size < h.image_size / 2) {
		fail(why, len, "the Linux Image is truncated", "smaller than half its image_size");
		return 0;
	}
	if (h.text_offset + h.image_size > g->ram_size - GUEST_FDT_MAX) {
		fail(why, len, "the Linux Image does not fit in guest RAM", NULL);
		return 0;
	}
	uint8_t *dst = (uint8_t *)g->ram_va + h.text_offset;
	memcpy(dst, data, size);
	memset(dst + size, 0, h.image_size - size);
	return VIREO_GUEST_RAM + h.text_offset;
}

/* Loads the image into guest RAM; returns its entry point (guest physical) or 0. */
static uint64_t load_image(struct guest *g, const char *data, uint64_t size, char *why,
			   size_t len)
{
	uint8_t *ram = (uint8_t *)g->ram_va;
	if (is_linux_image(data, size))
		return load_linux(g, data, size, why, len);
	if (g->linux_only) {
		fail(why, len, "not a Linux Image", "no RISC-V boot image header");
		return 0;
	}
	if (size >= 4 && !memcmp(data, "\x7f" "ELF", 4)) {
		struct elf_image img;
		const char *err;
		if (elf_parse(data, size, VIREO_GUEST_RAM, VIREO_GUEST_RAM + g->ram_size, 0, &img, &err)) {
			fail(why, len, "not a loadable guest", err);
			return 0;
		}
		for (unsigned i = 0; i < img.nsegments; i++) {
			const struct elf_segment *s = &img.segments[i];
			uint8_t *dst = ram + (s->vaddr - VIREO_GUEST_RAM);
			memcpy(dst, data + s->offset, s->filesz);
			memset(dst + s->filesz, 0, s->memsz - s->filesz);
		}
		return img.entry;
	}
	if (size > g->ram_size - GUEST_IMAGE_OFFSET - GUEST_FDT_MAX) {
		fail(why, len, "the image does not fit in guest RAM", NULL);
		return 0;
	}
	memcpy(ram + GUEST_IMAGE_OFFSET, data, size);
	return VIREO_GUEST_RAM + GUEST_IMAGE_OFFSET;
}

/* The virtio device types, each given to every guest when the monitor can back it. */
static const struct virtio_device_ops *const virtio_types[] = { &virtio_rng_ops };

/* The device windows of cfg: the test device, then one virtio-mmio slot per device. */
static void add_devices(struct guest *g, struct vireo_vm_config *cfg)
{
	cfg->devices[0].base = TESTDEV_BASE;
	cfg->devices[0].size = TESTDEV_SIZE;
	cfg->ndevices = 1;
	cfg->plic_ndev = TESTDEV_IRQ;
	g->nvirtio = 0;
	for (unsigned i = 0; i < sizeof(virtio_types) / sizeof(*virtio_types); i++) {
		if (g->nvirtio == GUEST_MAX_VIRTIO || !virtio_types[i]->available())
			continue;
		uint64_t base = VIRTIO_MMIO_BASE + g->nvirtio * VIRTIO_MMIO_SIZE;
		uint32_t irq = VIRTIO_IRQ_BASE + g->nvirtio;
		virtio_mmio_init(&g->virtio[g->nvirtio++], g, virtio_types[i], base, irq);
		cfg->devices[cfg->ndevices].base = base;
		cfg->devices[cfg->ndevices++].size = VIRTIO_MMIO_SIZE;
		cfg->plic_ndev = irq;
	}
}

static int64_t build(struct guest *g, char *why, size_t len)
{
	const char *image, *initrd;
	uint64_t size, initrd_size = 0, initrd_start = 0;
	int64_t err = open_file(g->path, &image, &size);
	if (err)
		return fail(why, len, g->path, error_name(err));
	uint64_t entry = load_image(g, image, size, why, len);
	if (!entry)
		return VIREO_E_INVAL;

	uint64_t fdt_gpa = VIREO_GUEST_RAM + g->ram_size - GUEST_FDT_MAX;
	if (g->initrd[0]) {
		err = open_file(g->initrd, &initrd, &initrd_size);
		if (err)
			return fail(why, len, g->initrd, error_name(err));
		/* Linux takes a newc cpio archive, possibly gzip-compressed; anything else would
		 * only end in its panic, far from the mistake. */
		if (initrd_size < 6 || (memcmp(initrd, "070701", 6) && memcmp(initrd, "\x1f\x8b", 2)))
			return fail(why, len, g->initrd, "not a cpio archive (plain or gzip)");
		if (initrd_size > g->ram_size / 2)
			return fail(why, len, "the initrd does not fit in guest RAM", NULL);
		initrd_start = (fdt_gpa - initrd_size) & ~0xffful;
		memcpy((uint8_t *)g->ram_va + (initrd_start - VIREO_GUEST_RAM), initrd, initrd_size);
	}

	struct vireo_vm_config cfg = { .nvcpus = g->ncpus, .entry = entry, .arg1 = fdt_gpa };
	memcpy(cfg.name, g->name, VIREO_NAME_MAX);
	add_devices(g, &cfg);
	int64_t vm = vireo_syscall(SYS_VM_CREATE, VIREO_VMM_VM_RIGHT, (long)&cfg, 0, 0, 0, 0);
	if (vm < 0)
		return fail(why, len, "cannot create the VM", error_name(vm));
	g->vm = (uint64_t)vm;
	err = vireo_syscall(SYS_VM_MAP, vm, (long)VIREO_GUEST_RAM, (long)g->ram_va,
			    (long)g->ram_size, 0, 0);
	if (!err)
		err = guest_fdt(g, (uint8_t *)g->ram_va + (fdt_gpa - VIREO_GUEST_RAM), GUEST_FDT_MAX,
				&cfg, initrd_start, initrd_start + initrd_size);
	if (err) {
		vireo_syscall(SYS_HANDLE_CLOSE, vm, 0, 0, 0, 0, 0);
		g->vm = 0;
		return fail(why, len, "cannot set up guest memory", error_name(err));
	}
	memset(&g->exit, 0, sizeof(g->exit));
	memset(&g->dev, 0, sizeof(g->dev));
	return 0;
}

int64_t guest_start(struct guest *g, const char *args, char *why, size_t len)
{
	int64_t err = parse(g, args, why, len);
	if (err)
		return err;
	/* By slot, not by id: a new guest in a freed slot reuses the page tables of the last. */
	g->ram_va = GUEST_RAM_VA + g->slot * GUEST_RAM_VA_STRIDE;
	err = vireo_syscall(SYS_MEM_ALLOC, (long)g->ram_va, (long)(g->ram_size >> 12),
			    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (err) {
		g->ram_va = 0;
		return fail(why, len, "not enough memory for guest RAM", error_name(err));
	}
	err = build(g, why, len);
	if (err)
		guest_free(g);
	return err;
}

int64_t guest_restart(struct guest *g, char *why, size_t len)
{
	if (g->vm)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->vm, 0, 0, 0, 0, 0);
	g->vm = 0;
	g->reboots++;
	return build(g, why, len);
}

void guest_free(struct guest *g)
{
	if (g->vm)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->vm, 0, 0, 0, 0, 0);
	if (g->ram_va)
		vireo_syscall(SYS_MEM_FREE, (long)g->ram_va, (long)(g->ram_size >> 12), 0, 0, 0, 0);
	if (g->notify_ep)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->notify_ep, 0, 0, 0, 0, 0);
	memset(g, 0, sizeof(*g));
}
