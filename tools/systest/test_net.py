"""Issue 12, the network: QEMU's NIC on its user network (tools/qemu.sh --net), Vireo's
virtio-net driver and network server, and the monitor's virtio-net in each guest. A Linux
guest gets its address by DHCP, fetches from a server on the host's loopback, and serves the
host through the port forward; a guest that sends as another MAC or sends jumbo frames is
refused and keeps working; guests reach each other through the switch, and only the guest a
frame is for sees it. Each test picks free host ports of its own."""
import hashlib
import http.server
import re
import socket
import threading
import time
import urllib.request

import pytest

from conftest import TEST_BOOTFS, free_pages, number
from test_linux import GUEST_PROMPT, boot_linux, guest, power_off


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def host_server():
    """An HTTP server on the host's 127.0.0.1 that answers every GET with its body; the
    guest reaches it at 10.0.2.2 (QEMU's user network maps that to the host's loopback)."""
    body = b"served by the host to Vireo's guest\n"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], body.decode()
    server.shutdown()
    server.server_close()


def boot_shell(boot, port):
    m = boot(initrd=TEST_BOOTFS, disk=None, net=port)
    m.prompt(timeout=30)
    return m


def wait_for_address(shell):
    """The address udhcpc set up in the background at boot, once it is there."""
    return guest(shell, "for i in $(seq 150); do ip -4 addr show eth0 | grep -q inet && break; "
                        "sleep 0.2; done; ip -4 addr show eth0", timeout=60)


def fetch(url, tries=20):
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing answered at {url}")


def test_dhcp_then_wget_from_the_host_and_httpd_for_it(boot, host_server):
    port, body = host_server
    forward = free_port()
    shell = boot_shell(boot, forward)
    boot_linux(shell)
    addr = wait_for_address(shell)
    assert "inet 10.0.2.15/24" in addr, addr
    assert guest(shell, "cat /sys/class/net/eth0/address").strip() == "02:56:69:72:65:01"
    assert "default via 10.0.2.2 dev eth0" in guest(shell, "ip route")
    assert "nameserver 10.0.2.3" in guest(shell, "cat /etc/resolv.conf")
    got = guest(shell, f"wget -q -O - http://10.0.2.2:{port}/anything")
    assert got.strip() == body.strip(), got
    guest(shell, "mkdir -p /www && echo served by the guest > /www/index.html && "
                 "httpd -p 80 -h /www")
    assert fetch(f"http://127.0.0.1:{forward}/") == "served by the guest\n"
    # A megabyte from the guest's httpd, whole.
    guest(shell, "dd if=/dev/urandom of=/www/blob bs=64k count=16 2>/dev/null")
    sums = guest(shell, "md5sum /www/blob").split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{forward}/blob", timeout=30) as r:
        assert hashlib.md5(r.read()).hexdigest() == sums
    # hvstat counts the device's frames and bytes: the megabyte went out in some 700 frames.
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    stats = re.search(rf"vm {vm} \(Image\) virtio-net: (\d+) requests, (\d+) bytes, "
                      r"(\d+) notifications, (\d+) interrupts, (\d+) errors", shell.run("hvstat"))
    assert stats and int(stats.group(1)) >= 700 and int(stats.group(2)) >= 1 << 20, stats
    assert int(stats.group(3)) > 0 and int(stats.group(4)) > 0 and stats.group(5) == "0"
    shell.send(f"vm attach {vm}\r")
    shell.send("\r")
    shell.expect(GUEST_PROMPT)
    power_off(shell)
    # A guest's port goes with it, and every page comes back (the monitor's buffers for
    # frames stay from the first guest): the next guest gets the same MAC and address.
    before = free_pages(shell)
    boot_linux(shell)
    assert "inet 10.0.2.15/24" in wait_for_address(shell)
    got = guest(shell, f"wget -q -O - http://10.0.2.2:{port}/again")
    assert got.strip() == body.strip(), got
    power_off(shell)
    assert free_pages(shell) == before
    assert shell.run("echo alive") == "alive"


