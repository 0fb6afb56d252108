/* The VM monitor: loads guests from the boot file system, writes their device trees, runs
 * them through the kernel's VM calls and emulates the devices the kernel leaves to it. */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "vireo.h"

#define MAX_GUESTS 4
#define OUTPUT_KEEP 4096 /* guest output kept while nobody is attached */

/* The guest physical map (include/vireo/syscall.h has the kernel's part of it). */
#define TESTDEV_BASE 0x10000000ul
#define TESTDEV_SIZE 0x1000ul
#define TESTDEV_IRQ 1
#define GUEST_PLIC_NDEV 8
#define GUEST_IMAGE_OFFSET 0x200000ul /* raw images go where OpenSBI would put them */
#define GUEST_FDT_MAX 0x10000ul

struct testdev {
	uint8_t scratch[64];
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
	struct vireo_vm_exit exit;
	bool attached;
	uint64_t notify_ep, notify_bits; /* told when the guest ends */
	char kept[OUTPUT_KEEP];
	unsigned kept_len;
};

/* guest.c: building and starting a VM from a command line like the shell's vm run. */
int64_t guest_start(struct guest *g, const char *args, char *why, size_t why_len);
/* Makes a fresh VM of the same guest: image reloaded, RAM otherwise kept (a reboot). */
int64_t guest_restart(struct guest *g, char *why, size_t why_len);
void guest_free(struct guest *g);
/* fdt.c */
int64_t guest_fdt(const struct guest *g, void *buf, size_t size, const struct vireo_vm_config *cfg,
		  uint64_t initrd_start, uint64_t initrd_end);
/* testdev.c: the MMIO test device (Vireo's "vireo,test-mmio"). */
uint64_t testdev_access(struct guest *g, uint64_t offset, unsigned width, bool write,
			uint64_t value);

#endif
