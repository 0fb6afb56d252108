/* reboot: SBI SRST cold reboot (spec v2.0 chapter 10) brings the guest back. A boot counter
 * at guest physical 0x81000000, past the loaded image, tells the two boots apart: the first
 * sets it and reboots, the second passes and clears it. Meant for Vireo: it relies on a
 * reboot restarting the VM at its entry without clearing RAM outside the image, which Vireo
 * promises and bare QEMU does not (QEMU 7.2 happens to keep RAM across its reset, so the
 * guest passes there too). */
#include "lib.h"

#define BOOT_RECORD 0x81000000UL
#define MAGIC 0x5245424f4f54UL /* "REBOOT" */

struct boot_record {
	uint64_t magic;
	uint64_t boots;
};

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	volatile struct boot_record *rec = (volatile struct boot_record *)BOOT_RECORD;
	if (rec->magic != MAGIC) {
		print("reboot: first boot\n");
		rec->boots = 1;
		rec->magic = MAGIC;
		__asm__ volatile("fence" : : : "memory");
		struct sbiret r =
			sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0, 0,
				 0, 0);
		rec->magic = 0;
		check(false, "SRST cold reboot returned (%ld)", r.error);
		finish();
	}
	uint64_t boots = rec->boots;
	rec->magic = 0;
	rec->boots = 0;
	check(boots == 1, "came back after a reboot");
	finish();
}
