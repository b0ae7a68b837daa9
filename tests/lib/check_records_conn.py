#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_records_conn.py - --records connections against what the test did (KINDS: one line per
# connection, "KIND SERVER_PORT CLIENT_PORT") and against a --records transitions tracer that
# watched the same traffic: exactly one connection record per socket and no transition record;
# each with the path, role, first_fin and reason its kind must have; durations that add up to
# lifetime_ns; each path the sequence of states the reference printed for that socket; a text
# line per connection of the server's namespace.
#
#   check_records_conn.py --conn F.jsonl --ref F.jsonl --text F --kinds F --netns A,B
#                         --netns-s INO

import argparse
import re

import tslib

R = tslib.Results()

CLIENT_FIRST = ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"]
SERVER_FIRST = ["SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"]
CLIENT_LAST = ["SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK"]
SERVER_LAST = ["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK"]

# kind -> what its client's and its server's record must say: (path, role, first_fin, reason)
WANT = {
    "client_first": (("client", CLIENT_FIRST, "local", "orderly"),
                     ("server", SERVER_LAST, "remote", "orderly")),
    "server_first": (("client", CLIENT_LAST, "remote", "orderly"),
                     ("server", SERVER_FIRST, "local", "orderly")),
    "client_abort": (("client", ["SYN_SENT", "ESTABLISHED"], None, "reset_sent"),
                     ("server", ["SYN_RECV", "ESTABLISHED"], None, "reset_received")),
    "server_abort": (("client", ["SYN_SENT", "ESTABLISHED"], None, "reset_received"),
                     ("server", ["SYN_RECV", "ESTABLISHED"], None, "reset_sent")),
    "refused": (("client", ["SYN_SENT"], None, "refused"), None),
}


def check_record(r, what, want):
    role, path, fin, reason = want
    got = [p["state"] for p in r["path"]]
    R.eq(got, path, f"{what}: path")
    R.eq((r["role"], r["first_fin"], r["reason"]), (role, fin, reason),
         f"{what}: role {role}, first_fin {fin}, reason {reason}")
    durs = [p["dur_ns"] for p in r["path"]]
    open_end = path[-1] == "TIME_WAIT"
    known = durs[:-1] if open_end else durs
    R.check(all(d is not None for d in known) and (not open_end or durs[-1] is None),
            f"{what}: every state's time known (a TIME_WAIT's, which goes on, null)", durs)
    R.check(r["lifetime_ns"] is not None and sum(d for d in known if d) == r["lifetime_ns"],
            f"{what}: the durations add up to lifetime_ns", f"{durs} vs {r['lifetime_ns']}")
    R.check(r["start"] is not None and r["end"] >= r["start"], f"{what}: start and end times")
    R.check(not r["path_truncated"] and r["comm"] == "python3" and r["pid"],
            f"{what}: whole path, owner python3", r)
    # over a quiet veth: nothing retransmitted; the segments counted (an accepted socket that
    # only reset its peer may have sent none: its SYN-ACK was its request socket's)
    R.check(r["srtt_us"] is not None and r["retrans"] == 0 and r["segs_in"] is not None
            and r["segs_out"] is not None and r["segs_in"] + r["segs_out"] > 0,
            f"{what}: tcp_sock's srtt, no retransmits, segments counted",
            {k: r[k] for k in ("srtt_us", "retrans", "segs_in", "segs_out")})


def ref_path(ref_socks, netns, lport, rport):
    """the states a reference socket went through (CLOSE excluded), in order"""
    keys = [k for k, lst in ref_socks.items()
            if any(r["netns"] == netns and r["lport"] == lport and r["rport"] == rport
                   for r in lst)]
    if len(keys) != 1:
        return None
    return [r["newstate"] for r in ref_socks[keys[0]] if r["newstate"] != "CLOSE"]


