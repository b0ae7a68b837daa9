# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tslib.py - reading tcpstates-c JSON output in the integration tests: load the records, keep the
# ones of a test's namespaces (or ports), group them per socket, compare exact transition
# sequences. Results are printed as "ok - ..." / "not ok - ..." lines (diagnostics "# ...") that
# tests/lib/common.sh counts. Standard library only.

import ipaddress
import json
import re
import sys


class Results:
    """ok / not ok lines; exit status 1 if anything failed"""

    def __init__(self):
        self.failed = 0

    def ok(self, name):
        print("ok - " + name, flush=True)

    def not_ok(self, name, *diag):
        self.failed += 1
        print("not ok - " + name, flush=True)
        for d in diag:
            for line in str(d).splitlines():
                print("#   " + line, flush=True)

    def check(self, cond, name, *diag):
        if cond:
            self.ok(name)
        else:
            self.not_ok(name, *diag)
        return bool(cond)

    def eq(self, got, want, name, *diag):
        return self.check(got == want, name, "want: %r" % (want,), "got:  %r" % (got,), *diag)

    def done(self):
        sys.exit(1 if self.failed else 0)


def snmp_tcp(path):
    """the "Tcp:" counters of a copy of /proc/net/snmp, by name"""
    lines = [l.split() for l in open(path) if l.startswith("Tcp:")]
    return dict(zip(lines[0][1:], (int(v) for v in lines[1][1:])))


