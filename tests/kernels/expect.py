# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# expect.py - what tcpstates-c -j must print for each kscen scenario, per hook, and what each
# kernel may leave out: the specification tests/kernels/check_kernel.py checks the guests against.
# Standard library and tests/lib/tslib.py (checking is on the host: nothing of this goes into the
# guest's initramfs).

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tslib  # noqa: E402  (tests/lib)

# A row: SCENARIO SOCKET TRANSITION... (an indented line continues the row above). SOCKET names
# which socket of the scenario (ports from kscen's line for it):
#   listener  lport = port, rport 0         client   lport = cport, rport = port (rf: any lport)
#   accepted  lport = port, rport = cport   client2/accepted2  the second socket with those ports (tw)
# TRANSITION: the grammar of tests/lib/tslib.py (its SEQUENCES too), where every transition names
# its owner (@WHO): srv, cli or wrk, the scenario's server, client or worker (pf, pw: the prefork
# worker; dm: the heir) (its pid and its comm ks-srv-XX, ks-cli-XX, ks-wrk-XX), /listener for "owner":"listener" (the listener's
# owner, before a process used the socket), "@-" none known. The "reason" is checked on every
# transition: =REASON on those into CLOSE, null on the others unless one is given.
# Besides the rows, on every transition of a scenario's socket: family as the scenario's,
# loopback addresses, dur_ns null on the socket's first transition and an integer after, and
# (where KERNELS says so) a non-null "sock" that is the same on every line of the socket.
# Nothing else may use the scenario's server port.
#
# Where the rows come from: the host in a private network namespace, where everything works:
# FULL is what its default hook (tp_btf) prints, and what --hook tracepoint must print too (there
# "sock" is null: KERNELS' cookies apply to the default hook only), but for dm's accepted socket
# (DM_HEIR, DM_NO_HEIR). CORE is what --hook
# tracepoint prints when every optional feature fails to load (TCPSTATES_TEST_BREAK=all): the
# core alone:
#   - no owner takeover (neither at receive nor at send): an accepted socket keeps its listener's
#     owner until a process changes its state itself (the prefork worker appears only at its close);
#   - no timewait following: the active closer and the orphan end "FIN_WAIT2->CLOSE=orderly" right
#     away (no FIN_WAIT2->TIME_WAIT, no TIME_WAIT->CLOSE=reused, no "=timeout" 2 s later);
#   - no reset notes: the reasons come from sk_err and the context only (the same ones here).

FULL = """
cf  listener  @listener@srv
cf  client    @client@cli
cf  accepted  @accept@srv/listener @passive-close@srv

sf  listener  @listener@srv
sf  client    @connect@cli @passive-close@cli
sf  accepted  @accept@srv/listener @active-close@srv

rf  client    @refused@cli

ab  listener  @listener@srv
ab  client    @connect@cli ESTABLISHED->CLOSE@cli=reset_sent
ab  accepted  @accept@srv/listener ESTABLISHED->CLOSE@srv=reset_received

tw  listener  @listener@srv
tw  client    @connect@cli @passive-close@cli
tw  accepted  @accept@srv/listener @active-close@srv TIME_WAIT->CLOSE@srv=reused
tw  client2   @client@cli
tw  accepted2 @accept@srv/listener @passive-close@srv

pf  listener  @listener@srv
pf  client    @client@cli
pf  accepted  @accept@srv/listener @passive-close@wrk

pw  listener  @listener@srv
pw  client    @client@cli
pw  accepted  @accept@srv/listener @passive-close@wrk

of  listener  @listener@srv
of  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=timeout~1.5-4.5
of  accepted  @accept@srv/listener @passive-close@srv LAST_ACK->CLOSE@srv=reset_received

dm  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@wrk=orderly
dm  client    @client@cli
"""
# dm's accepted socket: the server that listened exits before it; its heir, the worker, is named
# where the listener owner's exit is followed (owner_exit: tp_btf only); else the server stays
DM_HEIR = """
dm  accepted  @accept@wrk/listener @passive-close@wrk
"""
DM_NO_HEIR = """
dm  accepted  @accept@srv/listener @passive-close@wrk
"""

