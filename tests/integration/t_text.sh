#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_text: the column output. Header columns exactly; the lines of a known connection match the
# format (time HH:MM:SS.ffffff, owner pid and comm, addresses, ports, OLD -> NEW, MS with three
# decimals or "-") and line up under the header; -T adds the date, -x a hex SKADDR column, -w
# widens the address columns so IPv6 lines line up too.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup txt || { not_ok "namespaces set up"; finish; }
P=$((30000 + $$ % 10000))
P6=$((P + 1))
declare -A TPID
for c in "plain|" "date|-T" "skaddr|-x" "wide|-w"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	# --no-timewait --no-snapshot: one connection is then exactly 12 lines at once (a listener made
	# while the snapshot runs is listed too; t_timewait and t_snapshot test those)
	launch_tracer "$TS_TMP/$label.txt" "$TS_TMP/$label.err" --no-timewait --no-snapshot --port "$P,$P6" ${c#*|}
	TPID[$label]=$TRACER_PID
done
for label in "${!TPID[@]}"; do
	wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20 || { not_ok "tracer $label ready"; finish; }
done
T0=$(date +%s)
basic_connection 4 "$TS_TMP/v4" --port "$P" || not_ok "IPv4 scenario ran"
V4_SRV=$SRV_PID V4_CLI=$CLI_PID V4_CPORT=$CLI_PORT
basic_connection 6 "$TS_TMP/v6" --port "$P6" || not_ok "IPv6 scenario ran"
V6_SRV=$SRV_PID V6_CLI=$CLI_PID V6_CPORT=$CLI_PORT
for label in "${!TPID[@]}"; do
	stop_tracer "${TPID[$label]}"
	check "tracer $label exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done

run_checks "$TS_PY" - "$TS_TMP" "$P" "$P6" "$ADDR4_S" "$ADDR4_C" "$ADDR6_S" "$ADDR6_C" \
	"$V4_SRV" "$V4_CLI" "$V4_CPORT" "$V6_SRV" "$V6_CLI" "$V6_CPORT" "$T0" <<'PY'
import datetime, re, sys, tslib
(tmp, P, P6, A4S, A4C, A6S, A6C, S4, C4, CP4, S6, C6, CP6, T0) = sys.argv[1:]
R = tslib.Results()
HEADER = "TIME PID COMM LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE MS REASON".split()
TIME = r"\d{2}:\d{2}:\d{2}\.\d{6}"
DATE = r"\d{4}-\d{2}-\d{2}[ T]"
MS = r"(\d+\.\d{3}|-)"

def lines(label):
    with open("%s/%s.txt" % (tmp, label)) as f:
        text = f.read()
    R.check(text.endswith("\n"), "%s: output ends with a complete line" % label)
    return text.splitlines()

def line_re(prefix, pid, laddr, lport, raddr, rport, old, new, extra=""):
    # REASON follows MS on transitions into CLOSE only
    return re.compile(r"^%s\s+%s\s+python3\s+%s%s\s+%s\s+%s\s+%s\s+%s\s+->\s+%s\s+%s(\s+[a-z_]+)?$" % (
        prefix, pid, extra, re.escape(laddr), lport, re.escape(raddr), rport, old, new, MS))

def find_one(ls, rx, what):
    m = [l for l in ls if rx.search(l)]
    R.check(len(m) == 1, what, "want exactly one line matching %s; got %d" % (rx.pattern, len(m)),
            *ls[:30])
    return m[0] if m else None

def arrow_aligned(ls, header, what, pick):
    col = header.index("->") if "->" in header else -1
    bad = [l for l in ls[1:] if pick(l) and l.find(" -> ") + 1 != col]
    R.check(col > 0 and not bad, what, "header: %r" % header, *bad[:5])

# --- plain
pl = lines("plain")
R.eq(pl[0].split() if pl else None, HEADER, "plain: header columns exactly")
# the client's first transition: local port may still be 0 then
find_one(pl, line_re(TIME, C4, A4C, "(0|%s)" % CP4, A4S, P, "CLOSE", "SYN_SENT"),
         "plain: client CLOSE -> SYN_SENT line")
l = find_one(pl, line_re(TIME, C4, A4C, CP4, A4S, P, "SYN_SENT", "ESTABLISHED"),
             "plain: client SYN_SENT -> ESTABLISHED line")
l2 = find_one(pl, line_re(TIME, C4, A4C, CP4, A4S, P, "ESTABLISHED", "FIN_WAIT1"),
              "plain: client ESTABLISHED -> FIN_WAIT1 line")
if l2:
    ms = l2.split()[-1]
    R.check(ms != "-" and 180 <= float(ms) <= 400, "plain: MS of ESTABLISHED is ~200", l2)
# the server's accepted socket, owned by the server even in softirq
find_one(pl, line_re(TIME, S4, A4S, P, A4C, CP4, "ESTABLISHED", "CLOSE_WAIT"),
         "plain: accepted ESTABLISHED -> CLOSE_WAIT line, owner is the server")
# the listener: remote address is the wildcard (0.0.0.0 or whatever the tool prints), port 0
find_one(pl, re.compile(r"^%s\s+%s\s+python3\s+%s\s+%s\s+\S+\s+0\s+CLOSE\s+->\s+LISTEN\s+%s$" % (
    TIME, S4, re.escape(A4S), P, MS)), "plain: listener CLOSE -> LISTEN line")
mine4 = [x for x in pl[1:] if A4C in x.split() or A4S in x.split()]
R.eq(len(mine4), 12, "plain: 12 lines for the IPv4 connection", *mine4)
if l:
    now = datetime.datetime.now()
    t = datetime.datetime.strptime(l.split()[0], "%H:%M:%S.%f")
    secs = (t.hour * 3600 + t.minute * 60 + t.second)
    nows = now.hour * 3600 + now.minute * 60 + now.second
    R.check(abs((nows - secs + 43200) % 86400 - 43200) < 60,
            "plain: TIME is the wall clock (within a minute of now)", l, now.isoformat())
arrow_aligned(pl, pl[0] if pl else "", "plain: IPv4 lines line up under the header",
              lambda x: A4C in x.split() or A4S in x.split())

# --- -T
dl = lines("date")
today = {datetime.date.today().isoformat(),
         datetime.date.fromtimestamp(int(T0)).isoformat()}
find_one(dl, line_re(DATE + TIME, C4, A4C, CP4, A4S, P, "SYN_SENT", "ESTABLISHED"),
         "-T: line starts with the date and time")
ds = [x for x in dl[1:] if A4C in x.split()]
R.check(ds and all(x[:10] in today for x in ds), "-T: the date is today", *ds[:3])

# --- -x
xl = lines("skaddr")
hx = xl[0].split() if xl else []
R.check("SKADDR" in hx, "-x: header has a SKADDR column", xl[:1])
if "SKADDR" in hx:
    i = hx.index("SKADDR")
    R.eq([h for h in hx if h != "SKADDR"], HEADER, "-x: the other columns unchanged")
    rows = [x.split() for x in xl[1:] if A4C in x.split()]
    # REASON is empty (no cell) except on the transitions into CLOSE
    bad = [r for r in rows if len(r) not in (len(hx) - 1, len(hx)) or not re.fullmatch(r"(0x)?[0-9a-f]{8,16}", r[i])]
    R.check(rows and not bad, "-x: a hex kernel address in the SKADDR column", *map(str, bad[:5]))
    # the client and the accepted socket are different sockets
    cli = {r[i] for r in rows if r[hx.index("PID")] == C4}
    acc = {r[i] for r in rows if r[hx.index("PID")] == S4 and r[hx.index("RPORT")] == CP4}
    R.check(len(cli) == 1 and len(acc) == 1 and cli != acc,
            "-x: one SKADDR per socket (client %s, accepted %s)" % (cli, acc))

# --- -w
wl = lines("wide")
R.eq(wl[0].split() if wl else None, HEADER, "-w: header columns exactly")
R.check(wl and pl and len(wl[0].rstrip()) > len(pl[0].rstrip()), "-w: header is wider",
        "plain: %r" % (pl[0] if pl else None), "wide:  %r" % (wl[0] if wl else None))
find_one(wl, line_re(TIME, C6, A6C, CP6, A6S, P6, "SYN_SENT", "ESTABLISHED"),
         "-w: IPv6 client SYN_SENT -> ESTABLISHED line")
mine6 = [x for x in wl[1:] if A6C in x.split() or A6S in x.split()]
R.eq(len(mine6), 12, "-w: 12 lines for the IPv6 connection", *mine6)
arrow_aligned(wl, wl[0] if wl else "", "-w: IPv4 and IPv6 lines line up under the header",
              lambda x: any(a in x.split() for a in (A4C, A4S, A6C, A6S)))
R.done()
PY
finish
