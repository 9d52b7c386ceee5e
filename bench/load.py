#!/usr/bin/env python3
# Copied from the team's reference harness (../shared/bench/load.py) so that `npm run bench` runs
# without ../shared; unchanged apart from this note. bench/run.mjs starts it (inside a private
# network namespace), reads its load.json as ground truth, and stops it by PID.
"""Bounded loopback socket load for the port-tool benchmark.

Creates, on loopback only:
  * a fixed set of *fixture* processes (always, at every scale) that the
    correctness checks ask about (see FIXTURES below);
  * P worker processes holding S listening sockets in total (mix of
    127.0.0.1 / ::1 / 0.0.0.0 / [::] TCP and some UDP), on ports
    BASE .. BASE+S-1;
  * E established TCP connections between the workers (client end in one
    worker, accepted end in another), so /proc/net/tcp* has real rows;
  * F regular open files per worker, so /proc/*/fd scanning has real work.

Workers are fork()ed from this (small) interpreter, so 2,000 of them cost
a few GiB, not 2,000 full interpreters.  Every worker dies with its parent
(PR_SET_PDEATHSIG) and on its own deadline; the parent stops everything
(by PID) on SIGTERM/SIGINT/SIGHUP or when --lifetime seconds have passed.
Nothing is ever sent to a non-loopback address.

When everything is up it writes a JSON description (ports, owners, counts)
to --out (atomically) and prints READY on stdout.
"""
import argparse
import ctypes
import errno
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None, use_errno=True)

# kind -> (proto, family, bind address)
KINDS = {
    "tcp4-lo": ("tcp", socket.AF_INET, "127.0.0.1"),
    "tcp6-lo": ("tcp", socket.AF_INET6, "::1"),
    "tcp4-any": ("tcp", socket.AF_INET, "0.0.0.0"),
    "tcp6-any": ("tcp", socket.AF_INET6, "::"),  # dual-stack (V6ONLY=0)
    "udp4-lo": ("udp", socket.AF_INET, "127.0.0.1"),
    "udp6-lo": ("udp", socket.AF_INET6, "::1"),
    "udp4-any": ("udp", socket.AF_INET, "0.0.0.0"),
}
# 20-slot cycle: 35% tcp4-lo, 20% tcp6-lo, 15% tcp4-any, 10% tcp6-any,
# 10% udp4-lo, 5% udp6-lo, 5% udp4-any
MIX = (["tcp4-lo"] * 7 + ["tcp6-lo"] * 4 + ["tcp4-any"] * 3 + ["tcp6-any"] * 2
       + ["udp4-lo"] * 2 + ["udp6-lo"] + ["udp4-any"])
# interleave so that consecutive ports have different kinds
MIX = [MIX[(i * 7) % 20] for i in range(20)]

# Fixtures: name -> list of (kind, port) it listens on, plus options.
# "what a dev machine looks like": a v4 dev server, a Vite-on-::1 server, ...
FIXTURES = [
    # name,          listeners,                 extra
    ("v4",           [("tcp4-lo", 3000)],       {}),
    ("v6",           [("tcp6-lo", 5173)],       {}),
    ("any4",         [("tcp4-any", 8000)],      {}),
    ("any6",         [("tcp6-any", 8080)],      {}),
    ("shared",       [("tcp4-any", 8443)],      {"prefork": True}),  # listener inherited by a child
    ("tcp-9053",     [("tcp4-lo", 9053)],       {}),
    ("udp-9053",     [("udp4-lo", 9053)],       {}),  # UDP decoy on the same number, other process
    ("client",       [],                        {}),  # browser-like client connected to the dev servers
]
# connections made by the "client" fixture: (family address, port)
CLIENT_CONNS = [("127.0.0.1", 3000), ("127.0.0.1", 3000), ("::1", 5173),
                ("127.0.0.1", 8000), ("::1", 8080), ("127.0.0.1", 8080),
                ("127.0.0.1", 8443)]


