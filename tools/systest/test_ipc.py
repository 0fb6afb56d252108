"""Issue: IPC takes a fast path for register-only calls and replies between tasks that
already wait for each other; everything else (data bytes, handles, notification bits, a
caller killed while it waits) must still take the generic path and come out right."""
import re
import time

HOLDING = r"ipcmix-server: holding a call from task (\d+)"
LATE = "ipcmix-server: held caller killed, late replies went nowhere"


def test_fast_and_generic_ipc_interleaved_and_a_caller_killed_mid_call(shell):
    out = shell.run("run /boot/test/ipcmix", timeout=60)
    assert "ipcmix: 200 calls, 0 wrong; server: 0 wrong, 40 busy" in out, out
    held = re.search(HOLDING, out) or shell.expect(HOLDING)
    task = int(held.group(1))
    ps = shell.run("ps")
    assert re.search(rf"^\s+{task}\s+ipcmix-hold\s+blocked", ps, re.M), ps
    assert re.search(r"^\s+\d+\s+ipcmix-server\s+blocked", ps, re.M), ps
    out = shell.run(f"kill {task}")
    assert f"killed task {task}" in out
    if LATE not in out:
        shell.expect(LATE)
    assert "WRONG" not in shell.output() and "which is wrong" not in shell.output()
    for _ in range(20):  # the server ends just after its last line
        if "ipcmix" not in shell.run("ps"):
            break
        time.sleep(0.1)
    assert "ipcmix" not in shell.run("ps")
    assert shell.run("echo fine") == "fine"
