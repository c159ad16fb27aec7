#!/usr/bin/env python3
"""A stand-in for systemd's NOTIFY_SOCKET, for the sd-notify tests.

Binds an AF_UNIX datagram socket at argv[1] (a path, or "@name" for the abstract namespace, as
systemd writes it in NOTIFY_SOCKET), prints "listening", then one JSON line per datagram:
{"message": "...", "fds": N, "pid": sender pid}. File descriptors passed with a message
(systemd-notify's BARRIER=1) are closed at once, which is how PID 1 releases the barrier.
Exits when its standard input closes.
"""
import array
import json
import os
import selectors
import socket
import sys

address = sys.argv[1]
bind_address = "\0" + address[1:] if address.startswith("@") else address

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind(bind_address)
print("listening", flush=True)

selector = selectors.DefaultSelector()
selector.register(sock, selectors.EVENT_READ)
selector.register(sys.stdin, selectors.EVENT_READ)
fd_size = array.array("i").itemsize
ucred_size = 12

while True:
    for key, _ in selector.select():
        if key.fileobj is sys.stdin:
            if not sys.stdin.readline():
                sys.exit(0)
            continue
        data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16 * fd_size) + socket.CMSG_SPACE(ucred_size))
        fds = []
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(array.array("i", payload[: len(payload) - len(payload) % fd_size]))
            elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = int.from_bytes(payload[0:4], sys.byteorder)
        for fd in fds:
            os.close(fd)
        print(json.dumps({"message": data.decode("utf-8", "replace"), "fds": len(fds), "pid": pid}), flush=True)