def main():
    p = argparse.ArgumentParser()
    for a in ("conn", "ref", "text", "kinds", "netns"):
        p.add_argument("--" + a, required=True)
    p.add_argument("--netns-s", type=int, required=True)
    a = p.parse_args()
    ns = {int(x) for x in a.netns.split(",")}
    ns_s, = {a.netns_s}
    ns_c, = ns - {ns_s}

    recs = tslib.load_checked(R, a.conn, "connections: ")
    mine = [r for r in recs if r.get("netns") in ns]
    conns = [r for r in mine if r["type"] == "connection"]
    R.eq(sorted({r["type"] for r in mine} - {"snapshot"}), ["connection"],
         "only connection records for the namespaces (no transition)")
    by_tuple = {}
    for r in conns:
        by_tuple.setdefault((r["netns"], r["lport"], r["rport"]), []).append(r)
    dup = {k: len(v) for k, v in by_tuple.items() if len(v) != 1}
    R.check(not dup, "exactly one record per socket", dup)

    ref = tslib.transitions(tslib.load_checked(R, a.ref, "reference: "), netns=ns)
    ref_socks = tslib.sockets(ref)
    kinds = [l.split() for l in open(a.kinds) if l.strip()]
    seen = set()
    for n, (kind, sport, cport) in enumerate(kinds, 1):
        sport, cport = int(sport), int(cport)
        for side, want in zip(("client", "server"), WANT[kind]):
            if want is None:
                continue
            key = (ns_c, cport, sport) if side == "client" else (ns_s, sport, cport)
            what = f"{kind} {n} {side} {key[1]}->{key[2]}"
            lst = by_tuple.get(key, [])
            if not R.check(len(lst) == 1, f"{what}: a record"):
                continue
            seen.add(key)
            check_record(lst[0], what, want)
            R.eq([s["state"] for s in lst[0]["path"]], ref_path(ref_socks, *key),
                 f"{what}: the path is what the transitions tracer printed")
    # the servers' listeners: one record each, LISTEN all their life
    ports = {int(k[1]) for k in kinds if k[0] != "refused"}
    lis = [r for r in conns if r["netns"] == ns_s and r["lport"] in ports and r["rport"] == 0]
    R.eq(sorted(r["lport"] for r in lis), sorted(ports), "a record per listener")
    R.check(all([p["state"] for p in r["path"]] == ["LISTEN"] and r["role"] == "listener"
                and r["reason"] == "orderly" for r in lis), "each listener: LISTEN, orderly")
    seen |= {(r["netns"], r["lport"], r["rport"]) for r in lis}
    extra = sorted(k for k in by_tuple if k not in seen)
    R.check(not extra, "no other record in the namespaces", extra)

    # the text tracer watched the server's namespace: a CONN line per record of it
    lines = [l for l in open(a.text) if re.search(r"\sCONN\s", l)]
    want = len([r for r in conns if r["netns"] == ns_s])
    R.eq(len(lines), want, "text: a CONN line per connection of the server's namespace")
    R.check(any(re.search(r"\bserver +[0-9.]+ +orderly first_fin=local SYN_RECV [0-9.]+ > "
                          r"ESTABLISHED [0-9.]+ > FIN_WAIT1 [0-9.]+ > FIN_WAIT2 [0-9.]+ > "
                          r"TIME_WAIT$", l.rstrip()) for l in lines),
            "text: a server that closed first, its path written compactly", lines[:3])
    R.check(any(re.search(r"\bserver +[0-9.]+ +orderly first_fin=remote SYN_RECV [0-9.]+ > "
                          r"ESTABLISHED [0-9.]+ > CLOSE_WAIT [0-9.]+ > LAST_ACK [0-9.]+$",
                          l.rstrip()) for l in lines),
            "text: a server's line has its role, reason, first FIN and path", lines[:3])
    s = [r for r in recs if r["type"] == "summary"]
    every = len([r for r in recs if r["type"] == "connection"])
    R.check(len(s) == 1 and s[0]["connection_lines"] == every
            and every <= s[0]["kernel_connections"] and s[0]["conn_lost"] == 0,
            "summary: connection_lines counts the records, kernel_connections at least, none lost",
            s)
    R.done()


main()