def test_spoofed_source_and_jumbo_frames_are_refused_and_the_guest_goes_on(boot, host_server):
    port, body = host_server
    shell = boot_shell(boot, free_port())
    boot_linux(shell)
    wait_for_address(shell)
    # Another guest's MAC, then one of nobody's: the network server refuses every frame.
    for mac in ("02:56:69:72:65:02", "02:00:00:00:00:01"):
        shell.send(f"ifconfig eth0 hw ether {mac}; ping -c 1 -W 2 10.0.2.2\r")
        shell.expect(rf"virtio-net: a frame from source MAC {mac}, not the guest's "
                     r"02:56:69:72:65:01: refused \((\d+) so far\)")
        shell.expect("100% packet loss")
        shell.expect(GUEST_PROMPT)
    guest(shell, "ifconfig eth0 hw ether 02:56:69:72:65:01")
    assert " 0% packet loss" in guest(shell, "ping -c 1 -W 5 10.0.2.2", timeout=30)
    # A 9000-byte frame (MTU 9000, which the device never offered): dropped, counted.
    shell.send("ip link set eth0 mtu 9000; ping -c 1 -W 2 -s 8958 10.0.2.2\r")
    shell.expect(r"virtio-net: a frame longer than 1514 bytes \(MTU 1500\), 9000 bytes: "
                 r"dropped \(1 so far\)")
    shell.expect(GUEST_PROMPT)
    guest(shell, "ip link set eth0 mtu 1500")
    got = guest(shell, f"wget -q -O - http://10.0.2.2:{port}/after")
    assert got.strip() == body.strip(), got
    power_off(shell)
    assert shell.run("echo alive") == "alive"


def test_guests_greet_each_other_and_see_only_their_own_frames(boot):
    """Three bare-metal guests (guest/tests/net-peer.c) at once: each misuses its device
    (hostile offload headers among it), then says hello to all by broadcast and replies to
    each hello by unicast. Each must hear both from both others, and
    none a unicast frame meant for another (it would say FAIL). Linux guests are not used:
    a second Linux guest does not reach its prompt while another runs (issue 13)."""
    shell = boot_shell(boot, free_port())
    for n in (1, 2, 3):
        shell.send("vm run /boot/guest/net-peer.elf\r")
        shell.expect(rf"net-peer: mac 02:56:69:72:65:0{n}")
        if n == 3:  # the replies of the two others, in either order
            got = {shell.expect(r"reply from 02:56:69:72:65:0([12])", timeout=10).group(1)
                   for _ in range(2)}
            assert got == {"1", "2"}, got
        shell.send("\x1d")
        shell.prompt()
    for vm in (1, 2, 3):
        shell.send(f"vm attach {vm}\r")
        time.sleep(1)
        shell.send("\x1d")
        shell.prompt()
    everything = shell.output()
    # Each guest prints a peer's first hello and first reply once: two of each per guest,
    # from the two others, and none of its own (the switch never sends a frame back).
    for peer in (1, 2, 3):
        for what in ("hello", "reply"):
            seen = everything.count(f"net-peer: {what} from 02:56:69:72:65:0{peer}")
            assert seen == 2, (peer, what, everything)
    assert "FAIL" not in everything, everything
    # Each guest's misuse first: a stranger's source MAC refused, a 2000-byte frame dropped,
    # a device-writable transmit buffer answered with DEVICE_NEEDS_RESET; each went on.
    assert len(re.findall(r"source MAC 02:00:00:00:00:99, not the guest's", everything)) == 3
    assert everything.count("a frame longer than 1514 bytes (MTU 1500), 2000 bytes: "
                            "dropped (1 so far)") == 3
    assert everything.count("a device-writable buffer in a transmitted packet; the device "
                            "needs a reset") == 3
    assert everything.count("PASS: the device works again after a reset") == 3
    # Then headers asking for what no driver may: each dropped and counted by the monitor,
    # or (a segmentation of a frame that is no TCP) refused by the network server.
    for n, what, size in ((2, "a segment size no 1514-byte frame carries", 3000),
                          (3, "a checksum offload outside the frame", 60),
                          (4, "a segmentation offload, which was not negotiated", 3000)):
        assert everything.count(f"virtio-net: {what}, {size} bytes: dropped ({n} so far)") == 3
    assert everything.count("virtio-net: the network server refused a frame: "
                            "invalid argument") == 3, everything
    assert everything.count("PASS: the device works on after hostile offload headers") == 3
    stats = shell.run("hvstat")
    errors = re.findall(r"\(net-peer.elf\) virtio-net: \d+ requests, \d+ bytes, \d+ "
                        r"notifications, \d+ interrupts, (\d+) errors", stats)
    assert len(errors) == 3 and all(int(e) >= 4 for e in errors), stats
    for vm in (1, 2, 3):
        shell.run(f"vm kill {vm}")
    assert "net-peer" not in shell.run("vm list")
    assert shell.run("echo alive") == "alive"


