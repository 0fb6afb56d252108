"""`make bench`'s network figures (tools/bench.py): the same Linux guest booted by Vireo and
by QEMU itself, each with QEMU's virtio-net on its user network, in back-to-back pairs.
Measured in the guest's own clock (/proc/uptime): TCP bulk to and from a peer on the host's
127.0.0.1 with busybox nc, and requests per second of the guest's httpd from a bounded loop
on the host, through the port forward. For Vireo, the VM exits and injected interrupts per
MiB moved, from hvstat around the two transfers."""
import os
import re
import socket
import statistics
import threading
import time
import urllib.request

BULK_MIB = 16
HTTP_REQUESTS = 200
NET_PAIRS = 3
LINUX_PROMPT = "vireo:/# "


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """A TCP peer on the host's 127.0.0.1: it sends BULK_MIB MiB to whoever connects to
    `source` and takes as much from whoever connects to `sink`."""

    def __init__(self):
        self.source, self.sink = (self._listen(self._send), self._listen(self._swallow))

    def _listen(self, serve):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        s.settimeout(None)
        threading.Thread(target=self._accept, args=(s, serve), daemon=True).start()
        return s.getsockname()[1]

    @staticmethod
    def _accept(s, serve):
        while True:
            conn, _ = s.accept()
            with conn:
                serve(conn)

    @staticmethod
    def _send(conn):
        block = bytes(64 * 1024)
        for _ in range(BULK_MIB * 16):
            conn.sendall(block)

    @staticmethod
    def _swallow(conn):
        # Closes once all has come: busybox nc (1.10-compatible) ends at the peer's EOF, not
        # at its own stdin's.
        left = BULK_MIB << 20
        while left > 0:
            got = conn.recv(1 << 16)
            if not got:
                break
            left -= len(got)


def guest(child, command, timeout=120):
    child.send(command + "\r")
    child.expect(LINUX_PROMPT, timeout=timeout)
    return child.before


def timed(child, command):
    """Guest seconds that command took, by the guest's /proc/uptime."""
    child.send(f"a=$(cut -d' ' -f1 /proc/uptime); {command}; "
               "b=$(cut -d' ' -f1 /proc/uptime); echo took $a $b\r")
    child.expect(r"took ([\d.]+) ([\d.]+)\r*\n", timeout=300)
    start, end = (float(t) for t in child.match.groups())
    child.expect(LINUX_PROMPT)
    return max(end - start, 0.01)


def wait_for_address(child):
    guest(child, "for i in $(seq 100); do ip -4 addr show eth0 | grep -q inet && break; "
                 "sleep 0.2; done")


def http_rate(port):
    """Requests per second from the host, HTTP_REQUESTS of them one after another."""
    url = f"http://127.0.0.1:{port}/"
    for _ in range(40):  # the forward answers once httpd listens
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            time.sleep(0.25)
    start = time.monotonic()
    for _ in range(HTTP_REQUESTS):
        with urllib.request.urlopen(url, timeout=10) as r:
            r.read()
    return HTTP_REQUESTS / (time.monotonic() - start)


def bulk(child, peer):
    """Bytes per second from and to the host."""
    down = timed(child, f"nc 10.0.2.2 {peer.source} < /dev/null > /dev/null")
    up = timed(child, f"dd if=/dev/zero bs=64k count={BULK_MIB * 16} 2>/dev/null | "
                      f"nc 10.0.2.2 {peer.sink}")
    return (BULK_MIB << 20) / down, (BULK_MIB << 20) / up


def httpd(child, forward):
    guest(child, "mkdir -p /www && echo ok > /www/index.html && httpd -p 80 -h /www")
    return http_rate(forward)


def exits_and_interrupts(stats):
    causes = re.findall(r"^  ([a-z][A-Za-z ():]*?)\s+(\d+)\r*$", stats, re.M)
    injected = re.search(r"interrupts injected: timer (\d+), external (\d+)", stats)
    return sum(int(n) for _, n in causes), int(injected.group(2)) if injected else 0


ICOUNT = ["--", "-icount", "shift=0,sleep=off"]


def native_boot(spawn, linux, ram, forward, extra=()):
    child = spawn(["--kernel", os.path.join(linux, "Image"), "--mem", ram, "--net", str(forward),
                   "--initrd", os.path.join(linux, "initramfs.cpio.gz"),
                   "--append", "console=hvc0 earlycon=sbi quiet", *extra])
    try:
        child.expect(LINUX_PROMPT)
        wait_for_address(child)
    except BaseException:
        child.terminate(force=True)
        raise
    return child


def native_run(spawn, linux, ram, peer):
    forward = free_port()
    child = native_boot(spawn, linux, ram, forward)
    try:
        return (*bulk(child, peer), httpd(child, forward))
    finally:
        child.terminate(force=True)


def vireo_boot(spawn, prompt, forward, extra=()):
    child = spawn(["--net", str(forward), *extra])
    try:
        child.expect(prompt)
        child.send("linux quiet\r")
        child.expect(LINUX_PROMPT)
        wait_for_address(child)
    except BaseException:
        child.terminate(force=True)
        raise
    return child


def icount_bulk(child, peer):
    """Bytes per instruction-second from and to the host, under -icount, of a guest booted
    (at its prompt, with its address)."""
    try:
        return bulk(child, peer)
    finally:
        child.terminate(force=True)


def vireo_run(spawn, shell_command, prompt, peer):
    forward = free_port()
    child = vireo_boot(spawn, prompt, forward)
    try:
        def hvstat():
            child.send("\x1d")
            child.expect(prompt)
            stats = shell_command(child, "hvstat")
            child.send("vm attach 1\r")
            guest(child, "")
            return exits_and_interrupts(stats)
        exits0, irqs0 = hvstat()
        down, up = bulk(child, peer)
        exits1, irqs1 = hvstat()
        mib = 2 * BULK_MIB
        return (down, up, httpd(child, forward)), (exits1 - exits0) / mib, (irqs1 - irqs0) / mib
    finally:
        child.terminate(force=True)


def net_figures(spawn, shell_command, prompt, linux, ram):
    peer = Peer()
    native, vireo = [], []
    for i in range(NET_PAIRS):
        runs = [lambda: native.append(native_run(spawn, linux, ram, peer)),
                lambda: vireo.append(vireo_run(spawn, shell_command, prompt, peer))]
        for run in runs if i % 2 == 0 else reversed(runs):
            run()
    figures = {}
    for k, name, unit in ((0, "tcp_from_host", "bytes/s"), (1, "tcp_to_host", "bytes/s"),
                          (2, "httpd", "requests/s")):
        n = statistics.median(r[k] for r in native)
        v = statistics.median(r[0][k] for r in vireo)
        figures[f"linux_net_{name}_native_median"] = (n, unit)
        figures[f"linux_net_{name}_vireo_median"] = (v, unit)
        figures[f"linux_net_{name}_ratio"] = (v / n, "x")
    native_icount = icount_bulk(native_boot(spawn, linux, ram, free_port(), ICOUNT), peer)
    vireo_icount = icount_bulk(vireo_boot(spawn, prompt, free_port(), ICOUNT), peer)
    for k, name in ((0, "tcp_from_host"), (1, "tcp_to_host")):
        figures[f"linux_net_{name}_icount_ratio"] = (vireo_icount[k] / native_icount[k], "x")
    figures["linux_net_bulk_exits_per_mib"] = (statistics.median(e for _, e, _ in vireo), "exits")
    figures["linux_net_bulk_interrupts_per_mib"] = (statistics.median(n for _, _, n in vireo),
                                                    "interrupts")
    return figures
