"""`make gdb`'s start (tools/gdb.sh passes what to load in the environment): loads every
symbol file, connects to QEMU's gdbstub, registers the commands, and after each stop says
whose symbols the stopped code needs when GDB's own view lacks them."""
import glob
import os
import time

import gdb

from . import commands, target
from .kernel import Layout
from .symbols import Symbols


class Session:
    def __init__(self, symbols, layout):
        self.symbols, self.layout = symbols, layout


def _hint_on_stop(event):
    """A stop in a task's U-mode or in a guest whose symbols GDB's own view has not: say
    which `vireo use` gives them. Never lets a failure here spoil the stop."""
    s = commands.session
    try:
        in_guest, priv = target.hart_mode()
        if not in_guest and priv != 0:
            return
        with target.PhysicalMemory() as mem:
            from .kernel import Host
            host = Host(s.layout, mem)
            hart = host.hart_of_thread()
            if in_guest and hart["vcpu"]:
                vcpu = host.struct("struct vcpu", hart["vcpu"])
                vm = host.struct("struct vm", vcpu["vm"])
                f = s.symbols.guest_for(vm["name"], target.register("pc"))
                what = f"vm {vm['id']} ({vm['name']}) vCPU {vcpu['index']}"
            elif not in_guest and hart["current"]:
                th = host.struct("struct thread", hart["current"])
                task = host.struct("struct task", th["task"])
                f = s.symbols.program_of(task["name"])
                what = f"task {task['id']} ({task['name']}) in U-mode"
            else:
                return
        if f and f.name not in s.symbols.in_use:
            print(f"vireo: stopped in {what}: `vireo use {f.name}` for its symbols in bt")
        elif f:
            print(f"vireo: stopped in {what}")
    except (gdb.error, target.VireoError):
        pass


def start():
    t0 = time.monotonic()
    root = os.environ["VIREO_ROOT"]
    kernel = os.environ.get("VIREO_KERNEL", os.path.join(root, "build", "vireo.elf"))
    programs = sorted(glob.glob(os.path.join(root, "build", "user", "*.elf")))
    guests = []
    vmlinux = os.path.join(root, "build", "linux", "vmlinux")
    if os.path.exists(vmlinux):
        guests.append(vmlinux)
    guests += [g for g in os.environ.get("VIREO_GUESTS", "").split(":") if g]
    for path in [kernel, *guests]:
        if not os.path.exists(path):
            raise gdb.GdbError(f"vireo: {path} does not exist")
    symbols = Symbols(kernel, programs, guests)
    symbols.load()
    layout = Layout(symbols.kernel.path)
    commands.session = Session(symbols, layout)
    commands.register()
    port = os.environ.get("VIREO_GDB_PORT")
    if port:
        gdb.execute(f"target remote localhost:{port}")
    gdb.events.stop.connect(_hint_on_stop)
    names = ", ".join(symbols.programs)
    guest_names = ", ".join(g.name for g in symbols.guests) or "none (make gdb GUEST=path)"
    print(f"vireo: symbols of the kernel, {len(symbols.programs)} programs ({names}) and "
          f"guests: {guest_names}; loaded in {time.monotonic() - t0:.2f} s. "
          f"Type `vireo` for its commands.")
    if layout.missing:
        print(f"vireo: warning: {layout.missing} missing from the kernel's debug information: "
              f"`vireo check` says more")