def log(*a):
    print("[load]", *a, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--procs", "-P", type=int, default=200, help="worker processes (default 200)")
    p.add_argument("--listen", "-S", type=int, default=2000, help="listening sockets in total (default 2000)")
    p.add_argument("--estab", "-E", type=int, default=2000, help="established loopback TCP connections (default 2000)")
    p.add_argument("--files", "-F", type=int, default=20, help="regular open files per worker (default 20)")
    p.add_argument("--base-port", type=int, default=10000, help="first port for worker listeners (default 10000)")
    p.add_argument("--lifetime", type=float, default=900, help="seconds before everything stops by itself (default 900)")
    p.add_argument("--out", default="load.json", help="where to write the JSON description")
    p.add_argument("--setup-timeout", type=float, default=240, help="abort if setup takes longer (s)")
    a = p.parse_args()
    if a.procs < 0 or a.listen < 0 or a.estab < 0 or a.files < 0:
        p.error("negative sizes")
    if a.procs == 0 and (a.listen or a.estab):
        p.error("--listen/--estab need --procs > 0")
    if a.base_port + a.listen > 65535:
        p.error("base-port + listen exceeds 65535")
    return a


def build_plan(a):
    """Deterministic plan: list of process specs."""
    procs = []
    for name, lst, extra in FIXTURES:
        procs.append({"name": "fx-" + name, "fixture": name, "listen": [(k, port) for k, port in lst],
                      "connect": [], "files": 4, "prefork": bool(extra.get("prefork")), "expect_in": 0})
    fx_by_port = {}
    for pr in procs:
        for k, port in pr["listen"]:
            if KINDS[k][0] == "tcp":
                fx_by_port[port] = pr
    client = next(pr for pr in procs if pr["fixture"] == "client")
    for addr, port in CLIENT_CONNS:
        client["connect"].append((addr, port))
        fx_by_port[port]["expect_in"] += 1

    workers = []
    for w in range(a.procs):
        workers.append({"name": "w%d" % w, "fixture": None, "listen": [], "connect": [], "files": a.files,
                        "prefork": False, "expect_in": 0})
    tcp_listeners = []  # (worker index, kind, port)
    for i in range(a.listen):
        kind = MIX[i % len(MIX)]
        port = a.base_port + i
        w = i % a.procs
        workers[w]["listen"].append((kind, port))
        if KINDS[kind][0] == "tcp":
            tcp_listeners.append((w, kind, port))
    if a.estab and not tcp_listeners:
        raise SystemExit("--estab needs at least one TCP listener")
    n = len(tcp_listeners)
    for k in range(a.estab):
        c = k % a.procs
        t = (k * 7919 + 13) % n
        if tcp_listeners[t][0] == c and n > 1:
            t = (t + 1) % n
        w, kind, port = tcp_listeners[t]
        if kind in ("tcp4-lo", "tcp4-any"):
            addr = "127.0.0.1"
        elif kind == "tcp6-lo":
            addr = "::1"
        else:
            addr = "::1" if k % 2 else "127.0.0.1"
        workers[c]["connect"].append((addr, port))
        workers[w]["expect_in"] += 1
    return procs + workers


def make_listener(kind, port):
    proto, fam, addr = KINDS[kind]
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if addr == "::" else 1)
    s.bind((addr, port))
    if proto == "tcp":
        s.listen(128)
        s.setblocking(False)
    return s


def serve_forever(listeners, deadline):
    """Accept-and-close anything that connects later (scanners, waiters), until deadline."""
    sel = selectors.DefaultSelector()
    for s in listeners:
        if s.type == socket.SOCK_STREAM:
            sel.register(s, selectors.EVENT_READ)
    while True:
        rem = deadline - time.time()
        if rem <= 0:
            os._exit(0)
        try:
            events = sel.select(min(rem, 3600))
        except InterruptedError:
            continue
        for key, _ in events:
            try:
                c, _ = key.fileobj.accept()
                c.close()
            except OSError:
                pass


def child_setup(parent_pid):
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)


