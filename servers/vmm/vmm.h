/* The VM monitor: loads guests from the boot file system, writes their device trees, runs
 * them through the kernel's VM calls and emulates the devices the kernel leaves to it. */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "vireo.h"
#include "virtio_mmio.h"

#define MAX_GUESTS 8 /* as many as the kernel's VM table holds (hv/vm.h MAX_VMS) */
#define OUTPUT_KEEP 4096 /* guest output kept while nobody is attached */

/* The guest physical map (include/vireo/syscall.h has the kernel's part of it). */
#define TESTDEV_BASE 0x10000000ul
#define TESTDEV_SIZE 0x1000ul
#define TESTDEV_IRQ 1
/* virtio-mmio devices where QEMU's virt puts its slots, one page each; their interrupts
 * follow the test device's. The guest sees only the devices that exist (DESIGN.md 4), so
 * its PLIC has sources 1..TESTDEV_IRQ + (number of virtio devices). */
#define VIRTIO_MMIO_BASE 0x10001000ul
#define VIRTIO_IRQ_BASE 2
#define GUEST_MAX_VIRTIO 4
#define GUEST_WARNINGS_MAX 20 /* device warnings shown per guest; the rest are dropped */

struct testdev {
	uint8_t scratch[64];
};

/* The guest's volume on the block server (virtio_blk.c), from `disk=NAME [size=MiB]`. */
struct guest_disk {
	char name[VIREO_NAME_MAX]; /* "": no disk */
	uint64_t create_mib;       /* its size if it must be made; 0: it must exist */
	uint64_t session, sectors; /* open on the block server */
	uint64_t requests, bytes, errors;
};

struct guest {
	uint64_t id;     /* 0: a free slot */
	unsigned slot;   /* its place in the monitor's table, which fixes where its RAM is mapped */
	uint64_t vm;     /* the VM handle */
	char name[VIREO_NAME_MAX];
	char path[64], initrd[64], bootargs[256];
	uint64_t ram_size, ram_va, ncpus;
	uint64_t reboots;
	bool linux_only;  /* the image must be a Linux Image (the shell's linux command) */
	struct testdev dev;
	unsigned nvirtio;
	struct virtio_mmio virtio[GUEST_MAX_VIRTIO];
	struct guest_disk disk;
	unsigned warnings;
	struct vireo_vm_exit exit;
	bool attached;
	uint64_t notify_ep, notify_bits; /* told when the guest ends */
	char kept[OUTPUT_KEEP];
	unsigned kept_len;
};

/* main.c: one line in the guest's console stream about something it did wrong with a
 * device; after GUEST_WARNINGS_MAX of them, the rest are dropped so a guest cannot flood. */
void guest_warn(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* guest.c: building and starting a VM from a command line like the shell's vm run. */
int64_t guest_start(struct guest *g, const char *args, char *why, size_t why_len);
/* Makes a fresh VM of the same guest: image reloaded, RAM otherwise kept (a reboot). */
int64_t guest_restart(struct guest *g, char *why, size_t why_len);
void guest_free(struct guest *g);
/* fdt.c */
int64_t guest_fdt(const struct guest *g, void *buf, size_t size, const struct vireo_vm_config *cfg,
		  uint64_t initrd_start, uint64_t initrd_end);
/* virtio_blk.c: opens the volume g->disk names (none: nothing to do), closes it. */
int64_t virtio_blk_open(struct guest *g, char *why, size_t why_len);
void virtio_blk_close(struct guest *g);
/* testdev.c: the MMIO test device (Vireo's "vireo,test-mmio"). */
uint64_t testdev_access(struct guest *g, uint64_t offset, unsigned width, bool write,
			uint64_t value);

#endif
