/* Making a VM from `vm run` arguments: guest RAM, the image (a Linux Image, an ELF
 * executable, or a raw binary placed as QEMU's -kernel would be), an optional initrd, and
 * the device tree, where image.c decides and after it has checked them all. */
#include <string.h>

#include "image.h"
#include "vmm.h"

#define BOOTFS_VA 0x2a00000000ul    /* in the monitor's heap region, far above malloc's */
#define GUEST_RAM_VA 0x2c00000000ul /* in the monitor's heap region, GUEST_RAM_MAX per guest */
#define GUEST_RAM_VA_STRIDE GUEST_RAM_MAX
_Static_assert(GUEST_RAM_VA + MAX_GUESTS * GUEST_RAM_VA_STRIDE <= VIREO_USER_DEVICES,
	       "every guest's RAM window is in the monitor's heap region");

static int64_t fail(char *why, size_t len, const char *text, const char *detail)
{
	snformat(why, len, "%s%s%s", text, detail ? ": " : "", detail ? detail : "");
	return VIREO_E_INVAL;
}

static int64_t open_file(const char *path, const char **data, uint64_t *size)
{
	return boot_file(path, BOOTFS_VA, (const uint8_t **)data, size);
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
	for (char *p = buf; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p && n == 32)
			return fail(why, len, "too many words (at most 32)", NULL);
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
	if (strlen(words[0]) >= sizeof(g->path))
		return fail(why, len, "the image path is too long (at most 63 characters)", NULL);
	strcpy(g->path, words[0]);
	for (int i = 1; i < n; i++) {
		uint64_t v;
		if (!strcmp(words[i], "--")) {
			for (int j = i + 1; j < n; j++) {
				size_t used = strlen(g->bootargs);
				if (snformat(g->bootargs + used, sizeof(g->bootargs) - used, "%s%s",
					     used ? " " : "", words[j]) >= sizeof(g->bootargs) - used)
					return fail(why, len, "the kernel command line is too long "
							      "(at most 255 characters)", NULL);
			}
			break;
		} else if (!strncmp(words[i], "ram=", 4)) {
			if (!parse_number(words[i] + 4, &v) || v < GUEST_RAM_MIN >> 20 ||
			    v > GUEST_RAM_MAX >> 20)
				return fail(why, len, "ram= takes MiB from 4 to 2048", NULL);
			g->ram_size = v << 20;
		} else if (!strncmp(words[i], "cpus=", 5)) {
			if (!parse_number(words[i] + 5, &v) || v < 1 || v > VIREO_VM_MAX_VCPUS) {
				snformat(why, len, "cpus= takes 1 to %u", VIREO_VM_MAX_VCPUS);
				return VIREO_E_INVAL;
			}
			g->ncpus = v;
		} else if (!strncmp(words[i], "disk=", 5)) {
			if (!words[i][5] || strlen(words[i] + 5) >= sizeof(g->disk.name))
				return fail(why, len, "disk= takes a volume name of 1 to 15 characters",
					    NULL);
			strcpy(g->disk.name, words[i] + 5);
		} else if (!strncmp(words[i], "size=", 5)) {
			if (!parse_number(words[i] + 5, &v) || v == 0)
				return fail(why, len, "size= takes the new disk's MiB", NULL);
			g->disk.create_mib = v;
		} else if (!strcmp(words[i], "linux")) {
			g->linux_only = true;
		} else if (!strncmp(words[i], "initrd=", 7)) {
			if (strlen(words[i] + 7) >= sizeof(g->initrd))
				return fail(why, len, "the initrd path is too long (at most 63 characters)",
					    NULL);
			strcpy(g->initrd, words[i] + 7);
		} else {
			return fail(why, len, "unknown option", words[i]);
		}
	}
	const char *base = strrchr(g->path, '/');
	strncpy(g->name, base ? base + 1 : g->path, VIREO_NAME_MAX - 1);
	return 0;
}

/* Copies the image into guest RAM as guest_image_plan laid it out. BSS is zeroed here rather
 * than left to zeroing on first touch: a reboot (guest_restart) reuses RAM the guest wrote. */
static void load_image(struct guest *g, const char *data, const struct guest_image *img)
{
	uint8_t *ram = (uint8_t *)g->ram_va;
	for (unsigned i = 0; i < img->npieces; i++) {
		const struct image_piece *p = &img->pieces[i];
		memcpy(ram + p->dst, data + p->src, p->filesz);
		memset(ram + p->dst + p->filesz, 0, p->memsz - p->filesz);
	}
}

/* The virtio device types, each given to every guest when the monitor can back it. */
static const struct virtio_device_ops *const virtio_types[] = { &virtio_rng_ops,
								 &virtio_blk_ops,
								 &virtio_net_ops,
								 &virtio_console_ops,
								 &virtio_fs_ops };

/* The device windows of cfg: the test device, the virtio-mmio slots (one window, one page
 * per device: the kernel's table of windows is short), the UART. */
