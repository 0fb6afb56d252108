#include "exits.h"

#include "vireo.h"

#define SCAUSE_INTERRUPT (1ul << 63)
/* Priv spec table 8.6 (scause values with the H extension). */
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9
#define EXC_ECALL_VS 10
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INST 22
#define EXC_STORE_GUEST_PAGE_FAULT 23

/* SBI spec 2.0 chapter 3 onwards: the extensions Vireo emulates, by their ids. */
static const char *sbi_name(uint64_t eid)
{
	static const struct { uint64_t eid; const char *name; } names[] = {
		{ 0x10, "base" }, { 0x54494d45, "time" }, { 0x735049, "ipi" },
		{ 0x52464e43, "rfence" }, { 0x48534d, "hsm" }, { 0x53525354, "srst" },
		{ 0x4442434e, "dbcn" },
	};
	if (eid < 0x10)
		return "legacy";
	for (unsigned i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (names[i].eid == eid)
			return names[i].name;
	return "unknown";
}

static void print_record(uint64_t n, const struct vireo_vm_exit_record *r)
{
	uint64_t code = r->scause & ~SCAUSE_INTERRUPT;
	printf("    #%lu pc %016lx ", n, r->pc);
	if (r->scause & SCAUSE_INTERRUPT && code == IRQ_S_TIMER)
		printf("host timer interrupt\n");
	else if (r->scause & SCAUSE_INTERRUPT && code == IRQ_S_EXTERNAL)
		printf("host external interrupt\n");
	else if (r->scause & SCAUSE_INTERRUPT)
		printf("host interrupt %lu\n", code);
	else if (code == EXC_ECALL_VS)
		printf("sbi %s (eid %lx) fid %lu\n", sbi_name(r->detail >> 32), r->detail >> 32,
		       r->detail & 0xffffffffu);
	else if (code == EXC_INST_GUEST_PAGE_FAULT || code == EXC_LOAD_GUEST_PAGE_FAULT ||
		 code == EXC_STORE_GUEST_PAGE_FAULT)
		printf("%s guest-page fault at gpa %lx\n",
		       code == EXC_INST_GUEST_PAGE_FAULT ? "fetch" :
		       code == EXC_LOAD_GUEST_PAGE_FAULT ? "load" : "store", r->detail);
	else if (code == EXC_VIRTUAL_INST)
		printf("virtual instruction %08lx\n", r->detail);
	else
		printf("trap scause %lx stval %lx\n", r->scause, r->detail);
}

void print_exit_ring(unsigned vcpu, const struct vireo_vm_exit_ring *ring)
{
	uint64_t kept = ring->count < VIREO_VM_EXIT_RING ? ring->count : VIREO_VM_EXIT_RING;
	printf("  vCPU %u: %lu exits, the last %lu oldest first:\n", vcpu, ring->count, kept);
	for (uint64_t n = ring->count - kept; n < ring->count; n++)
		print_record(n + 1, &ring->recent[n % VIREO_VM_EXIT_RING]);
}
