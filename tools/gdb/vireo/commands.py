"""The `vireo` commands (docs/debugging.md). Each reads the machine inside one
PhysicalMemory block and prints; anything it cannot do ends in a VireoError, which GDB
prints as one line, never as a Python traceback."""
import gdb

from . import backtrace, exits, pagewalk, target
from .guest import VcpuState, find_vcpu
from .kernel import Host
from .target import PhysicalMemory, VireoError

session = None  # set by session.start(): .symbols (symbols.Symbols), .layout (kernel.Layout)


def _session():
    if session is None:
        raise VireoError("the vireo commands are not set up: start GDB with `make gdb`")
    return session


def _numbers(arg, names, at_most):
    words = gdb.string_to_argv(arg)
    if len(words) > at_most:
        raise VireoError(f"too many arguments: {' '.join(names[:at_most])} at most")
    try:
        return [int(w, 0) for w in words]
    except ValueError:
        raise VireoError(f"expected numbers: {' '.join(names)}") from None


class Command(gdb.Command):
    """A vireo subcommand: run(arg, host, mem) under physical memory access."""
    name = None

    def __init__(self):
        super().__init__(f"vireo {self.name}", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        s = _session()
        try:
            with PhysicalMemory() as mem:
                self.run(arg, Host(s.layout, mem), mem, s)
        except pagewalk.TranslationError as e:
            raise VireoError(f"vireo {self.name}: {e}") from None
        except pagewalk.PhysicalReadError as e:
            raise VireoError(f"vireo {self.name}: {e}") from None
        except gdb.error as e:  # gdb.MemoryError too; the target running, say
            raise VireoError(f"vireo {self.name}: {e}") from None

    def run(self, arg, host, mem, s):
        raise NotImplementedError


class Vireo(gdb.Command):
    """Vireo's commands: the kernel's tasks and VMs, and stacks across host and guests.

vireo tasks             host tasks: id, name, state, pages, the thread on each hart
vireo vms               VMs and their vCPUs
vireo vcpu [VM [VCPU]]  a vCPU's guest registers and VS CSRs (default: this hart's)
vireo guest-bt [VM [VCPU]]  the guest's stack as it trapped, with its own symbols
vireo host-bt           from a stop in a guest: the VM, vCPU, host thread and its stacks
vireo exits [VM]        each vCPU's recent exits (as `hvstat -v` prints them)
vireo task-bt ID        a task's user stack from its saved frame, and its kernel stack
vireo use NAME          puts a program's or guest's symbols in GDB's own view
vireo symbols           the symbol files and which are in GDB's own view
vireo check             checks that the kernel has every field these commands read"""

    def __init__(self):
        super().__init__("vireo", gdb.COMMAND_USER, prefix=True)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise VireoError(f"vireo: no subcommand {arg.split()[0]!r} (type `vireo`)")
        print(self.__doc__)


def _threads(task):
    """The addresses of a task's live threads (struct task's thread[] slots in use)."""
    return [p for p in task["thread"] if p]


class Tasks(Command):
    """Lists Vireo's tasks: id, name, thread state (and why it waits), pages charged, its
program's symbol file, and which one each hart runs."""
    name = "tasks"

    def run(self, arg, host, mem, s):
        _numbers(arg, [], 0)
        running = {h["current"]: h["hartid"] for h in host.harts() if h["current"]}
        print(f"{'id':>4} {'name':<16} {'state':<16} {'pages':>6} {'parent':>6}  symbols")
        for t in host.tasks():
            state = "dead" if t["dead"] else "-"
            threads = _threads(t)
            if threads and not t["dead"]:  # its first thread's state; +n for the others
                th = host.struct("struct thread", threads[0])
                state = host.enum("enum thread_state", th["state"])
                if th["wait"]:
                    state += f" ({host.enum('enum thread_wait', th['wait'])})"
                if threads[0] in running:
                    state += f" *hart {running[threads[0]]}"
                if len(threads) > 1:
                    state += f" +{len(threads) - 1}"
            prog = s.symbols.program_of(t["name"])
            print(f"{t['id']:>4} {t['name']:<16} {state:<16} {t['pages']:>6} {t['parent']:>6}  "
                  f"{prog.path if prog else '(none)'}")


class Vms(Command):
    """Lists the VMs: id, name, owner task, VMID, RAM, and each vCPU's state and pc."""
    name = "vms"

    def run(self, arg, host, mem, s):
        _numbers(arg, [], 0)
        vms = host.vms()
        if not vms:
            print("no VMs")
        hart_vcpus = {h["vcpu"]: h["hartid"] for h in host.harts() if h["vcpu"]}
        for vm in vms:
            owner = host.struct("struct task", vm["owner"])
            stat = vm["stat"]
            print(f"vm {vm['id']} ({vm['name']}): monitor task {owner['id']} ({owner['name']}), "
                  f"VMID {vm['vmid']}, {stat['ram_pages'] >> 8} MiB, {vm['nvcpus']} vCPUs")
            for v in vm["vcpus"][:vm["nvcpus"]]:
                on = f", on hart {hart_vcpus[v.address]}" if v.address in hart_vcpus else ""
                ring = stat["ring"][v["index"]]
                print(f"  vCPU {v['index']}: {host.enum('enum vcpu_state', v['state'])}, "
                      f"pc {v['pc']:#x} (at its last exit), {ring['count']} exits{on}")


def _vcpu_state(arg, host):
    nums = _numbers(arg, ["VM", "VCPU"], 2)
    vcpu = find_vcpu(host, *nums)
    in_guest, _ = target.hart_mode()
    return VcpuState(host, vcpu, in_guest)


class Vcpu(Command):
    """Shows a vCPU's guest registers and VS CSRs, and says where they were read from.
Usage: vireo vcpu [VM [VCPU]]; without arguments, the vCPU this hart runs."""
    name = "vcpu"

    def run(self, arg, host, mem, s):
        st = _vcpu_state(arg, host)
        v = st.vcpu
        print(f"{st.label}: {host.enum('enum vcpu_state', v['state'])}, pc {st.pc:#018x}")
        print(f"registers ({st.where_regs}):")
        names = target.XREG_NAMES
        for i in range(0, 32, 4):
            print("  " + "  ".join(f"{names[j]:>4} {st.xregs[j]:016x}" for j in range(i, i + 4)))
        print(f"VS CSRs ({st.where_csrs}):")
        items = list(st.csrs.items())
        for i in range(0, len(items), 3):
            print("  " + "  ".join(f"{n:>9} {val:016x}" for n, val in items[i:i + 3]))
        print("hypervisor's view (struct vcpu):")
        print(f"  {'hstatus':>9} {v['hstatus']:016x}  {'hvip':>9} {v['hvip']:016x}  "
              f"{'hgatp':>9} {st.hgatp:016x}")
        print(f"  last exit: scause {v['scause']:#x} stval {v['stval']:#x} htval {v['htval']:#x} "
              f"htinst {v['htinst']:#x}")


class GuestBt(Command):
    """The guest's stack as it was when it last trapped (or as it is, when stopped in the
guest), with the guest's symbols: its registers from the vCPU, its memory translated
through its page tables (vsatp: Sv39, Sv48 or Sv57, or none) and the VM's G-stage (hgatp).
Usage: vireo guest-bt [VM [VCPU]]; without arguments, the vCPU this hart runs."""
    name = "guest-bt"

    def run(self, arg, host, mem, s):
        st = _vcpu_state(arg, host)
        space = st.space(mem)
        print(f"{st.label}, pc {st.pc:#x} sp {st.xregs[2]:#x}; guest MMU {space.mode}, "
              f"G-stage hgatp {st.hgatp:#x}")
        try:
            snap = backtrace.Snapshot(space, mem.read, st.pc, st.xregs)
        except VireoError as e:
            raise VireoError(f"vireo guest-bt: {st.label}: {e}") from None
        symbols = s.symbols.guest_for(st.vm["name"], st.pc)
        if symbols is None:
            print(f"(no symbols for {st.vm['name']}: `make gdb GUEST=path` adds a guest's)")
        print(backtrace.backtrace(snap, symbols), end="")


class HostBt(Command):
    """From a stop in a guest: which VM and vCPU this hart runs, the host thread that runs
it (the monitor's), the host kernel's stack as it entered the guest, what the monitor was
last doing in user mode, and the vCPU's last exits."""
    name = "host-bt"

    def run(self, arg, host, mem, s):
        _numbers(arg, [], 0)
        hart = host.hart_of_thread()
        in_guest, priv = target.hart_mode()
        where = "in a guest (V=1)" if in_guest else ("in host U-mode" if priv == 0 else
                                                    "in the host kernel")
        print(f"hart {hart['hartid']}: {where}")
        if hart["vcpu"]:
            vcpu = host.struct("struct vcpu", hart["vcpu"])
            st = VcpuState(host, vcpu, in_guest)
            print(f"{st.label}, guest pc {st.pc:#x}")
        elif in_guest:
            raise VireoError("the hart is in a guest but the kernel names no vCPU on it "
                             "(struct hart.vcpu)")
        if not hart["current"]:
            print("host thread: none (the hart is in its idle loop)")
            return
        th = host.struct("struct thread", hart["current"])
        task = host.struct("struct task", th["task"])
        print(f"host thread {th['id']} of task {task['id']} ({task['name']}), "
              f"{host.enum('enum thread_state', th['state'])}")
        kernel = s.symbols.kernel
        if hart["vcpu"] and in_guest:
            v = st.vcpu
            xregs = [0] * 32
            xregs[1], xregs[2], xregs[4] = v["host_ra"], v["host_sp"], v["host_tp"]
            for i, r in enumerate(v["host_s"]):
                xregs[8 + i if i < 2 else 16 + i] = r  # s0-s1 are x8-x9, s2-s11 x18-x27
            print("the host kernel's stack, as it entered the guest (#0 is where it goes on "
                  "when the guest exits):")
            snap = backtrace.Snapshot(host, mem.read, v["host_ra"], xregs,
                                      _kernel_stack_top(host, th))
            print(backtrace.backtrace(snap, kernel), end="")
        else:
            print("the host kernel's stack is the hart's own: GDB's `bt` shows it")
        print(f"what {task['name']} was last doing (its registers as it entered the kernel):")
        print(_user_bt(host, mem, s, task, th), end="")
        if hart["vcpu"]:
            lines = _ring_lines(vcpu["index"], st.vm["stat"]["ring"][vcpu["index"]])
            print(f"its last exits (`vireo exits {st.vm['id']}` for all it keeps):")
            print("\n".join(lines[max(1, len(lines) - 5):]))


def _kernel_stack_top(host, th):
    """A thread's user frame sits at the top of its kernel stack (task.h)."""
    frame_type = host.layout.types["struct user_frame"]
    return (th["frame"] + frame_type.sizeof + pagewalk.PAGE_SIZE - 1) & \
        ~(pagewalk.PAGE_SIZE - 1)


def _user_stack_end(host, task, sp):
    for m in task["mappings"]:
        if m["npages"] and m["va"] <= sp < m["va"] + (m["npages"] << pagewalk.PAGE_SHIFT):
            return m["va"] + (m["npages"] << pagewalk.PAGE_SHIFT)
    return None


def _user_bt(host, mem, s, task, th, live=False):
    if live:
        pc, xregs = target.register("pc"), target.xregs()
    else:
        frame = host.struct("struct user_frame", th["frame"])
        pc, xregs = frame["sepc"], list(frame["regs"])
    space = pagewalk.HostSpace(task["satp"], mem.read_u64, f"{task['name']} address")
    snap = backtrace.Snapshot(space, mem.read, pc, xregs, _user_stack_end(host, task, xregs[2]))
    prog = s.symbols.program_of(task["name"])
    text = "" if prog else f"(no symbols for {task['name']})\n"
    return text + backtrace.backtrace(snap, prog)


class TaskBt(Command):
    """A task's stacks: the user stack from the registers its thread saved when it last
entered the kernel (or the live ones if it runs in U-mode now), with its program's symbols,
then the kernel stack it is switched out on. Usage: vireo task-bt ID (`vireo tasks`)."""
    name = "task-bt"

    def run(self, arg, host, mem, s):
        nums = _numbers(arg, ["ID"], 1)
        if not nums:
            raise VireoError("usage: vireo task-bt ID (`vireo tasks` lists the ids)")
        task = host.task(nums[0])
        threads = _threads(task)
        if task["dead"] or not threads:
            raise VireoError(f"task {task['id']} ({task['name']}) has no thread: it has ended")
        th = host.struct("struct thread", threads[0])  # its first live thread
        in_guest, priv = target.hart_mode()
        on_hart = any(h["current"] == th.address for h in host.harts())
        here = host.hart_of_thread()["current"] == th.address
        live_user = here and not in_guest and priv == 0
        print(f"task {task['id']} ({task['name']}), thread {th['id']}, "
              f"{host.enum('enum thread_state', th['state'])}")
        print("user stack" + (" (live: it runs in U-mode now):" if live_user else
                              " (from its saved frame):"))
        print(_user_bt(host, mem, s, task, th, live_user), end="")
        if on_hart:
            print("kernel stack: it runs on a hart now; GDB's `bt` shows that hart's")
            return
        ctx = th["ctx"]
        xregs = [0] * 32
        xregs[1], xregs[2] = ctx["ra"], ctx["sp"]
        for i, r in enumerate(ctx["s"]):
            xregs[8 + i if i < 2 else 16 + i] = r
        print("kernel stack (where it was switched out):")
        snap = backtrace.Snapshot(host, mem.read, ctx["ra"], xregs, _kernel_stack_top(host, th))
        print(backtrace.backtrace(snap, s.symbols.kernel), end="")


def _ring_lines(index, ring):
    records = [(r["scause"], r["pc"], r["detail"]) for r in ring["recent"]]
    return exits.ring_lines(index, ring["count"], records)


class Exits(Command):
    """Each vCPU's ring of recent exits, kept by the hypervisor (hv/exit.c), in the lines
`hvstat -v` prints. Usage: vireo exits [VM]."""
    name = "exits"

    def run(self, arg, host, mem, s):
        nums = _numbers(arg, ["VM"], 1)
        vms = [host.vm(nums[0])] if nums else host.vms()
        if not vms:
            print("no VMs")
        for vm in vms:
            print(f"vm {vm['id']} ({vm['name']}):")
            for v in vm["vcpus"][:vm["nvcpus"]]:
                print("\n".join(_ring_lines(v["index"], vm["stat"]["ring"][v["index"]])))


class Use(gdb.Command):
    """Puts a symbol file in GDB's own view (bt, break, list in inferior 1): a program's,
which all share one address, or a guest's that overlaps the kernel (its symbols then stand
in for the kernel's until `vireo use kernel`). Usage: vireo use NAME (`vireo symbols`)."""

    def __init__(self):
        super().__init__("vireo use", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) != 1:
            raise VireoError("usage: vireo use NAME (`vireo symbols` lists them)")
        print(_session().symbols.use(words[0]))


class SymbolsCmd(gdb.Command):
    """Lists the symbol files: name, kind, file, where it loads, and whether GDB's own
commands (inferior 1) see it."""

    def __init__(self):
        super().__init__("vireo symbols", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        sym = _session().symbols
        loaded = {o.filename for o in gdb.current_progspace().objfiles()}
        for f in sym.all():
            where = ", ".join(f"{a:#x}-{b:#x}" for a, b in f.ranges[:1])
            view = "in use" if f.path in loaded else "-"
            print(f"{f.name:<16} {f.kind:<8} {view:<7} {where}  {f.path}")


class Check(gdb.Command):
    """Checks that every type, field, variable and enumeration the vireo commands read is in
the kernel's debug information (tools/gdb/vireo/kernel.py lists them)."""

    def __init__(self):
        super().__init__("vireo check", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        from .kernel import ENUMS, NEEDS, STATICS
        _session().layout.check()
        fields = sum(len(f) for f in NEEDS.values())
        print(f"vireo check: the kernel has all {len(NEEDS)} types, {fields} fields, "
              f"{len(STATICS)} variables and {len(ENUMS)} enumerations the commands read")


class InGuest(gdb.Function):
    """$vireo_in_guest(): 1 when the hart runs a guest (V=1), else 0. A guest that overlaps
the kernel shares its addresses, so its breakpoints want it as their condition:
  break legacy_puts if $vireo_in_guest()"""

    def __init__(self):
        super().__init__("vireo_in_guest")

    def invoke(self):
        return 1 if target.hart_mode()[0] else 0


class TaskName(gdb.Function):
    """$vireo_task(): the name of the task whose thread this hart runs ("" in the idle
loop). Programs share their addresses, so a breakpoint in one wants it as its condition:
  break cmd_hvstat if $_streq($vireo_task(), "shell")"""

    def __init__(self):
        super().__init__("vireo_task")

    def invoke(self):
        with PhysicalMemory() as mem:
            host = Host(_session().layout, mem)
            current = host.hart_of_thread()["current"]
            if not current:
                return gdb.Value("")
            task = host.struct("struct task", host.struct("struct thread", current)["task"])
            return gdb.Value(task["name"])


def register():
    InGuest()
    TaskName()
    Vireo()
    for cls in (Tasks, Vms, Vcpu, GuestBt, HostBt, TaskBt, Exits):
        cls()
    Use()
    SymbolsCmd()
    Check()
