#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""check_servers.py - the owners t_servers.sh's real servers must get (tcpstates-c -j records).

  --old-port P --old-pid PID   a listener opened before the tracer (python3 -m http.server):
                               its accepted sockets start with the listener's owner PID
  --daemon-port P --live PID,...  a daemon (nginx, daemon mode) started while tracing: the
                               process that opened the listener exits; every line about the
                               listener's accepted sockets names a live process (the master or
                               a worker), the master ("listener"-owned) until a worker uses it
  --master PID                 nginx's master (its pid file)
Prints ok / not ok lines (tests/lib/common.sh run_checks)."""
import argparse
import json

CHILD_FIRST = [("LISTEN", "SYN_RECV"), ("SYN_RECV", "ESTABLISHED")]


def ok(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    return cond


def records(path):
    out = []
    for line in open(path):
        try:
            out.append(json.loads(line))
        except ValueError:
            ok(False, "a line that is not JSON: %r" % line[:200])
    return out


def children(recs, port):
    """the transitions of the sockets accepted on port, by socket cookie"""
    by = {}
    for r in recs:
        if r.get("type") == "transition" and r["lport"] == port and r["rport"] != 0:
            by.setdefault(r["sock"], []).append(r)
    return by


def show(r):
    return "%s->%s pid=%s owner=%s" % (r["oldstate"], r["newstate"], r["pid"], r["owner"])


def check_kids(recs, label, port, first_pid, comm, every, every_what):
    """the listener's two accepted sockets: their first lines name first_pid as "listener", and
    every line a pid in `every`"""
    kids = children(recs, port)
    ok(len(kids) == 2, "%s :%d: two accepted sockets (got %d)" % (label, port, len(kids)))
    for cookie, rs in sorted(kids.items(), key=lambda kv: str(kv[0])):
        what = "%s :%d sock %s" % (label, port, cookie)
        first = [r for r in rs if (r["oldstate"], r["newstate"]) in CHILD_FIRST]
        ok([(r["oldstate"], r["newstate"]) for r in first] == CHILD_FIRST,
           "%s: LISTEN->SYN_RECV, SYN_RECV->ESTABLISHED (got %s)" % (what, [show(r) for r in rs]))
        ok(all(r["pid"] == first_pid and r["owner"] == "listener" and r["comm"] == comm
               for r in first),
           "%s: its first lines name %d (%s) as \"listener\" (got %s)"
           % (what, first_pid, comm, [show(r) for r in first]))
        ok(all(r["pid"] in every for r in rs),
           "%s: every line names %s (got %s)" % (what, every_what, [show(r) for r in rs]))


def check_old_listener(recs, port, pid):
    snap = [r for r in recs if r.get("type") == "snapshot" and r["lport"] == port
            and r["newstate"] == "LISTEN"]
    ok(len(snap) == 1 and snap[0]["pid"] == pid,
       "old listener :%d: the snapshot lists it once, owned by %d (got %s)"
       % (port, pid, [s["pid"] for s in snap]))
    check_kids(recs, "old listener", port, pid, "python3", {pid}, "the listener's owner %d" % pid)


def check_daemon(recs, port, live, master):
    opened = [r for r in recs if r.get("type") == "transition" and r["lport"] == port
              and r["newstate"] == "LISTEN"]
    ok(len(opened) == 1, "daemon :%d: one CLOSE->LISTEN (got %d)" % (port, len(opened)))
    if not opened:
        return
    starter = opened[0]["pid"]
    ok(starter is not None and starter not in live,
       "daemon :%d: the listener was opened by the process that then exited (%s, live: %s)"
       % (port, starter, sorted(live)))
    check_kids(recs, "daemon", port, master, "nginx", live,
               "a live nginx process %s, never %s" % (sorted(live), starter))
    closed = [r for r in recs if r.get("type") == "transition" and r["lport"] == port
              and r["oldstate"] == "LISTEN" and r["newstate"] == "CLOSE"]
    ok(len(closed) == 1 and closed[0]["pid"] in live,
       "daemon :%d: LISTEN->CLOSE names a live nginx process (got %s)"
       % (port, [show(r) for r in closed]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--old-port", type=int, required=True)
    ap.add_argument("--old-pid", type=int, required=True)
    ap.add_argument("--daemon-port", type=int, required=True)
    ap.add_argument("--live", required=True)
    ap.add_argument("--master", type=int, required=True)
    a = ap.parse_args()
    recs = records(a.json)
    check_old_listener(recs, a.old_port, a.old_pid)
    check_daemon(recs, a.daemon_port, {int(p) for p in a.live.split(",") if p}, a.master)


if __name__ == "__main__":
    main()