CORE = """
cf  listener  @listener@srv
cf  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
cf  accepted  @accept@srv/listener @passive-close@srv ESTABLISHED->CLOSE_WAIT@srv/listener

sf  listener  @listener@srv
sf  client    @connect@cli @passive-close@cli
sf  accepted  @accept@srv/listener @fin-wait2@srv FIN_WAIT2->CLOSE@srv=orderly

rf  client    @refused@cli

ab  listener  @listener@srv
ab  client    @connect@cli ESTABLISHED->CLOSE@cli=reset_sent
ab  accepted  @accept@srv/listener ESTABLISHED->CLOSE@srv/listener=reset_received

tw  listener  @listener@srv
tw  client    @connect@cli @passive-close@cli
tw  accepted  @accept@srv/listener @fin-wait2@srv FIN_WAIT2->CLOSE@srv=orderly
tw  client2   @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
tw  accepted2 @accept@srv/listener @passive-close@srv ESTABLISHED->CLOSE_WAIT@srv/listener

pf  listener  @listener@srv
pf  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
pf  accepted  @accept@srv/listener @passive-close@wrk ESTABLISHED->CLOSE_WAIT@srv/listener

pw  listener  @listener@srv
pw  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
pw  accepted  @accept@srv/listener @passive-close@wrk ESTABLISHED->CLOSE_WAIT@srv/listener

of  listener  @listener@srv
of  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
of  accepted  @accept@srv/listener @passive-close@srv ESTABLISHED->CLOSE_WAIT@srv/listener
              LAST_ACK->CLOSE@srv=reset_received

dm  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@wrk=orderly
dm  client    @client-fin-wait2@cli FIN_WAIT2->CLOSE@cli=orderly
dm  accepted  @accept@srv/listener @passive-close@wrk ESTABLISHED->CLOSE_WAIT@srv/listener
"""

# cf6 is cf on ::1
SAME_AS = {"cf6": "cf"}

# the snapshot's "timer" kinds (include/tcpstates.h TS_TIMER_LIST); every kernel of the matrix
# has the fields they are read from (5.10 too)
TIMER_KINDS = ("off", "retransmit", "probe", "keepalive", "timewait")

HOOK_TP_BTF = "tp_btf/inet_sock_set_state"
HOOK_TP = "tracepoint/sock/inet_sock_set_state"

# ---- what the tracer says about the features -------------------------------------------------
# The names of the JSON summary's "features" and of the -v table's rows (user/feature.c), in order,
# and the words of each in the start-up line.
FEATURES = ["tp_btf", "cookies", "socket_storage", "recursion_backup", "owner_takeover_recv",
            "owner_takeover_send", "owner_exit", "resets", "reset_reasons", "destroy_witness", "timewait",
            "timewait_check", "timewait_kill_reasons", "snapshot"]
WHAT = {
    "tp_btf": "state hook tp_btf", "cookies": "socket cookies (sock)",
    "socket_storage": "per-socket data in socket storage", "recursion_backup": "recursion backup",
    "owner_takeover_recv": "owner takeover at receive", "owner_takeover_send": "owner takeover at send",
    "owner_exit": "listener owner's exit",
    "resets": "resets sent/received", "reset_reasons": "kernel reason of resets sent",
    "destroy_witness": "destroy witness", "timewait": "TIME_WAIT/FIN_WAIT2 minisockets",
    "timewait_check": "silent FIN_WAIT2 -> TIME_WAIT check",
    "timewait_kill_reasons": "timewait early-end reasons", "snapshot": "start-up snapshot",
}
# the why of a feature whose programs the kernel refused (the core run breaks them all)
REFUSED = "refused by the kernel ("
NO_RESET_REASON = "tcp_send_reset has no reason argument (6.10+)"
NO_COOKIE_TRACING = "tracing programs may not ask for them (5.12+)"
NO_FOR_EACH = "no bpf_for_each_map_elem (5.13+), one test run per waiting orphan"
NO_COOKIE_TP = "the classic tracepoint cannot ask for them"
NO_BACKUP_TP = "the classic tracepoint's recursion guard is shared by all programs"
NO_EXIT_TP = "needs tp_btf: a listener's owner that exits stays named"
# the features of programs of their own: all of them refused in the core run
BROKEN = ["owner_takeover_recv", "owner_takeover_send", "owner_exit", "resets", "destroy_witness", "timewait",
          "timewait_check"]

# per kernel:
#   cookies       "sock" must be non-null on the default hook (5.10 gives none to tracing programs;
#                 the classic tracepoint's is null everywhere)
#   default_uses  the hook the default must choose
#   off           features the kernel cannot give on the default hook (snapshot aside: the
#                 scenario runs use --no-snapshot, the -v run does not)
#   (owner takeover at send goes through timer_start of tcp_write_timer on every kernel here:
#   tcp_sendmsg_locked, 6.18+, would run a program on every send; it is only the fallback)
#   for_each      bpf_for_each_map_elem (5.13+): the waiting orphans checked in one run, else
#                 one by one, which the start-up line says
KERNELS = {
    "5.10": {"cookies": False, "default_uses": {HOOK_TP_BTF},
             "off": {"reset_reasons", "cookies", "socket_storage"},
             "for_each": False},
    "6.1": {"cookies": True, "default_uses": {HOOK_TP_BTF}, "off": {"reset_reasons"},
            "for_each": True},
    "6.12": {"cookies": True, "default_uses": {HOOK_TP_BTF}, "off": set(),
             "for_each": True},
    "host": {"cookies": True, "default_uses": {HOOK_TP_BTF}, "off": set(),
             "for_each": True},
}

