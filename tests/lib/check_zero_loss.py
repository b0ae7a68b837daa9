#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_zero_loss.py - every transition of a connection churn (tests/bench/churn.c) arrived, as
# tcpstates-c -j --netns INO recorded it.
#
#   check_zero_loss.py --json OUT --netns INO --port P [--port P2 ...] --conns N [--failed F]
#
# Per socket (cookie): clients (remote port P) with the full orderly sequence = N, accepted
# sockets (local port P, remote port != 0) with the full passive-close sequence = N, the listener
# once per port (one churn run per port: N and F are their totals); F failed connects (CLOSE->SYN_SENT->CLOSE); nothing else. No record with gap true, no
# "lost" record, summary rb_full == 0 and recursion_misses == 0. Streams the file (no list of all
# records kept).

import argparse
import collections
import json

import tslib

# the tracer runs with --no-timewait here: the client, the active closer, ends FIN_WAIT2 -> CLOSE
CLIENT = tuple(tslib.CLIENT_ORDERLY_NO_TW)
ACCEPTED = tuple(tslib.ACCEPTED_PASSIVE_CLOSE)
LISTENER = tuple(tslib.LISTENER)
FAILED = tuple(tslib.names("refused"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--netns", type=int, required=True)
    p.add_argument("--port", type=int, required=True, action="append")
    p.add_argument("--conns", type=int, required=True)
    p.add_argument("--failed", type=int, default=0)
    a = p.parse_args()
    R = tslib.Results()

    socks = collections.OrderedDict()	# cookie -> [role, [transitions]]
    bad, other_ns, gaps, no_cookie, lost, summaries, n_tr = [], 0, [], 0, [], [], 0
    with open(a.json, errors="replace") as f:
        for i, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError:
                bad.append((i, line[:200]))
                continue
            t = r.get("type")
            if t == "lost":
                lost.append(r)
                continue
            if t == "summary":
                summaries.append(r)
                continue
            if t == "snapshot":	# the namespace's sockets that existed at start
                continue
            if t != "transition":
                bad.append((i, line[:200]))
                continue
            if r.get("netns") != a.netns:
                other_ns += 1
                continue
            n_tr += 1
            if r.get("gap") is not False:
                gaps.append(r)
            c = r.get("sock")
            if c is None:
                no_cookie += 1
                continue
            s = socks.get(c)
            if s is None:
                lp, rp = r.get("lport"), r.get("rport")
                role = ("client" if rp in a.port else
                        "listener" if lp in a.port and rp == 0 else
                        "accepted" if lp in a.port else "other")
                s = socks[c] = [role, []]
            s[1].append("%s->%s" % (r.get("oldstate"), r.get("newstate")))

    summ = summaries[-1] if summaries else None
    expected = 10 * a.conns + 2 * len(a.port) + 2 * a.failed
    # the kernel's own count of runs of our programs (machine-wide): fewer than the churn made
    # means the kernel ran none of them for some (docs/loss.md, "A kernel surprise")
    came = summ.get("kernel_transitions") if summ else None
    skipped = expected - came if isinstance(came, int) and came < expected else 0
    seqs = collections.Counter((role, tuple(tr)) for role, tr in socks.values())
    full_c = seqs[("client", CLIENT)]
    full_a = seqs[("accepted", ACCEPTED)]
    full_l = seqs[("listener", LISTENER)]
    failed = seqs[("client", FAILED)]
    # sockets that only lack transitions: what such a skip leaves; none allowed without one
    short = {}
    if skipped:
        for (role, tr), n in seqs.items():
            full = {"client": CLIENT, "accepted": ACCEPTED}.get(role)
            if full and len(tr) < len(full) and is_subsequence(tr, full):
                short[(role, tr)] = n
    short_c = sum(n for (role, _), n in short.items() if role == "client")
    short_a = sum(n for (role, _), n in short.items() if role == "accepted")
    print("# transitions in the namespace: %d (expected %d), sockets: %d" % (
        n_tr, expected, len(socks)))
    print("# full sequences: client %d, accepted %d, listener %d, failed connects %d" % (
        full_c, full_a, full_l, failed))
    print("# tracer summary: %s" % (json.dumps(summ) if summ else None))
    if skipped:
        print("# the kernel ran none of the tracer's programs for %d of the churn's transitions "
              "(kernel_transitions %d, machine-wide): docs/loss.md, \"A kernel surprise\"; "
              "sockets left short by it: client %d, accepted %d" % (skipped, came, short_c, short_a))

    R.check(not bad, "every output line is a JSON record", "bad lines: %r" % bad[:5])
    R.check(other_ns == 0, "--netns kept only the churn's namespace",
            "%d transitions of other namespaces" % other_ns)
    R.check(no_cookie == 0, "every transition has a socket cookie", "%d without" % no_cookie)
    R.eq(full_c + short_c, a.conns, "client sockets with the full CLOSE->SYN_SENT->...->CLOSE "
         "sequence (or, where the kernel ran no program, a part of it)")
    R.eq(full_a + short_a, a.conns, "accepted sockets with the full LISTEN->SYN_RECV->...->CLOSE "
         "sequence (or, where the kernel ran no program, a part of it)")
    R.eq(full_l, len(a.port), "each listener's CLOSE->LISTEN, LISTEN->CLOSE")
    R.eq(failed, a.failed, "failed connects (CLOSE->SYN_SENT->CLOSE) as the churn counted")
    if skipped:
        # kernel_transitions counts every run of our programs, here and elsewhere: the namespace's
        # lines can reach it only if none of those runs was lost on our side
        R.check(came <= n_tr <= expected, "every transition the kernel ran the tracer's programs "
                "for is in the output (kernel_transitions %d <= %d <= %d)" % (came, n_tr, expected))
    else:
        R.eq(n_tr, expected, "transitions in the namespace: 10 per connection + 2 per listener "
             "(+2 per failed connect)")
    odd = collections.Counter()
    for (role, tr), n in seqs.items():
        if (role, tr) not in (("client", CLIENT), ("accepted", ACCEPTED), ("listener", LISTENER),
                              ("client", FAILED)) and (role, tr) not in short:
            odd[(role, tr)] = n
    R.check(not odd, "no socket with another sequence",
            *["%d x %s: %s" % (n, role, " ".join(tr)) for (role, tr), n in odd.most_common(10)])
    short_socks = {c for c, (role, tr) in socks.items() if (role, tuple(tr)) in short}
    gaps = [r for r in gaps if r.get("sock") not in short_socks]
    R.check(not gaps, "no record with gap true (but on a socket the kernel's skip left short)",
            "%d with gap, e.g. %s" % (len(gaps), "; ".join(
                "sock %s %s:%s->%s:%s %s->%s gap=%s" % (
                    r.get("sock"), r.get("laddr"), r.get("lport"), r.get("raddr"), r.get("rport"),
                    r.get("oldstate"), r.get("newstate"), r.get("gap")) for r in gaps[:3])))
    # unseen is counted for the whole machine (the destroy witness cannot tell whose socket):
    # another program's traffic can make it; this churn's own transitions are all counted above
    ours = [r for r in lost if any(r.get(k) for k in
                                   ("rb_full", "recursion_misses", "not_written", "map_full"))]
    R.check(not ours, "no lost record (but unseen sockets of other traffic)",
            "%d lost records, e.g. %r" % (len(ours), ours[:3]))
    if lost and not ours:
        print("# unseen sockets on the machine (other traffic): %r" % lost[-1].get("total_unseen"))
    if R.check(summ is not None and summaries and line_is_last(a.json),
               "a summary record comes last", "summaries: %r" % summaries):
        R.eq((summ.get("rb_full"), summ.get("recursion_misses")), (0, 0),
             "summary: rb_full == 0 and recursion_misses == 0", "summary: %r" % summ)
        ins = [summ.get(k) for k in ("kernel_transitions", "swept_transitions")]
        R.check(all(isinstance(v, int) for v in ins) and sum(ins) >= expected - skipped
                and summ.get("transition_lines") == n_tr,
                "summary: kernel_transitions + swept_transitions >= %d (all hooks, but what the "
                "kernel skipped), transition_lines == %d (the namespace's)"
                % (expected - skipped, n_tr),
                "summary: %r" % summ)
    R.done()


def is_subsequence(part, whole):
    """part is whole with some elements left out, in order"""
    it = iter(whole)
    return all(x in it for x in part)


def line_is_last(path):
    """the file's last non-empty line is a summary record"""
    last = None
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 4096))
        for line in f.read().splitlines():
            if line.strip():
                last = line
    try:
        return json.loads(last).get("type") == "summary"
    except (TypeError, ValueError, AttributeError):
        return False


if __name__ == "__main__":
    main()