def worker_main(idx, spec, pool, parent_pid, ctl, deadline):
    ready_w, go_r, done_w = ctl
    child_setup(parent_pid)
    errors = []
    keep = []
    for j in range(spec["files"]):
        keep.append(os.open(pool[(idx * 7 + j) % len(pool)], os.O_RDONLY))
    listeners = []
    for kind, port in spec["listen"]:
        try:
            listeners.append(make_listener(kind, port))
        except OSError as e:
            errors.append("listen %s:%d %s" % (kind, port, e.strerror))
    msg = json.dumps({"i": idx, "pid": os.getpid(), "err": errors[:5]}) + "\n"
    os.write(ready_w, msg.encode())
    os.read(go_r, 1)  # wait for "connect now"
    out_ok = 0
    for addr, port in spec["connect"]:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.settimeout(10)
        try:
            c.connect((addr, port))
            keep.append(c)
            out_ok += 1
        except OSError as e:
            c.close()
            if len(errors) < 5:
                errors.append("connect %s:%d %s" % (addr, port, e))
    in_ok = 0
    sel = selectors.DefaultSelector()
    for s in listeners:
        if s.type == socket.SOCK_STREAM:
            sel.register(s, selectors.EVENT_READ)
    t_end = time.time() + 60
    while in_ok < spec["expect_in"] and time.time() < t_end:
        for key, _ in sel.select(1.0):
            try:
                c, _ = key.fileobj.accept()
                keep.append(c)
                in_ok += 1
            except BlockingIOError:
                pass
    sel.close()
    extra_pids = []
    if spec["prefork"]:
        # fork only now, so the child (which accepts-and-closes) cannot steal a setup connection
        pid = os.fork()
        if pid == 0:  # the pre-forked "worker" shares the listening socket
            LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            for fd in (ready_w, go_r, done_w):
                os.close(fd)
            serve_forever(listeners, deadline)
        extra_pids.append(pid)
    msg = json.dumps({"i": idx, "out": out_ok, "in": in_ok, "extra": extra_pids, "err": errors[:5]}) + "\n"
    os.write(done_w, msg.encode())
    for fd in (ready_w, go_r, done_w):
        os.close(fd)
    serve_forever(listeners, deadline)


def read_lines(fd, n, timeout, what):
    """Read n JSON lines from pipe fd (written atomically by children)."""
    buf = b""
    out = []
    t_end = time.time() + timeout
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    while len(out) < n:
        rem = t_end - time.time()
        if rem <= 0:
            raise TimeoutError("timed out waiting for %s (%d/%d)" % (what, len(out), n))
        if not sel.select(min(rem, 5)):
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            raise RuntimeError("pipe closed while waiting for %s (%d/%d)" % (what, len(out), n))
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            out.append(json.loads(line))
    sel.close()
    return out