static void add_devices(struct guest *g, struct vireo_vm_config *cfg)
{
	cfg->devices[0].base = TESTDEV_BASE;
	cfg->devices[0].size = TESTDEV_SIZE;
	cfg->ndevices = 1;
	cfg->plic_ndev = TESTDEV_IRQ;
	for (unsigned i = 0; i < g->nvirtio; i++) /* a reboot's devices start afresh */
		virtio_mmio_exit(&g->virtio[i]);
	g->nvirtio = 0;
	for (unsigned i = 0; i < sizeof(virtio_types) / sizeof(*virtio_types); i++) {
		if (g->nvirtio == GUEST_MAX_VIRTIO || !virtio_types[i]->available(g))
			continue;
		uint64_t base = VIRTIO_MMIO_BASE + g->nvirtio * VIRTIO_MMIO_SIZE;
		uint32_t irq = VIRTIO_IRQ_BASE + g->nvirtio;
		virtio_mmio_init(&g->virtio[g->nvirtio++], g, virtio_types[i], base, irq);
		cfg->plic_ndev = irq;
	}
	if (g->nvirtio) {
		cfg->devices[cfg->ndevices].base = VIRTIO_MMIO_BASE;
		cfg->devices[cfg->ndevices++].size = g->nvirtio * VIRTIO_MMIO_SIZE;
	}
	cfg->devices[cfg->ndevices].base = UART_BASE;
	cfg->devices[cfg->ndevices++].size = UART_SIZE;
	cfg->plic_ndev = UART_IRQ;
	uart_init(g);
}

static int64_t build(struct guest *g, char *why, size_t len)
{
	const char *image, *initrd = NULL;
	uint64_t size, initrd_size = 0, initrd_start = 0;
	struct guest_image img;
	struct guest_layout layout;
	int64_t err = open_file(g->path, &image, &size);
	if (err)
		return fail(why, len, g->path, error_name(err));
	if (guest_image_plan(image, size, VIREO_GUEST_RAM, g->ram_size, g->linux_only, &img, why,
			     len))
		return VIREO_E_INVAL;
	if (g->initrd[0]) {
		err = open_file(g->initrd, &initrd, &initrd_size);
		if (err)
			return fail(why, len, g->initrd, error_name(err));
		/* Linux takes a newc cpio archive, possibly gzip-compressed; anything else would
		 * only end in its panic, far from the mistake. */
		if (initrd_size < 6 || (memcmp(initrd, "070701", 6) && memcmp(initrd, "\x1f\x8b", 2)))
			return fail(why, len, g->initrd, "not a cpio archive (plain or gzip)");
	}
	/* Everything is checked before the first byte of guest RAM is written. */
	if (guest_layout_plan(g->ram_size, img.end, initrd_size, &layout, why, len))
		return VIREO_E_INVAL;
	load_image(g, image, &img);
	if (initrd_size) {
		memcpy((uint8_t *)g->ram_va + layout.initrd, initrd, initrd_size);
		initrd_start = VIREO_GUEST_RAM + layout.initrd;
	}
	uint64_t entry = VIREO_GUEST_RAM + img.entry, fdt_gpa = VIREO_GUEST_RAM + layout.fdt;

	struct vireo_vm_config cfg = { .nvcpus = g->ncpus, .entry = entry, .arg1 = fdt_gpa,
					.lanes = lanes_available(g->ncpus) };
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
	err = lanes_start(g, (unsigned)cfg.lanes);
	if (err) {
		vireo_syscall(SYS_HANDLE_CLOSE, vm, 0, 0, 0, 0, 0);
		g->vm = 0;
		return fail(why, len, "cannot start a thread per lane", error_name(err));
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
	err = virtio_blk_open(g, why, len);
	if (err)
		return err;
	virtio_net_open(g);
	err = vireo_syscall(SYS_MEM_ALLOC, (long)g->ram_va, (long)(g->ram_size >> 12),
			    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (err) {
		g->ram_va = 0;
		virtio_blk_close(g);
		virtio_net_close(g);
		return fail(why, len, "not enough memory for guest RAM", error_name(err));
	}
	err = build(g, why, len);
	if (err)
		guest_free(g);
	return err;
}

int64_t guest_restart(struct guest *g, char *why, size_t len)
{
	lanes_stop(g);
	if (g->vm)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->vm, 0, 0, 0, 0, 0);
	g->vm = 0;
	g->reboots++;
	return build(g, why, len);
}

void guest_free(struct guest *g)
{
	lanes_stop(g);
	for (unsigned i = 0; i < g->nvirtio; i++)
		virtio_mmio_exit(&g->virtio[i]);
	virtio_blk_close(g);
	virtio_net_close(g);
	if (g->vm)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->vm, 0, 0, 0, 0, 0);
	if (g->ram_va)
		vireo_syscall(SYS_MEM_FREE, (long)g->ram_va, (long)(g->ram_size >> 12), 0, 0, 0, 0);
	if (g->notify_ep)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)g->notify_ep, 0, 0, 0, 0, 0);
	memset(g, 0, sizeof(*g));
}
