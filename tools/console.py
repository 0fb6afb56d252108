#!/usr/bin/python3
"""The console of a Vireo that `make gdb` started, in this terminal: tools/console.py
[SOCKET] (default build/console.sock). GDB has the terminal `make gdb` ran in, so the
console is a socket; run this in another terminal to type at Vireo's prompt. Ctrl-\\ leaves
(Ctrl-] stays Vireo's: it detaches from a guest)."""
import os
import select
import socket
import sys
import termios
import tty

QUIT = b"\x1c"  # Ctrl-\


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "console.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        sys.exit(f"console: cannot connect to {path} ({e.strerror}): is `make gdb` running?")
    print(f"console: connected to {path}; Ctrl-\\ leaves", flush=True)
    interactive = os.isatty(0)
    saved = termios.tcgetattr(0) if interactive else None
    try:
        if interactive:
            tty.setraw(0)
        while True:
            ready, _, _ = select.select([0, sock], [], [])
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    break
                os.write(1, data)
            if 0 in ready:
                data = os.read(0, 1024)
                if not data or QUIT in data:
                    break
                sock.sendall(data)
    finally:
        if saved:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        print("\r\nconsole: left", flush=True)


if __name__ == "__main__":
    main()