# the runs of guest.sh (hooks): tracer arguments and environment, the table each must meet, the
# hook the tracer must report ("Tracing TCP state transitions (...)"); the feature names the
# summary must list and the start-up line are functions of the kernel, below
# records: what the run writes (--records). connections: a record per socket of the table's
# rows, its path their new states up to its end (CLOSE excluded, a TIME_WAIT ends it), its owner
# and reason those of the transition that ends it (orderly into TIME_WAIT); none: only the
# summary, whose transitions by pair are the table's
HOOKS = {
    "default": {"table": FULL + DM_HEIR, "uses": None},	# KERNELS' default_uses
    "tracepoint": {"table": FULL + DM_NO_HEIR, "uses": {HOOK_TP}},
    "core": {"table": CORE, "uses": {HOOK_TP}},
    "connections": {"table": FULL + DM_HEIR, "uses": None, "records": "connections"},
    "none": {"table": FULL + DM_HEIR, "uses": None, "records": "none"},
}
# the runs on the default hook: the same features and start-up line
DEFAULT_HOOKS = ("default", "connections", "none")
TP_OFF = {"tp_btf", "cookies", "socket_storage", "recursion_backup", "owner_exit"}


def summary_features(kernel, hook, snapshot=False):
    """the summary's "features" of a run, in their order"""
    # --records none finds no owner: its programs are not loaded (said only with -v)
    off = {"owner_takeover_recv", "owner_takeover_send", "owner_exit"} if hook == "none" else set()
    if hook in DEFAULT_HOOKS:
        hook = "default"
    if hook == "core":
        on = set()	# every feature of its own refused; cookies, storage, backup off there
    else:
        on = set(FEATURES) - {"snapshot"} - KERNELS[kernel]["off"]
        if hook == "tracepoint":
            on -= TP_OFF
    if snapshot:
        on.add("snapshot")
    return [f for f in FEATURES if f in on - off]


def startup_line(kernel, hook):
    """the start-up line's items, in order: (feature, off, why); why REFUSED means one that
    starts with it. [] means no line at all."""
    k = KERNELS[kernel]
    items = []
    if hook in DEFAULT_HOOKS:
        hook = "default"
    if hook == "default":
        if "cookies" in k["off"]:
            items.append(("cookies", True, NO_COOKIE_TRACING))
    else:
        items += [("cookies", True, NO_COOKIE_TP), ("recursion_backup", True, NO_BACKUP_TP)]
    if hook == "core":
        items += [(f, True, REFUSED) for f in ("owner_takeover_recv", "owner_takeover_send")]
        items.append(("owner_exit", True, NO_EXIT_TP))
        items.append(("resets", True, REFUSED))
        items.append(("reset_reasons", True,
                      NO_RESET_REASON if "reset_reasons" in k["off"] else "resets are off"))
        items += [(f, True, REFUSED) for f in ("destroy_witness", "timewait")]
        # what builds on timewait is not tried once timewait is refused
        items += [(f, True, "timewait is off") for f in ("timewait_check", "timewait_kill_reasons")]
        return items
    if hook == "tracepoint":
        items.append(("owner_exit", True, NO_EXIT_TP))
    if "reset_reasons" in k["off"]:
        items.append(("reset_reasons", True, NO_RESET_REASON))
    if not k["for_each"]:
        items.append(("timewait_check", False, NO_FOR_EACH))
    return items


def verbose_rows(kernel):
    """the -v table of the default hook with the snapshot: {feature: (on, text the how or why
    starts with, or None)}"""
    on = set(summary_features(kernel, "default", snapshot=True))
    rows = {f: (f in on, None) for f in FEATURES}
    rows["owner_takeover_send"] = (True, "timer_start of tcp_write_timer")
    rows["reset_reasons"] = ((True, "tcp_send_reset's reason argument")
                             if "reset_reasons" not in KERNELS[kernel]["off"]
                             else (False, NO_RESET_REASON))
    return rows


SCENARIOS = ["cf", "cf6", "sf", "rf", "ab", "tw", "pf", "pw", "of", "dm"]


def conn_want(rows):
    """what the connection record of a socket with these expected transitions must say: (path,
    reason, the tslib.Want that ends it)"""
    path, last = [], None
    for w in rows:
        last = w
        if w.new == "CLOSE":
            break
        path.append(w.new)
        if w.new == "TIME_WAIT":
            break
    return path, (last.reason if last.new == "CLOSE" else "orderly"), last


def table_pairs(table):
    """{"OLD->NEW": count} of every scenario's rows (a summary's "transitions")"""
    out = {}
    for sc in SCENARIOS:
        for _, rows in table[sc]:
            for w in rows:
                out[w.name()] = out.get(w.name(), 0) + 1
    return out


def parse_table(text):
    """{scenario: [(socket, [tslib.Want, ...]), ...]} from rows"""
    out = {}
    for line in tslib.table_lines(text):
        sc, sock, *toks = line.split()
        want = tslib.expand(toks)
        vague = [w.name() for w in want if w.who is None or (w.new == "CLOSE" and w.reason
                                                               in (None, tslib.UNCHECKED))]
        if vague:
            raise ValueError("%s %s: no owner, or no reason into CLOSE, on %s" % (sc, sock, vague))
        out.setdefault(sc, []).append((sock, want))
    for alias, orig in SAME_AS.items():
        out[alias] = out[orig]
    return out
