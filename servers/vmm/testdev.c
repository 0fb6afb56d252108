/* The test device the bare-metal test guests exercise MMIO and the virtual PLIC with:
 *   0x00-0x3f  eight 64-bit scratch registers, any naturally aligned width, little-endian
 *   0x40       a read-only 64-bit constant, 0x8877665544332211 (its top byte is negative)
 *   0x48       interrupt line control: write 1 to raise PLIC source 1, 0 to lower it
 * Other offsets read 0 and ignore writes. */
#include <string.h>

#include "vmm.h"

#define CONSTANT 0x8877665544332211ul

uint64_t testdev_access(struct guest *g, uint64_t offset, unsigned width, bool write,
			uint64_t value)
{
	bool aligned = width && (offset & (width - 1)) == 0;
	if (aligned && offset + width <= sizeof(g->dev.scratch)) {
		if (write) {
			memcpy(&g->dev.scratch[offset], &value, width);
			return 0;
		}
		uint64_t v = 0;
		memcpy(&v, &g->dev.scratch[offset], width);
		return v;
	}
	if (aligned && !write && offset >= 0x40 && offset + width <= 0x48) {
		uint64_t c = CONSTANT;
		uint64_t v = 0;
		memcpy(&v, (const uint8_t *)&c + (offset - 0x40), width);
		return v;
	}
	if (write && offset == 0x48)
		vireo_syscall(SYS_VM_IRQ, (long)g->vm, TESTDEV_IRQ, (long)(value != 0), 0, 0, 0);
	return 0;
}
