#!/usr/bin/env python3
"""Opens and holds idle HTTP/1.1 keep-alive connections (wrk cannot hold idle ones).

  hold.py HOST PORT COUNT PATH STATUS_FILE [REFRESH_SECONDS]

Opens COUNT connections in batches, sends one `GET PATH` on each and reads its whole response,
then writes {"wanted", "opened", "failed", "setup_seconds"} to STATUS_FILE (the caller waits
for it) and holds them. Every REFRESH_SECONDS (default 20, below the server's default
30-second idle timeout) each connection sends one more request, spread over the interval, so
a long run still measures open connections rather than the idle timeout. On SIGTERM it checks
every connection once more and rewrites STATUS_FILE with {"held", "closed", ...}: `held` are the
ones still open, `closed` the ones the server closed or broke while held.
"""
import json
import os
import resource
import selectors
import signal
import socket
import sys
import time

host, port, count, path, status_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
refresh = float(sys.argv[6]) if len(sys.argv) > 6 else 20.0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if count + 64 > hard:
    sys.exit(f"hold.py: {count} connections need a file-descriptor limit above {hard} (ulimit -Hn)")

REQUEST = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
BATCH = 500
selector = selectors.EpollSelector()
stopping = False


class Conn:
    __slots__ = ("sock", "buffer", "waiting", "closed")

    def __init__(self, sock):
        self.sock, self.buffer, self.waiting, self.closed = sock, b"", False, False


def response_complete(buffer):
    head, sep, rest = buffer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(rest) >= int(value)
    return True


def send(conn):
    conn.buffer = b""
    conn.waiting = True
    conn.sock.sendall(REQUEST)  # tiny; never blocks on a fresh socket buffer


def pump(timeout):
    """Reads what is readable; returns how many connections closed in this call."""
    closed = 0
    for key, _ in selector.select(timeout):
        conn = key.data
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            data = b""
        if not data:
            selector.unregister(conn.sock)
            conn.sock.close()
            conn.closed = True
            closed += 1
            continue
        conn.buffer += data
        if conn.waiting and response_complete(conn.buffer):
            conn.waiting = False
            conn.buffer = b""
    return closed


def on_term(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)

started = time.time()
conns = []
failed = 0
while len(conns) + failed < count and not stopping:
    batch = []
    for _ in range(min(BATCH, count - len(conns) - failed)):
        sock = socket.socket()
        try:
            sock.settimeout(10)
            sock.connect((host, port))
            sock.setblocking(False)
            conn = Conn(sock)
            send(conn)
            selector.register(sock, selectors.EVENT_READ, conn)
            batch.append(conn)
        except OSError:
            sock.close()
            failed += 1
    conns += batch
    deadline = time.time() + 10
    while any(c.waiting and not c.closed for c in batch) and time.time() < deadline:
        pump(0.2)
    for c in batch:
        if c.waiting or c.closed:
            failed += 1
            if not c.closed:
                selector.unregister(c.sock)
                c.sock.close()
                c.closed = True
    conns = [c for c in conns if not c.closed]

status = {"wanted": count, "opened": len(conns), "failed": failed,
          "setup_seconds": round(time.time() - started, 2)}
with open(status_file + ".tmp", "w") as f:
    json.dump(status, f)
os.replace(status_file + ".tmp", status_file)

closed = 0
next_refresh = time.time() + refresh
cursor = 0
while not stopping:
    closed += pump(0.05)
    now = time.time()
    if now >= next_refresh and conns:
        # one slice per 50 ms tick so the whole set is refreshed over the interval
        slice_size = max(1, int(len(conns) * 0.05 / refresh) + 1)
        for _ in range(slice_size):
            conn = conns[cursor % len(conns)]
            cursor += 1
            if not conn.closed and not conn.waiting:
                try:
                    send(conn)
                except OSError:
                    pass
            if cursor % len(conns) == 0:
                next_refresh = now + refresh
                break

# Final check: anything the server closed shows up readable with EOF.
closed += pump(0.2)
held = sum(1 for c in conns if not c.closed)
status.update({"held": held, "closed": sum(1 for c in conns if c.closed), "refresh_seconds": refresh})
with open(status_file + ".tmp", "w") as f:
    json.dump(status, f)
os.replace(status_file + ".tmp", status_file)
