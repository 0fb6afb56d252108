"""A vCPU's state wherever it is: in the hart's registers while the guest runs, in the
hart's VS CSRs while the hypervisor handles one of its exits (the VS CSRs stay loaded from
one exit to the next, hv/vcpu.c), or in its struct vcpu. And the guest's memory through its
VS-stage and G-stage tables."""
from . import pagewalk, target
from .target import VireoError

VS_CSRS = ("vsstatus", "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval", "vsatp",
           "vstimecmp")
# In a guest (V=1) QEMU shows the guest's VS-level CSRs under their S-level names; its
# vs* registers then hold what they were at the guest's entry.
LIVE_NAMES = {c: c[1:] for c in VS_CSRS}
# G-stage table formats by the name the kernel gives them (hv/pagetable.c), as hgatp.MODE.
GSTAGE_MODES = {"Sv39x4": 8, "Sv48x4": 9, "Sv57x4": 10}
HGATP_VMID_SHIFT = 44


class VcpuState:
    def __init__(self, host, vcpu, in_guest):
        """in_guest: the hart runs a guest now (V=1)."""
        self.vcpu = vcpu
        self.vm = host.struct("struct vm", vcpu["vm"])
        hart = host.hart_of_thread()
        self.running = in_guest and hart["vcpu"] == vcpu.address
        self.loaded = hart["csr_owner"] == vcpu.address
        if self.running:
            self.xregs, self.pc = target.xregs(), target.register("pc")
            self.where_regs = "live: the guest runs on this hart"
        else:
            self.xregs, self.pc = list(vcpu["regs"]), vcpu["pc"]
            self.where_regs = "saved at its last exit, in struct vcpu"
        self.csrs = {}
        for csr in VS_CSRS:
            live = None
            if self.running:
                live = target.register(LIVE_NAMES[csr])
            elif self.loaded:
                live = target.register(csr)
            self.csrs[csr] = live if live is not None else vcpu[csr]
        self.where_csrs = ("live: the guest runs on this hart" if self.running else
                           "loaded in the hart's VS CSRs" if self.loaded else
                           "saved in struct vcpu")
        self.hgatp = hgatp_of(self.vm)

    @property
    def label(self):
        return f"vm {self.vm['id']} ({self.vm['name']}) vCPU {self.vcpu['index']}"

    def space(self, mem):
        return pagewalk.GuestSpace(self.csrs["vsatp"], self.hgatp, mem.read_u64)


def hgatp_of(vm):
    """The hgatp the hypervisor loads for vm (hv/vcpu.c vs_restore): its G-stage format,
    VMID and root."""
    gstage = vm["gstage"]
    fmt_name = vm.host.read_cstring(vm.host.struct("struct pt_format", gstage["fmt"])["name"])
    if fmt_name not in GSTAGE_MODES:
        raise VireoError(f"vm {vm['id']}: G-stage format {fmt_name!r} is not one tools/gdb knows")
    return (GSTAGE_MODES[fmt_name] << 60) | (vm["vmid"] << HGATP_VMID_SHIFT) | \
        (gstage["root"] >> pagewalk.PAGE_SHIFT)


def find_vcpu(host, vm_id=None, index=None):
    """The vCPU asked for; by default the one this hart runs or handles an exit of."""
    if vm_id is None:
        hart = host.hart_of_thread()
        if not hart["vcpu"]:
            raise VireoError("this hart runs no vCPU now: name one, e.g. `vireo vcpu 1 0` "
                             "(`vireo vms` lists them)")
        return host.struct("struct vcpu", hart["vcpu"])
    vm = host.vm(vm_id)
    vcpus = vm["vcpus"][:vm["nvcpus"]]
    index = 0 if index is None else index
    if not 0 <= index < len(vcpus):
        raise VireoError(f"vm {vm_id} has vCPUs 0 to {len(vcpus) - 1}")
    return vcpus[index]
