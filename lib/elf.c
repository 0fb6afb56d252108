#include "elf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The headers are copied out of the file with memcpy, which reads them in host byte order;
 * only little-endian files are accepted, so the host must be little-endian too. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "elf.c reads ELF fields natively");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 program header is 56 bytes");

/* The RISC-V base page (priv spec, Sv39): the unit segments are mapped and protected in. */
#define ELF_PAGE_SIZE 4096u

static uint64_t page_up(uint64_t v)
{
	return (v + ELF_PAGE_SIZE - 1) & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static int fail(struct elf_image *out, const char **err, const char *msg)
{
	memset(out, 0, sizeof(*out));
	if (err)
		*err = msg;
	return -1;
}

/* [off, off + len) within a file of size bytes, without computing off + len (it may wrap). */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* Why the ELF header is unacceptable, or NULL. */
static const char *check_header(const struct elf64_ehdr *eh, size_t size)
{
	/* ELF-64 spec, 3.2 "ELF Identification". */
	if (eh->e_ident[0] != ELF_MAG0 || memcmp(&eh->e_ident[1], "ELF", 3) != 0)
		return "ELF: bad magic (not an ELF file)";
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return "ELF: not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)";
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
		return "ELF: not little-endian (EI_DATA is not ELFDATA2LSB)";
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
		return "ELF: unknown ELF version (EI_VERSION or e_version is not EV_CURRENT)";
	/* Relocatable objects, shared objects and PIEs (ET_DYN) would need relocating. */
	if (eh->e_type != ELF_ET_EXEC)
		return "ELF: not an executable (e_type is not ET_EXEC)";
	if (eh->e_machine != ELF_EM_RISCV)
		return "ELF: not a RISC-V executable (e_machine is not EM_RISCV)";
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "ELF: program header entry size (e_phentsize) is not 56";
	/* With PN_XNUM the real count is in section header 0, which is not read. */
	if (eh->e_phnum == ELF_PN_XNUM)
		return "ELF: too many program headers (e_phnum is PN_XNUM)";
	/* e_phnum * 56 cannot overflow: e_phnum is 16 bits. */
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
		return "ELF: program header table extends past the end of the file";
	return NULL;
}

/* Why a non-empty PT_LOAD is unacceptable on its own, or NULL. */
static const char *check_segment(const struct elf64_phdr *ph, size_t size, uint64_t lo,
				 uint64_t hi, unsigned flags)
{
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return "ELF: segment data extends past the end of the file";
	if (!(flags & ELF_TASK_LAYOUT)) {
		if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
			return "ELF: segment wraps around the end of the address space";
		if (ph->p_vaddr < lo || ph->p_vaddr + ph->p_memsz > hi)
			return "ELF: segment outside the address range allowed for the program";
		return NULL;
	}
	/* The psABI only asks p_offset and p_vaddr to be congruent modulo the page size; Vireo's
	 * linker scripts also start every segment on a page, so that no page is shared. */
	if (ph->p_vaddr % ELF_PAGE_SIZE != 0)
		return "ELF: segment address (p_vaddr) not page-aligned";
	if (ph->p_offset % ELF_PAGE_SIZE != ph->p_vaddr % ELF_PAGE_SIZE)
		return "ELF: segment file offset not congruent to its address modulo the page size";
	/* The end, rounded up to a page, must not wrap either. */
	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr ||
	    ph->p_vaddr + ph->p_memsz > UINT64_MAX - (ELF_PAGE_SIZE - 1))
		return "ELF: segment wraps around the end of the address space";
	if (ph->p_vaddr < lo || page_up(ph->p_vaddr + ph->p_memsz) > hi)
		return "ELF: segment outside the address range allowed for the program";
	/* A page both writable and executable would let a memory-safety bug write code. */
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return "ELF: segment both writable and executable (W^X)";
	return NULL;
}

int elf_parse(const void *data, size_t size, uint64_t lo, uint64_t hi, unsigned flags,
	      struct elf_image *out, const char **err)
{
	const uint8_t *file = data;
	struct elf64_ehdr eh;
	const char *msg;

	memset(out, 0, sizeof(*out));
	if (!file)
		return fail(out, err, "ELF: no file");
	if (size < sizeof(eh))
		return fail(out, err, "ELF: file too small for the ELF header");
	memcpy(&eh, file, sizeof(eh));
	msg = check_header(&eh, size);
	if (msg)
		return fail(out, err, msg);

	uint64_t ends[ELF_MAX_SEGMENTS];
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		/* PT_GNU_STACK, PT_RISCV_ATTRIBUTES, PT_NOTE and the like carry nothing to map. */
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(out, err, "ELF: segment larger in the file than in memory "
					      "(p_filesz > p_memsz)");
		/* An empty PT_LOAD maps nothing (ELF-64 spec allows it); leave it out. */
		if (ph.p_memsz == 0)
			continue;
		if (out->nsegments == ELF_MAX_SEGMENTS)
			return fail(out, err, "ELF: too many loadable segments (limit ELF_MAX_SEGMENTS)");
		msg = check_segment(&ph, size, lo, hi, flags);
		if (msg)
			return fail(out, err, msg);
		uint64_t end = page_up(ph.p_vaddr + ph.p_memsz);
		/* Compared at page granularity: two segments in one page would need one mapping
		 * with two sets of permissions. A guest image may share pages as it likes. */
		for (unsigned j = 0; (flags & ELF_TASK_LAYOUT) && j < out->nsegments; j++) {
			if (ph.p_vaddr < ends[j] && out->segments[j].vaddr < end)
				return fail(out, err, "ELF: segments overlap (share a page)");
		}
		ends[out->nsegments] = end;
		out->segments[out->nsegments++] = (struct elf_segment){
			.vaddr = ph.p_vaddr,
			.memsz = ph.p_memsz,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.flags = ph.p_flags,
		};
	}
	if (out->nsegments == 0)
		return fail(out, err, "ELF: no loadable segment (PT_LOAD)");

	for (unsigned i = 0; i < out->nsegments; i++) {
		const struct elf_segment *s = &out->segments[i];
		if ((s->flags & ELF_PF_X) && eh.e_entry >= s->vaddr &&
		    eh.e_entry - s->vaddr < s->memsz) {
			out->entry = eh.e_entry;
			return 0;
		}
	}
	return fail(out, err, "ELF: entry point (e_entry) not inside an executable segment");
}