def main():
    a = parse_args()
    t0 = time.time()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    plan = build_plan(a)
    max_fds = max(len(p["listen"]) + len(p["connect"]) + p["expect_in"] + p["files"] for p in plan) + 16
    if max_fds > hard:
        raise SystemExit("a worker needs %d fds but RLIMIT_NOFILE hard limit is %d" % (max_fds, hard))
    tmpdir = tempfile.mkdtemp(prefix="portbench-load-")
    pool = []
    for j in range(64):
        path = os.path.join(tmpdir, "f%02d.dat" % j)
        with open(path, "wb") as f:
            f.write(b"x" * 4096)
        pool.append(path)
    pool.append("/dev/null")

    parent_pid = os.getpid()
    deadline = t0 + a.lifetime
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    pids = []  # every process we started, in order of plan
    extra_pids = []
    stopping = {"flag": False}

    def stop(*_):
        if stopping["flag"]:
            return
        stopping["flag"] = True
        everyone = [p for p in pids + extra_pids if p > 0]
        for p in everyone:
            try:
                os.kill(p, signal.SIGTERM)
            except ProcessLookupError:
                pass
        t_end = time.time() + 5
        alive = set(pids)
        while alive and time.time() < t_end:
            for p in list(alive):
                try:
                    r, _ = os.waitpid(p, os.WNOHANG)
                    if r:
                        alive.discard(p)
                except ChildProcessError:
                    alive.discard(p)
            time.sleep(0.05)
        for p in list(alive) + extra_pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in alive:
            try:
                os.waitpid(p, 0)
            except ChildProcessError:
                pass
        shutil.rmtree(tmpdir, ignore_errors=True)
        log("stopped %d processes" % len(everyone))

    def on_signal(signum, _frame):
        log("signal %d: stopping" % signum)
        stop()
        os._exit(0)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, on_signal)
    signal.alarm(max(1, int(a.lifetime)))

    try:
        ctl = (ready_w, go_r, done_w)
        for idx, spec in enumerate(plan):
            pid = os.fork()
            if pid == 0:
                try:
                    for fd in (ready_r, go_w, done_r):
                        os.close(fd)
                    worker_main(idx, spec, pool, parent_pid, ctl, deadline)
                except BaseException as e:  # never return into the parent's code
                    try:
                        os.write(2, ("[load] worker %d: %r\n" % (idx, e)).encode())
                    finally:
                        os._exit(3)
                os._exit(0)
            pids.append(pid)
        for fd in (ready_w, go_r, done_w):
            os.close(fd)
        t_fork = time.time()
        ready = read_lines(ready_r, len(plan), a.setup_timeout, "listeners")
        errs = [e for r in ready for e in r["err"]]
        if errs:
            raise RuntimeError("listen errors, e.g. %s" % errs[:3])
        t_listen = time.time()
        os.write(go_w, b"g" * len(plan))
        done = read_lines(done_r, len(plan), a.setup_timeout, "connections")
        t_conn = time.time()
        errs = [e for r in done for e in r["err"]]
        for r in done:
            extra_pids.extend(r["extra"])
        n_out = sum(r["out"] for r in done)
        n_in = sum(r["in"] for r in done)
        if errs:
            log("connection errors: %d, e.g. %s" % (len(errs), errs[:3]))

        pid_of = {}
        by_idx = {r["i"]: r for r in ready}
        extra_by_idx = {r["i"]: r["extra"] for r in done}
        listeners = []
        fixtures = {}
        for idx, spec in enumerate(plan):
            owner = [by_idx[idx]["pid"]] + extra_by_idx.get(idx, [])
            for kind, port in spec["listen"]:
                proto, fam, addr = KINDS[kind]
                item = {"proto": proto, "family": 6 if fam == socket.AF_INET6 else 4, "addr": addr,
                        "port": port, "kind": kind, "pids": owner}
                listeners.append(item)
                if spec["fixture"]:
                    fixtures[spec["fixture"]] = item
            if spec["fixture"] == "client":
                fixtures["client"] = {"pids": owner, "connects_to": [list(c) for c in spec["connect"]]}
            pid_of[spec["name"]] = owner
        desc = {
            "loadPid": parent_pid,
            "params": {"procs": a.procs, "listen": a.listen, "estab": a.estab, "files": a.files,
                       "base_port": a.base_port, "lifetime": a.lifetime},
            "processes": len(pids) + len(extra_pids),
            "pids": pids + extra_pids,
            "connections": {"requested": a.estab + len(CLIENT_CONNS), "connected": n_out, "accepted": n_in},
            "setup_seconds": {"fork": round(t_fork - t0, 3), "listen": round(t_listen - t_fork, 3),
                              "connect": round(t_conn - t_listen, 3), "total": round(t_conn - t0, 3)},
            "deadline_unix": deadline,
            "fixtures": fixtures,
            "listeners": listeners,
        }
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(desc, f)
        os.replace(tmp, a.out)
        log("ready: %d processes, %d listeners, %d/%d connections, setup %.1fs" % (
            desc["processes"], len(listeners), n_out, desc["connections"]["requested"], t_conn - t0))
        print("READY", flush=True)
    except BaseException as e:
        log("setup failed: %r" % (e,))
        stop()
        sys.exit(2)

    while True:  # until a signal or the lifetime alarm
        signal.pause()


if __name__ == "__main__":
    main()
