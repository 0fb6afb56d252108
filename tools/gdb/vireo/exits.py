"""The lines of a vCPU's ring of recent exits (struct vireo_vm_exit_ring), exactly as
`hvstat -v` prints them (servers/shell/exits.c), so that one reads the other's. Pure."""

SCAUSE_INTERRUPT = 1 << 63
IRQ_S_TIMER, IRQ_S_EXTERNAL = 5, 9
EXC_ECALL_VS = 10
EXC_INST_GUEST_PAGE_FAULT, EXC_LOAD_GUEST_PAGE_FAULT = 20, 21
EXC_VIRTUAL_INST, EXC_STORE_GUEST_PAGE_FAULT = 22, 23
GUEST_PAGE_FAULTS = {EXC_INST_GUEST_PAGE_FAULT: "fetch", EXC_LOAD_GUEST_PAGE_FAULT: "load",
                     EXC_STORE_GUEST_PAGE_FAULT: "store"}
SBI_NAMES = {0x10: "base", 0x54494D45: "time", 0x735049: "ipi", 0x52464E43: "rfence",
             0x48534D: "hsm", 0x53525354: "srst", 0x4442434E: "dbcn"}


def sbi_name(eid):
    return "legacy" if eid < 0x10 else SBI_NAMES.get(eid, "unknown")


def describe(scause, detail):
    code = scause & ~SCAUSE_INTERRUPT
    if scause & SCAUSE_INTERRUPT:
        return {IRQ_S_TIMER: "host timer interrupt",
                IRQ_S_EXTERNAL: "host external interrupt"}.get(code, f"host interrupt {code}")
    if code == EXC_ECALL_VS:
        eid, fid = detail >> 32, detail & 0xFFFFFFFF
        return f"sbi {sbi_name(eid)} (eid {eid:x}) fid {fid}"
    if code in GUEST_PAGE_FAULTS:
        return f"{GUEST_PAGE_FAULTS[code]} guest-page fault at gpa {detail:x}"
    if code == EXC_VIRTUAL_INST:
        return f"virtual instruction {detail:08x}"
    return f"trap scause {scause:x} stval {detail:x}"


def ring_lines(vcpu, count, records):
    """records: the ring's (scause, pc, detail) in slot order, as many as it has slots."""
    size = len(records)
    kept = min(count, size)
    lines = [f"  vCPU {vcpu}: {count} exits, the last {kept} oldest first:"]
    for n in range(count - kept, count):
        scause, pc, detail = records[n % size]
        lines.append(f"    #{n + 1} pc {pc:016x} {describe(scause, detail)}")
    return lines
