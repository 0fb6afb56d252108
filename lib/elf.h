/* ELF64 executables as Vireo loads them: the checks a loader needs before it trusts a file
 * from the boot file system, and the list of segments to map. Pure logic, freestanding,
 * shared by the kernel and user programs, and unit-tested on the host.
 *
 * What is accepted is narrower than the ELF-64 spec allows, on purpose: little-endian RISC-V
 * ET_EXEC files whose PT_LOAD segments start on a page boundary (Vireo's linker scripts
 * align them), do not share pages, and are never both writable and executable. */
#ifndef VIREO_LIB_ELF_H
#define VIREO_LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

/* p_flags bits (ELF-64 spec, "Program header table"). */
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

/* The file layouts, from the ELF-64 Object File Format spec (version 1.5), sections 3 and 6.
 * elf_parse never casts the file to these (it may be unaligned): it copies them out. */
#define ELF_NIDENT 16
#define ELF_MAG0 0x7f /* e_ident[0..3] = "\177ELF" */
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1
#define ELF_ET_EXEC 2
#define ELF_EM_RISCV 243
#define ELF_PT_LOAD 1
#define ELF_PN_XNUM 0xffff /* e_phnum escape: the real count is in section header 0 */

struct elf64_ehdr {
	uint8_t e_ident[ELF_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* One PT_LOAD: memsz bytes at vaddr, the first filesz of them from the file at offset and
 * the rest zero. vaddr and offset are multiples of 4096; flags are ELF_PF_* bits. */
struct elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

struct elf_image {
	uint64_t entry;
	unsigned nsegments;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* flags: ELF_TASK_LAYOUT asks for what a task's address space needs: segments on their own
 * pages (page-aligned, no page shared), and no page both writable and executable (W^X).
 * Without it (a guest image, which lays out its own memory) segments need only lie within
 * [lo, hi) and the file. */
#define ELF_TASK_LAYOUT 1u

/* Checks an ELF image of size bytes and describes its loadable segments, in file order
 * (PT_LOADs with memsz 0 are left out). Every segment (with ELF_TASK_LAYOUT rounded out to
 * whole pages) must lie within [lo, hi). Returns 0, or -1 with *err set to a static message
 * saying what is wrong; on failure *out is zeroed. Reads nothing outside [data, data+size). */
int elf_parse(const void *data, size_t size, uint64_t lo, uint64_t hi, unsigned flags,
	      struct elf_image *out, const char **err);

#endif