def test_without_a_nic_the_guest_has_only_loopback(boot):
    shell = boot(initrd=TEST_BOOTFS, disk=None)
    shell.prompt(timeout=30)
    boot_linux(shell)
    assert guest(shell, "echo /sys/class/net/*").split() == ["/sys/class/net/lo"]
    assert "No such file" in guest(shell, "cat /tmp/udhcpc.log 2>&1")
    power_off(shell)


def test_other_tasks_get_nothing_of_the_network(boot):
    shell = boot_shell(boot, free_port())
    out = shell.run("run /boot/test/net-thief")
    assert "net-thief: all refused" in out, out
    assert "WRONG" not in out, out
    # The services run on: a guest gets its address.
    boot_linux(shell)
    assert "inet 10.0.2.15/24" in wait_for_address(shell)
    power_off(shell)


def test_ports_of_a_monitor_that_ended_are_given_again(boot):
    """The network server frees the ports of a VM monitor that ended, so that the next
    monitor's guests get their MACs from the first again."""
    from test_vmm_loss import kill_vmm
    shell = boot_shell(boot, free_port())
    for n in (1, 2):
        shell.send("vm run /boot/guest/net-peer.elf\r")
        shell.expect(rf"net-peer: mac 02:56:69:72:65:0{n}")
        shell.send("\x1d")
        shell.prompt()
    kill_vmm(shell)
    shell.expect(r"lost: the VM monitor ended")
    shell.expect(r"lost: the VM monitor ended")
    shell.prompt()
    shell.send("vm run /boot/guest/net-peer.elf\r")
    shell.expect(r"net-peer: mac 02:56:69:72:65:01")
    vm = shell.expect(r"\[vm (\d+) \(net-peer.elf\)").group(1)
    shell.send("\x1d")
    shell.prompt()
    shell.run(f"vm kill {vm}")
    boot_linux(shell)
    assert guest(shell, "cat /sys/class/net/eth0/address").strip() == "02:56:69:72:65:01"
    assert "inet 10.0.2.15/24" in wait_for_address(shell)
    power_off(shell)


def test_a_restarted_nic_driver_carries_the_guests_frames_again(boot, host_server):
    """The NIC's driver ends: init starts it again, the network server finds the new one,
    and the guest, which kept its port, reaches the host as before."""
    port, body = host_server
    shell = boot_shell(boot, free_port())
    boot_linux(shell)
    wait_for_address(shell)
    assert guest(shell, f"wget -q -O - http://10.0.2.2:{port}/before").strip() == body.strip()
    shell.send("\x1d")
    shell.prompt()
    driver = number(r"^\s+(\d+)\s+virtio-net\s", shell.run("ps"))
    shell.send(f"kill {driver}\r")
    shell.expect(r"init: /boot/bin/virtio-net ended \(killed\); restarting it")
    shell.prompt()
    assert re.search(r"^\s+\d+\s+virtio-net\s", shell.run("ps"), re.M)
    shell.send("vm attach 1\r")
    guest(shell, "")
    got = guest(shell, f"wget -q -O - http://10.0.2.2:{port}/after")
    assert got.strip() == body.strip(), got
    power_off(shell)
    assert shell.run("echo alive") == "alive"
