/* bss: a bare-metal image with a RISC-V boot image header (Linux's
 * Documentation/riscv/boot-image-header.rst) whose image_size, 1 MiB, is far above its
 * file, a few KiB: the rest is BSS, which the loader zeroes. start.S clears only the linker's
 * .bss, so the part from _end up to image_size is checked as the loader left it.
 *
 * Fresh guest RAM reads zero anyway (it is zeroed on first touch), so the first boot fills
 * that part and reboots (SBI SRST cold reboot); Vireo reloads the image into the RAM it
 * keeps, and the second boot finds the part zero only if the loader zeroed it. A record past
 * image_size tells the boots apart, as in reboot.c. Run the .bin (the header leads the file);
 * meant for Vireo, since bare QEMU ignores image_size. */
#include "lib.h"

#define IMAGE_BASE 0x80200000UL /* RAM start + text_offset */
#define IMAGE_SIZE 0x100000UL /* above the 8 harts' stacks start.S keeps in .bss */
#define BOOT_RECORD 0x81000000UL
#define MAGIC 0x4253534253534253UL
#define FILL 0xdeadbeefcafef00dUL
#define STR_(x) #x
#define STR(x) STR_(x)

/* The header's fields in order; code0 jumps over it to start.S. Version 0.2, little-endian. */
__asm__(".section .text.header, \"ax\", @progbits\n"
	".option push\n"
	".option norvc\n"
	"	j _start\n"                     /* code0 */
	"	.word 0\n"                      /* code1 */
	"	.dword 0x200000\n"              /* text_offset */
	"	.dword " STR(IMAGE_SIZE) "\n" /* image_size */
	"	.dword 0\n"                     /* flags */
	"	.word 0x2, 0\n"                 /* version, res1 */
	"	.dword 0\n"                     /* res2 */
	"	.dword 0x5643534952\n"          /* magic, "RISCV\\0\\0\\0" */
	"	.word 0x05435352, 0\n"          /* magic2, "RSC\\x05"; res3 */
	".option pop\n"
	".text\n");

extern char _end[];
static volatile unsigned long data_word = 0x5eed; /* in the file: reloaded by a reboot */

struct boot_record {
	uint64_t magic;
};

/* How many words of the BSS beyond the linker's are not zero. */
static unsigned long nonzero_beyond_end(void)
{
	unsigned long n = 0;
	for (unsigned long a = ((unsigned long)_end + 7) & ~7UL; a < IMAGE_BASE + IMAGE_SIZE; a += 8)
		n += *(volatile unsigned long *)a != 0;
	return n;
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	volatile struct boot_record *rec = (volatile struct boot_record *)BOOT_RECORD;
	if (rec->magic != MAGIC) {
		check((unsigned long)_end < IMAGE_BASE + IMAGE_SIZE / 2,
		      "image_size reaches far beyond the linker's BSS (_end at %p)", _end);
		check(nonzero_beyond_end() == 0, "BSS beyond _end reads zero on the first boot");
		for (unsigned long a = ((unsigned long)_end + 7) & ~7UL; a < IMAGE_BASE + IMAGE_SIZE;
		     a += 8)
			*(volatile unsigned long *)a = FILL;
		data_word = 0;
		rec->magic = MAGIC;
		__asm__ volatile("fence" : : : "memory");
		print("bss: filled the BSS, rebooting\n");
		struct sbiret r =
			sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0, 0,
				 0, 0);
		rec->magic = 0;
		check(false, "SRST cold reboot returned (%ld)", r.error);
		finish();
	}
	rec->magic = 0;
	unsigned long n = nonzero_beyond_end();
	check(n == 0, "the loader zeroed the BSS up to image_size again (%lu words left)", n);
	check(data_word == 0x5eed, "the file's data came back with the reboot");
	finish();
}