def nearest_rank(values, p):
    """the p-th percentile of values, nearest rank (as stats_hist_percentile reads it)"""
    values = sorted(values)
    k = max(1, -(-len(values) * p // 100))
    return values[int(k) - 1]


def load(path):
    """(records, bad): every JSON line of path; bad lists (lineno, text) of lines that did not parse"""
    recs, bad = [], []
    with open(path, errors="replace") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if not isinstance(d, dict):
                    raise ValueError("not an object")
                recs.append(d)
            except ValueError:
                bad.append((i, line.rstrip("\n")))
    return recs, bad


def load_checked(R, path, label=""):
    """the records of path, after a check that every line is one"""
    recs, bad = load(path)
    R.check(not bad, label + "every output line is a JSON object", "bad lines: %r" % bad[:5])
    return recs


def triage(R, recs, label=""):
    """after a failure: did the tracer itself report loss?"""
    if R.failed:
        lost = [r for r in recs if r.get("type") == "lost"]
        summ = [r for r in recs if r.get("type") == "summary"]
        print("# %s%d lost record(s); summary: %s" % (label, len(lost), summ[-1] if summ else None))


SUMMARY_COUNTS = ("kernel_transitions", "swept_transitions", "lines", "transition_lines",
                  "snapshot_lines")


def summary_adds_up(R, label, recs):
    """check that the summary, last of recs (a whole file, nothing unwritten), counts the records
    it ends: lines all of them, transition_lines and snapshot_lines theirs, none of the
    transitions more than came in (kernel_transitions + swept_transitions); returns it ({} if
    none)"""
    s = recs[-1] if recs and recs[-1].get("type") == "summary" else {}
    got = {k: s.get(k) for k in SUMMARY_COUNTS}
    if not R.check(all(isinstance(v, int) for v in got.values()),
                   "%s: summary has integer %s" % (label, ", ".join(SUMMARY_COUNTS)), s):
        return s
    n = {t: sum(1 for r in recs if r.get("type") == t) for t in ("transition", "snapshot")}
    R.eq((got["lines"], got["transition_lines"], got["snapshot_lines"], s.get("not_written")),
         (len(recs), n["transition"], n["snapshot"], 0),
         "%s: summary lines, transition_lines, snapshot_lines are the records written "
         "(%d, %d transition, %d snapshot)" % (label, len(recs), n["transition"], n["snapshot"]))
    R.check(got["transition_lines"] <= got["kernel_transitions"] + got["swept_transitions"],
            "%s: summary transition_lines <= kernel_transitions + swept_transitions" % label, got)
    return s


def transitions(recs, netns=None, ports=None, addrs=None):
    """transition records, optionally only those whose netns is in `netns`, or one of whose ports
    is in `ports`, or one of whose addresses is in `addrs` (all given filters must hold)"""
    out = []
    addrs = {ipaddress.ip_address(a) for a in addrs} if addrs else None
    for r in recs:
        if r.get("type") != "transition":
            continue
        if netns is not None and r.get("netns") not in netns:
            continue
        if ports is not None and r.get("lport") not in ports and r.get("rport") not in ports:
            continue
        if addrs is not None:
            try:
                mine = {ipaddress.ip_address(r.get("laddr")), ipaddress.ip_address(r.get("raddr"))}
            except ValueError:
                continue
            if not mine & addrs:
                continue
        out.append(r)
    return out


def sockets(trs, by="sock"):
    """{key: [records]} in order of first appearance. key is the socket cookie ("sock"); without
    one (or with by="skaddr"), the kernel address, and a new lifetime starts after a transition
    into CLOSE (addresses are reused). Without cookies a timewait minisocket has an address of
    its own: its records (FIN_WAIT2/TIME_WAIT -> ...) join the connection with the same
    namespace, addresses and ports."""
    socks, live, by_tuple = {}, {}, {}
    for r in trs:
        tup = (r.get("netns"), r.get("laddr"), r.get("lport"), r.get("raddr"), r.get("rport"))
        if by == "sock" and r.get("sock") is not None:
            key = ("sock", r["sock"])
        elif (r.get("skaddr") not in live and r.get("oldstate") in ("FIN_WAIT2", "TIME_WAIT")
              and tup in by_tuple):
            key = by_tuple[tup]
        else:
            addr = r.get("skaddr")
            gen = live.get(addr, 0)
            key = ("skaddr", addr, gen)
            if r.get("newstate") == "CLOSE":
                live[addr] = gen + 1
            else:
                live.setdefault(addr, gen)
        by_tuple[tup] = key
        socks.setdefault(key, []).append(r)
    return socks


def seq(lst):
    return ["%s->%s" % (r.get("oldstate"), r.get("newstate")) for r in lst]


def find(socks, lport, rport):
    """keys of the sockets with some record whose (lport, rport) is exactly this (None: any)"""
    return [k for k, lst in socks.items()
            if any((lport is None or r.get("lport") == lport)
                   and (rport is None or r.get("rport") == rport) for r in lst)]


def describe(socks):
    lines = []
    for k, lst in socks.items():
        last = lst[-1]
        lines.append("%s fam=%s %s:%s -> %s:%s pid=%s comm=%s: %s" % (
            k[1], last.get("family"), last.get("laddr"), last.get("lport"), last.get("raddr"),
            last.get("rport"), last.get("pid"), last.get("comm"), " ".join(seq(lst))))
    return "\n".join(lines) or "(no sockets)"


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


# ---- the expectation grammar ---------------------------------------------------------------------
#
# One grammar for every table of expected transitions: the integration tests' rows (below) and the
# kernel matrix's (tests/kernels/expect.py). A transition:
#
#   OLD->NEW[@WHO[/OWNER]][=REASON][~MIN-MAX][{KEY OP VALUE,...}]
#
#   @WHO      the socket's owner on that line: a role the checker binds to a pid and a comm (the
#             scenario's server, client, worker...), "owner" "process"; /OWNER another kind
#             ("listener": named after the listener's owner, before a process used the socket);
#             "@-" none known (pid and comm null, "owner" "unknown"). Not given: not checked
#   =REASON   the record's "reason" ("=-": null). Not given: not checked (the kernel matrix
#             checks it all the same: null, and a table must give it on transitions into CLOSE)
#   ~MIN-MAX  dur_ns, the time spent in OLD, between MIN and MAX seconds
#   {...}     other keys of the record: OP is =, >= or <=; VALUE a number, null or a word
#
# and named sequences of them:
#
#   @NAME[:STATE][@WHO[/OWNER]]
#             the transitions of SEQUENCES[NAME]; :STATE only those from or to STATE; @WHO the
#             owner of each of them that names none
#
# A transition that is already among the ones before it in a row (a sequence's, say) adds its
# checks to that one: "@accepted LAST_ACK->CLOSE{rx_bytes>=5000}"; any other is appended.

# one socket's transitions, by name: tests/lib/tcpapp.py's plain connection (the client closes
# first) and its parts. The client, the active closer, goes on to TIME_WAIT (it ends 60 s later,
# after the test); with --no-timewait or on the fallback hook (--hook tracepoint) the kernel's
# tracepoint says FIN_WAIT2 -> CLOSE instead (client-no-tw).
SEQUENCES = {
    "listener": "CLOSE->LISTEN LISTEN->CLOSE=orderly",
    "connect": "CLOSE->SYN_SENT SYN_SENT->ESTABLISHED",
    "accept": "LISTEN->SYN_RECV SYN_RECV->ESTABLISHED",
    "fin-wait2": "ESTABLISHED->FIN_WAIT1 FIN_WAIT1->FIN_WAIT2",
    "active-close": "@fin-wait2 FIN_WAIT2->TIME_WAIT=-",
    "passive-close": "ESTABLISHED->CLOSE_WAIT CLOSE_WAIT->LAST_ACK=- LAST_ACK->CLOSE=orderly",
    "client-fin-wait2": "@connect @fin-wait2",
    "client": "@connect @active-close",
    "client-no-tw": "@client-fin-wait2 FIN_WAIT2->CLOSE",
    "accepted": "@accept @passive-close",
    "refused": "CLOSE->SYN_SENT SYN_SENT->CLOSE=refused",
}

OWNED = r"(@(?P<who>[\w-]+)(/(?P<owner>[a-z_]+))?)?"
TRANSITION = re.compile(r"^(?P<old>[A-Z_0-9]+)->(?P<new>[A-Z_0-9]+)" + OWNED +
                        r"(=(?P<reason>[a-z_-]+))?(~(?P<lo>[\d.]+)-(?P<hi>[\d.]+))?"
                        r"(\{(?P<facts>[^}]*)\})?$")
SEQUENCE = re.compile(r"^@(?P<name>[a-z0-9-]+)(:(?P<state>[A-Z_0-9]+))?" + OWNED + "$")
FACT = re.compile(r"^\s*(?P<key>[a-z_]+)\s*(?P<op>>=|<=|=)\s*(?P<value>\S+)\s*$")
UNCHECKED = object()	# a transition's reason when the row does not say


class Want:
    """one expected transition: OLD->NEW, and what its record must hold"""

    def __init__(self, tok):
        m = TRANSITION.match(tok)
        if not m:
            raise ValueError("bad transition %r" % tok)
        self.old, self.new = m["old"], m["new"]
        self.who, self.owner = m["who"], m["owner"]
        self.reason = UNCHECKED if m["reason"] is None else (
            None if m["reason"] == "-" else m["reason"])
        self.dur = (float(m["lo"]), float(m["hi"])) if m["lo"] else None
        self.facts = [fact(f) for f in (m["facts"] or "").split(",") if f.strip()]

    def name(self):
        return "%s->%s" % (self.old, self.new)

    def refine(self, other):
        if other.reason is not UNCHECKED:
            self.reason = other.reason
        if other.who is not None:
            self.who, self.owner = other.who, other.owner
        self.dur = other.dur or self.dur
        self.facts += other.facts

    def owned(self, roles):
        """(pid, comm, owner) the record must have, or None (not checked)"""
        if self.who is None:
            return None
        if self.who == "-":
            return (None, None, "unknown")
        if self.who not in roles:
            raise ValueError("%s: no role %r (roles: %s)" % (self.name(), self.who, sorted(roles)))
        return tuple(roles[self.who]) + (self.owner or "process",)

    def reason_of(self, exact):
        """the reason the record must have, UNCHECKED for any; exact: null when not given"""
        return None if exact and self.reason is UNCHECKED else self.reason

    def matches(self, r, roles, exact=False):
        """does record r meet the transition, its owner and its reason (not dur_ns, facts)?"""
        own, reason = self.owned(roles), self.reason_of(exact)
        return ((r.get("oldstate"), r.get("newstate")) == (self.old, self.new)
                and (own is None or owner_of(r) == own)
                and (reason is UNCHECKED or r.get("reason") == reason))

    def text(self, exact=False):
        """the transition in the grammar (without ~MIN-MAX and facts), as token_of writes one"""
        t = self.name()
        if self.who is not None:
            t += "@" + self.who + ("/" + self.owner if self.owner not in (None, "process") else "")
        reason = self.reason_of(exact)
        if reason is not UNCHECKED and (reason is not None or self.new == "CLOSE" or not exact):
            t += "=" + (reason or "-")
        return t


def fact(text):
    m = FACT.match(text)
    if not m:
        raise ValueError("bad fact %r" % text)
    v = m["value"]
    v = None if v == "null" else int(v) if re.fullmatch(r"-?\d+", v) else v
    return m["key"], m["op"], v


def expand(tokens):
    """[Want] of a row's transition tokens (with @NAME sequences)"""
    out = []
    for tok in tokens:
        m = SEQUENCE.match(tok)
        if tok.startswith("@") and not m:
            raise ValueError("bad sequence %r" % tok)
        if m:
            if m["name"] not in SEQUENCES:
                raise ValueError("no sequence %r (%s)" % (m["name"], " ".join(SEQUENCES)))
            ws = [w for w in expand(SEQUENCES[m["name"]].split())
                  if not m["state"] or m["state"] in (w.old, w.new)]
            for w in ws:
                if w.who is None:
                    w.who, w.owner = m["who"], m["owner"]
        else:
            ws = [Want(tok)]
        for w in ws:
            same = [x for x in out if x.name() == w.name()]
            if same:
                same[0].refine(w)
            else:
                out.append(w)
    return out


def tokens(spec):
    """a row's transitions given as one argument: separated by commas or spaces"""
    return spec.replace(",", " ").split()


def names(seq_name):
    """["OLD->NEW", ...] of SEQUENCES[seq_name]"""
    return [w.name() for w in expand(["@" + seq_name])]


LISTENER = names("listener")
CLIENT_ORDERLY = names("client")
CLIENT_ORDERLY_NO_TW = names("client-no-tw")
ACCEPTED_PASSIVE_CLOSE = names("accepted")


def owner_of(r):
    return (r.get("pid"), r.get("comm"), r.get("owner"))


def who_of(r, roles):
    """the owner of record r in the grammar: a role of roles ({name: (pid, comm)}), else
    PID(COMM); /OWNER unless "process"; "-" for none known"""
    pid, comm, owner = owner_of(r)
    if owner == "unknown" and pid is None and comm is None:
        return "-"
    who = next((n for n, pc in roles.items() if tuple(pc) == (pid, comm)), None)
    who = who or "%s(%s)" % (pid, comm)
    return who if owner == "process" else "%s/%s" % (who, owner)


def token_of(r, roles):
    """record r as a transition of the grammar: OLD->NEW@WHO, =REASON when it has one or goes to
    CLOSE"""
    t = "%s->%s@%s" % (r.get("oldstate"), r.get("newstate"), who_of(r, roles))
    if r.get("reason") is not None or r.get("newstate") == "CLOSE":
        t += "=%s" % (r.get("reason") or "-")
    return t


def table_lines(table, values=None):
    """the rows of a table, one line each: "#" comments dropped, a line that starts with white
    space joined to the row above, "$NAME" replaced from values"""
    lines = []
    for line in table.splitlines():
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line[0].isspace() and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    text = "\n".join(lines)
    if values:
        for k in sorted(values, key=len, reverse=True):
            text = text.replace("$" + k, str(values[k]))
    if "$" in text:
        raise ValueError("no value for %s" % re.findall(r"\$\w+", text))
    return text.splitlines()


# ---- the integration tests' tables --------------------------------------------------------------
#
# A row says what one socket must show, in order:
#
#   NAME  LPORT  RPORT  [KEY=VALUE...]  TRANSITION...
#
# LPORT/RPORT: a number or "-" (any); the socket is the one (exactly one) with a record of these
# ports. KEY=VALUE holds on every record of the socket: pid, comm, family, laddr, raddr (pid and
# raddr also pick the socket among those with the ports: an ephemeral port may be reused by a
# later scenario). TRANSITION: the grammar above; all of them in order and nothing else. A line
# that starts with white space continues the row above; "#" starts a comment. "$NAME" is replaced
# by a value the test passes (its ports, pids and addresses).


class Row:
    def __init__(self, text):
        name, lport, rport, *rest = text.split()
        self.name = name
        self.lport = None if lport == "-" else int(lport)
        self.rport = None if rport == "-" else int(rport)
        self.attrs = dict(t.split("=", 1) for t in rest if "->" not in t and "@" not in t)
        self.want = expand([t for t in rest if "->" in t or t.startswith("@")])


def parse_rows(table, values=None):
    """[Row] of a table; $NAME replaced from values"""
    return [Row(line) for line in table_lines(table, values)]


def ops(got, op, want):
    if op == "=":
        return got == want
    if not isinstance(got, int) or isinstance(got, bool):
        return False
    return got >= want if op == ">=" else got <= want


def check_socket(R, socks, row, what, check_dur=True, roles=None):
    """the socket of a row: exactly one, its transitions in order, then each one's checks, the
    owners (@WHO, roles {name: (pid, comm)}) and the row's KEY=VALUE on every record. Returns
    its records (or None)."""
    keys = [k for k in find(socks, row.lport, row.rport)
            if ("raddr" not in row.attrs
                or any(same_addr(r.get("raddr"), row.attrs["raddr"]) for r in socks[k]))
            and ("pid" not in row.attrs or any(str(r.get("pid")) == row.attrs["pid"] for r in socks[k]))]
    if not R.check(len(keys) == 1, "%s: exactly one socket %s->%s" % (what, row.lport, row.rport),
                   "found %d; sockets seen:" % len(keys), describe(socks)):
        return None
    lst = socks[keys[0]]
    want = [w.name() for w in row.want]
    if not R.eq(seq(lst), want, "%s: transitions" % what):
        return lst
    for w, r in zip(row.want, lst):
        t = "%s: %s" % (what, w.name())
        if w.reason is not UNCHECKED:
            R.eq(r.get("reason"), w.reason, "%s reason %s" % (t, w.reason or "null"), note(r))
        if w.dur:
            d = r.get("dur_ns")
            R.check(isinstance(d, int) and w.dur[0] * 1e9 <= d <= w.dur[1] * 1e9,
                    "%s lasted %s-%s s (%r ns)" % (t, w.dur[0], w.dur[1], d))
        for key, op, v in w.facts:
            R.check(ops(r.get(key), op, v), "%s %s %s %s (got %r)" % (t, key, op, v, r.get(key)),
                    note(r))
    check_owners(R, lst, row, what, roles or {})
    check_attrs(R, lst, row, what)
    if check_dur and lst:
        first_ok = lst[0].get("dur_ns") is None or isinstance(lst[0].get("dur_ns"), int)
        later_bad = [(r["oldstate"], r["newstate"], r.get("dur_ns")) for r in lst[1:]
                     if not isinstance(r.get("dur_ns"), int) or isinstance(r.get("dur_ns"), bool)
                     or r["dur_ns"] < 0]
        R.check(first_ok and not later_bad,
                "%s: dur_ns known (integer >= 0) after the first transition" % what,
                "first: %r" % lst[0].get("dur_ns"), "later: %r" % later_bad)
    return lst


def check_owners(R, lst, row, what, roles):
    """one check for the @WHO of all the row's transitions, if it gives any"""
    owned = [(w, w.owned(roles), r) for w, r in zip(row.want, lst) if w.who is not None]
    if owned:
        wrong = ["%s: want %s/%s/%s got %s/%s/%s" % ((w.name(),) + own + owner_of(r))
                 for w, own, r in owned if owner_of(r) != own]
        R.check(not wrong, "%s: pid/comm/owner on every transition" % what, *wrong)


def check_attrs(R, lst, row, what):
    for key in ("pid", "comm", "family"):
        if key in row.attrs:
            v = row.attrs[key]
            v = int(v) if key != "comm" else v
            bad = [(r["oldstate"], r["newstate"], r.get(key)) for r in lst if r.get(key) != v]
            R.check(not bad, "%s: %s is %s on every transition" % (what, key, v), "wrong on: %r" % bad)
    la, ra = row.attrs.get("laddr"), row.attrs.get("raddr")
    if la or ra:
        # the ports/addresses are final once the socket is connected (the first record of a
        # client may still have port 0 and a wildcard address)
        full = [r for r in lst if (row.lport is None or r.get("lport") == row.lport)
                and (row.rport is None or r.get("rport") == row.rport) and r.get("lport")]
        bad = [(r.get("laddr"), r.get("raddr")) for r in full
               if (la and not same_addr(r.get("laddr"), la)) or (ra and not same_addr(r.get("raddr"), ra))]
        R.check(not bad, "%s: addresses %s -> %s" % (what, la, ra), "wrong: %r" % bad)


def note(r):
    return "reason=%r reset_reason=%r rx_queue=%r tx_queue=%r rx_bytes=%r tx_bytes=%r" % (
        r.get("reason"), r.get("reset_reason"), r.get("rx_queue"), r.get("tx_queue"),
        r.get("rx_bytes"), r.get("tx_bytes"))


def check_table(R, socks, table, values=None, label="", check_dur=True, roles=None):
    """every row of table against socks; {row name: its records (or None)}"""
    return {row.name: check_socket(R, socks, row, label + row.name, check_dur, roles)
            for row in parse_rows(table, values)}


def table_args(p):
    """parse a checker's arguments, with --json OUT, --netns INO,INO and the NAME=VALUE its
    tables' $NAME stand for: (args, {NAME: VALUE}, {netns inode}, Results)"""
    p.add_argument("--json", required=True)
    p.add_argument("--netns", required=True)
    p.add_argument("values", nargs="*", metavar="NAME=VALUE")
    a = p.parse_args()
    return (a, dict(v.split("=", 1) for v in a.values), {int(x) for x in a.netns.split(",")},
            Results())


def output_args(p):
    """parse a checker's arguments, with --json OUT, --label L and --total N (sockets): (args,
    Results, "L: " or "", the records of OUT, checked to be JSON)"""
    p.add_argument("--json", required=True)
    p.add_argument("--label", default="")
    p.add_argument("--total", type=int)
    a = p.parse_args()
    R = Results()
    L = (a.label + ": ") if a.label else ""
    return a, R, L, load_checked(R, a.json, L)


def expect_socket(R, socks, what, lport, rport, want_seq, pid=None, comm=None, family=None,
                  laddr=None, raddr=None, check_dur=True, roles=None):
    """one row given as arguments: want_seq a list of transition tokens (or "@NAME")"""
    row = Row("- - - " + " ".join(want_seq))
    row.lport, row.rport = lport, rport
    row.attrs = {k: str(v) for k, v in (("pid", pid), ("comm", comm), ("family", family),
                                         ("laddr", laddr), ("raddr", raddr)) if v is not None}
    return check_socket(R, socks, row, what, check_dur, roles)


def dur_of(lst, old, new):
    for r in lst or []:
        if r.get("oldstate") == old and r.get("newstate") == new:
            return r.get("dur_ns")
    return None
