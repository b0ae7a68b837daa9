# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# expect.py - what tcpstates-c -j must print for each kscen scenario, per hook, and what each
# kernel may leave out: the specification tests/kernels/check_kernel.py checks the guests against.
#
# A row: SCENARIO SOCKET TRANSITION... (an indented line continues the row above). SOCKET names
# which socket of the scenario (ports from kscen's line for it):
#   listener  lport = port, rport 0         client   lport = cport, rport = port (rf: any lport)
#   accepted  lport = port, rport = cport   client2/accepted2  the second socket with those ports (tw)
# TRANSITION: OLD->NEW@WHO[/listener][:REASON][~MIN-MAX]
#   WHO      the owner: srv, cli or wrk (the scenario's server, client or prefork worker: its pid
#            and its comm ks-srv-XX, ks-cli-XX, ks-wrk-XX), "-" unknown (pid and comm null)
#   /listener  "owner":"listener" (the listener's owner, before a process used the socket);
#            otherwise "owner":"process" (or "unknown" for "-")
#   :REASON  the "reason" key; given exactly on transitions into CLOSE, null on the others
#   ~MIN-MAX dur_ns (time spent in OLD) between MIN and MAX seconds
# Besides the rows, on every transition of a scenario's socket: family as the scenario's,
# loopback addresses, dur_ns null on the socket's first transition and an integer after, and
# (where KERNELS says so) a non-null "sock" that is the same on every line of the socket.
# Nothing else may use the scenario's server port.
#
# Where the rows come from: the host (6.18) in a private network namespace with the tracer of
# 2026-11-30 (f08a5d9), where everything works: FULL is what its default hook (tp_btf) prints.
# FALLBACK is what --hook tracepoint prints there today, and it gives less, on purpose or not
# (to be settled with the lead; until then the rows say what the fallback does now):
#   - no owner before a process acts on an accepted socket: LISTEN->SYN_RECV, SYN_RECV->ESTABLISHED
#     and ESTABLISHED->CLOSE_WAIT are "@-" (unknown), not the listener's owner nor the process
#     that read from it (no owner takeover), so the prefork worker appears only at its close;
#   - no timewait following: the active closer ends "FIN_WAIT2->CLOSE :orderly" right away (no
#     FIN_WAIT2->TIME_WAIT, no TIME_WAIT->CLOSE :reused), the orphan too (not ":timeout" 2 s later);
#   - "sock" null (the README: null on the fallback hook when the kernel assigned no cookie).

FULL = """
cf  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
cf  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->FIN_WAIT1@cli
              FIN_WAIT1->FIN_WAIT2@cli FIN_WAIT2->TIME_WAIT@cli
cf  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->CLOSE_WAIT@srv CLOSE_WAIT->LAST_ACK@srv LAST_ACK->CLOSE@srv:orderly

sf  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
sf  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->CLOSE_WAIT@cli
              CLOSE_WAIT->LAST_ACK@cli LAST_ACK->CLOSE@cli:orderly
sf  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->FIN_WAIT1@srv FIN_WAIT1->FIN_WAIT2@srv FIN_WAIT2->TIME_WAIT@srv

rf  client    CLOSE->SYN_SENT@cli SYN_SENT->CLOSE@cli:refused

ab  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
ab  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->CLOSE@cli:reset_sent
ab  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->CLOSE@srv:reset_received

tw  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
tw  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->CLOSE_WAIT@cli
              CLOSE_WAIT->LAST_ACK@cli LAST_ACK->CLOSE@cli:orderly
tw  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->FIN_WAIT1@srv FIN_WAIT1->FIN_WAIT2@srv FIN_WAIT2->TIME_WAIT@srv
              TIME_WAIT->CLOSE@srv:reused
tw  client2   CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->FIN_WAIT1@cli
              FIN_WAIT1->FIN_WAIT2@cli FIN_WAIT2->TIME_WAIT@cli
tw  accepted2 LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->CLOSE_WAIT@srv CLOSE_WAIT->LAST_ACK@srv LAST_ACK->CLOSE@srv:orderly

pf  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
pf  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->FIN_WAIT1@cli
              FIN_WAIT1->FIN_WAIT2@cli FIN_WAIT2->TIME_WAIT@cli
pf  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->CLOSE_WAIT@wrk CLOSE_WAIT->LAST_ACK@wrk LAST_ACK->CLOSE@wrk:orderly

of  listener  CLOSE->LISTEN@srv LISTEN->CLOSE@srv:orderly
of  client    CLOSE->SYN_SENT@cli SYN_SENT->ESTABLISHED@cli ESTABLISHED->FIN_WAIT1@cli
              FIN_WAIT1->FIN_WAIT2@cli FIN_WAIT2->CLOSE@cli:timeout~1.5-4.5
of  accepted  LISTEN->SYN_RECV@srv/listener SYN_RECV->ESTABLISHED@srv/listener
              ESTABLISHED->CLOSE_WAIT@srv CLOSE_WAIT->LAST_ACK@srv LAST_ACK->CLOSE@srv:reset_received
"""

# cf6 is cf on ::1
SAME_AS = {"cf6": "cf"}

# the hooks: what guest.sh runs (HOOK: tracer arguments), the table each must meet, and the
# hook the tracer must report ("Tracing TCP state transitions (...)")
HOOK_TP_BTF = "tp_btf/inet_sock_set_state"
HOOK_TP = "tracepoint/sock/inet_sock_set_state"
HOOKS = {
    "default": {"table": FULL, "uses": {HOOK_TP_BTF}},
    "tracepoint": {"table": FULL, "uses": {HOOK_TP}},
}

# per kernel: cookies - "sock" must be non-null on the default hook (5.10 gives none to tracing
# programs; the fallback's may be null everywhere, as the README says); default_uses - the hooks
# the default may choose (5.10: whichever serves best there, as long as the rows hold)
KERNELS = {
    "5.10": {"cookies": False, "default_uses": {HOOK_TP_BTF, HOOK_TP}},
    "6.1": {"cookies": True, "default_uses": {HOOK_TP_BTF}},
    "6.12": {"cookies": True, "default_uses": {HOOK_TP_BTF}},
    "host": {"cookies": True, "default_uses": {HOOK_TP_BTF}},
}

SCENARIOS = ["cf", "cf6", "sf", "rf", "ab", "tw", "pf", "of"]


def parse_table(text):
    """{scenario: [(socket, [token, ...]), ...]} from rows"""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and rows:
            rows[-1][2].extend(line.split())
        else:
            sc, sock, *toks = line.split()
            rows.append((sc, sock, toks))
    out = {}
    for sc, sock, toks in rows:
        out.setdefault(sc, []).append((sock, toks))
    for alias, orig in SAME_AS.items():
        out[alias] = out[orig]
    return out


def split_token(tok):
    """OLD->NEW@WHO[/listener][:REASON][~MIN-MAX] -> (token without ~..., (min, max) or None)"""
    base, _, rng = tok.partition("~")
    if not rng:
        return base, None
    lo, hi = rng.split("-")
    return base, (float(lo), float(hi))
