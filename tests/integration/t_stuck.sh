#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_stuck: --stuck SECONDS on the seeds' scenario (a server killed by SIGINT while its client
# stays connected; tcp_fin_timeout 12 in the namespace, so the server's orphan waits). With
# `-j --stuck 2`: the client's CLOSE_WAIT is reported naming the client (an unprivileged user:
# its /proc/PID/fd is read with the capabilities kept for --stuck) with the client among the
# holders; the server's orphaned FIN_WAIT2 naming the dead server, holders []; both with age_ns
# >= 2 s, again at >= 4 s (the age doubled), and no more once the client closed (>= 8 s never
# comes). A CLOSE_WAIT made before the tracer started is reported with since_exact false. Text
# mode prints STUCK lines; the records validate against the schema; without --stuck the tracer
# keeps no capability for it.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

# the client runs as nobody: its script must be readable by nobody wherever the checkout is
# (a fresh machine's clone may sit under a directory only root can enter)
chmod 711 "$TS_TMP"
mkdir -m 755 "$TS_TMP/pub" && install -m 644 "$TS_LIB/seedapp.py" "$TS_TMP/pub/seedapp.py" ||
	{ not_ok "a copy of seedapp.py nobody can read"; finish; }
SEED="$TS_TMP/pub/seedapp.py"
# can nobody run python here? (not in every root: then the client runs as root, and the
# holders are then found without the kept CAP_SYS_PTRACE being needed - said below)
as_nobody
NS="tsc-$$-stuck"
ip netns add "$NS" && TS_NETNS+=("$NS") && ip -n "$NS" link set lo up &&
	ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=12 || { not_ok "namespace set up"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS")

# seedapp NAME ROLE PORT [USER]: start one side in the namespace; waits for its JSON line
seedapp() {
	local name=$1 role=$2 port=$3
	if [ "$role" = client ]; then
		ip netns exec "$NS" "${AS_NOBODY[@]}" \
			"$TS_PY" "$SEED" "$role" "$port" >"$TS_TMP/$name" 2>"$TS_TMP/$name.err" &
	else
		ip netns exec "$NS" "$TS_PY" "$SEED" "$role" "$port" >"$TS_TMP/$name" 2>"$TS_TMP/$name.err" &
	fi
	TS_HELPERS+=("$!")
}
# wait_listen PORT: until something listens on 127.0.0.1:PORT in the namespace (<= 10 s); a
# fixed sleep is not enough for a python start-up on a busy or fresh machine
wait_listen() {
	local i
	for i in $(seq 100); do
		ip netns exec "$NS" ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
pid_of() { "$TS_PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$TS_TMP/$1" "$2"; }

# an old CLOSE_WAIT: its server killed before the tracer starts
seedapp old_srv server 10051
wait_listen 10051 || { not_ok "old server listens"; finish; }
seedapp old_cli client 10051
wait_for_grep "$TS_TMP/old_srv" pid 10 && wait_for_grep "$TS_TMP/old_cli" pid 10 ||
	{ not_ok "old pair connected"; diag "$(cat "$TS_TMP/old_cli.err" "$TS_TMP/old_srv.err" 2>/dev/null | head -5)"; finish; }
OLD_SRV=$(pid_of old_srv pid) OLD_CLI=$(pid_of old_cli pid) OLD_CPORT=$(pid_of old_cli lport)
kill -INT "$OLD_SRV"
sleep 0.3

start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j -v --stuck 2 --netns "$NS_INO" ||
	{ not_ok "tracer starts"; finish; }
TJ=$TRACER_PID
start_tracer "$TS_TMP/out.txt" "$TS_TMP/txt.err" --stuck 2 --netns "$NS_INO" ||
	{ not_ok "text tracer starts"; finish; }
TT=$TRACER_PID
start_tracer "$TS_TMP/plain.jsonl" "$TS_TMP/plain.err" -j -v --netns "$NS_INO" ||
	{ not_ok "tracer without --stuck starts"; finish; }
TP=$TRACER_PID

# the seeds' scenario
seedapp srv server 10050
wait_listen 10050 || { not_ok "server listens"; finish; }
seedapp cli client 10050
wait_for_grep "$TS_TMP/srv" pid 10 && wait_for_grep "$TS_TMP/cli" pid 10 ||
	{ not_ok "pair connected"; finish; }
SRV=$(pid_of srv pid) CLI=$(pid_of cli pid) CPORT=$(pid_of cli lport)
sleep 0.5
kill -INT "$SRV"
T0=$(date +%s.%N)
sleep 2.5
ip netns exec "$NS" ss -tanp >"$TS_TMP/ss"
diag "$(cat "$TS_TMP/ss")"
# capabilities while tracing, with and without --stuck
check "--stuck keeps CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH (CapEff $(awk '/CapEff/{print $2}' /proc/$TJ/status))" \
	[ "$(awk '/CapEff/{print $2}' /proc/$TJ/status)" = 0000000000280004 ]
check "without --stuck no capability is kept (CapEff $(awk '/CapEff/{print $2}' /proc/$TP/status))" \
	[ "$(awk '/CapEff/{print $2}' /proc/$TP/status)" = 0000000000000000 ]
# the age doubles past 4 s; then the client goes, and with it both states
sleep 2.5
kill -TERM "$CLI"
sleep 5
kill -TERM "$OLD_CLI"
sleep 0.5
for t in "$TJ:-j --stuck" "$TT:--stuck" "$TP:-j without --stuck"; do
	stop_tracer "${t%%:*}"
	check "tracer ${t#*:} exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
diag "$(grep -- '--stuck\|while tracing' "$TS_TMP/err")"
check "-v says what --stuck keeps" grep -q 'while tracing: capabilities.*CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH for --stuck' "$TS_TMP/err"
check "-v reports the rounds" grep -q -- '--stuck: [0-9]* reports and [0-9]* summaries ([0-9]* reports folded into them) in [0-9]* rounds' "$TS_TMP/err"
check "no seccomp refusal" bash -c "! grep -q 'Operation not permitted' '$TS_TMP/err' '$TS_TMP/txt.err'"

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$TS_TMP/out.txt" "$SRV" "$CLI" "$CPORT" "$OLD_CLI" \
	"$OLD_CPORT" <<'PY'
import json, sys
out, txt, srv, cli, cport, old_cli, old_cport = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
recs = [json.loads(l) for l in open(out)]
stuck = [r for r in recs if r["type"] == "stuck"]
def say(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
for r in stuck:
    print("# %s %s:%d pid %s holders %s age %.2f s exact %s" % (r["state"], r["laddr"], r["lport"],
          r["pid"], r["holders"], r["age_ns"] / 1e9, r["since_exact"]))
cw = [r for r in stuck if r["state"] == "CLOSE_WAIT" and r["lport"] == cport]
f2 = [r for r in stuck if r["state"] == "FIN_WAIT2" and r["lport"] == 10050]
say(len(cw) >= 1 and cw[0]["pid"] == cli and cw[0]["age_ns"] >= 2e9 and cw[0]["since_exact"],
    "client's CLOSE_WAIT reported, naming the client (pid %d), age >= 2 s" % cli)
say(cw and any(h["pid"] == cli for h in cw[0]["holders"]), "its holders include the client")
say(len(cw) >= 2 and cw[1]["age_ns"] >= 4e9 and cw[0]["age_ns"] < 4e9,
    "reported again when its age doubled (>= 4 s)")
say(len(f2) >= 1 and f2[0]["pid"] == srv and f2[0]["age_ns"] >= 2e9 and f2[0]["holders"] == [],
    "server's orphaned FIN_WAIT2 reported, naming the dead server (pid %d), holders []" % srv)
say(len(f2) >= 2 and f2[1]["age_ns"] >= 4e9, "the orphan reported again at >= 4 s")
of2 = [r for r in stuck if r["state"] == "FIN_WAIT2" and r["lport"] == 10051]
say(len(of2) >= 2 and of2[0]["since_exact"] is False and of2[1]["age_ns"] >= 4e9,
    "an orphan older than the tracer: reported at >= 2 s and >= 4 s (%d reports)" % len(of2))
say(not [r for r in cw + f2 if r["age_ns"] >= 8e9], "no report once the client closed (>= 8 s)")
say(any(r["type"] == "transition" and r["lport"] == cport and r["oldstate"] == "CLOSE_WAIT"
        for r in recs), "the client's transition out of CLOSE_WAIT printed as usual")
say(len(cw) == 2 and len(f2) == 2, "exactly two reports each (got %d, %d)" % (len(cw), len(f2)))
old = [r for r in stuck if r["state"] == "CLOSE_WAIT" and r["lport"] == old_cport]
say(old and old[0]["since_exact"] is False and old[0]["pid"] == old_cli and old[0]["owner"] == "snapshot"
    and any(h["pid"] == old_cli for h in old[0]["holders"]),
    "a CLOSE_WAIT older than the tracer: since_exact false, owner and holder the client")
keys = ["type", "time", "sock", "pid", "comm", "rx_queue", "tx_queue", "owner", "cgroup", "family",
        "laddr", "lport", "raddr", "rport", "timer", "netns", "state", "since", "since_exact",
        "age_estimated", "age_ns", "diagnosis", "unread_bytes", "eof_read", "last_recv_ago_ns",
        "last_send_ago_ns", "holders", "holders_total"]
say(stuck and all(list(r) == keys for r in stuck), "stuck records have exactly the keys, in order")
# read now: the CLOSE_WAIT has no timer armed (no keepalive, nothing to send); the orphan's
# FIN_WAIT2 minisocket ends within tcp_fin_timeout (12 s)
say(cw and all(r["timer"] == {"kind": "off", "expires_in_ns": None, "retries": None} for r in cw)
    and f2 and all(r["timer"]["kind"] == "timewait" and 0 < r["timer"]["expires_in_ns"] <= 12e9
                   for r in f2), "timers read now: CLOSE_WAIT off, the orphan's FIN_WAIT2 timewait <= 12 s")
say(cw and cw[0]["rx_queue"] == 1, "the client's Recv-Q read now: the FIN (1)")
lines = [l for l in open(txt) if " STUCK " in l]
print("# " + "".join(open(txt).readlines()[:1] + lines).replace("\n", "\n# "))
say(any("CLOSE_WAIT" in l and ("held by %d/python3 fd " % cli) in l for l in lines) and
    any("FIN_WAIT2" in l and "held by none" in l for l in lines), "text: STUCK lines with holders")
# why: the client has read the data before the server's FIN, not the FIN; the orphan waits for it
say(cw and all(r["diagnosis"] == "eof_unread" and r["eof_read"] is False and r["unread_bytes"] == 0
               for r in cw) and f2 and all(r["diagnosis"] == "peer_silent" for r in f2),
    "diagnoses: the client's CLOSE_WAIT eof_unread, the orphan peer_silent")
sums = [r for r in recs if r["type"] == "stuck_summary"]
say(stuck and not sums, "no summary: each round's group is one socket, its report says it all")
PY
validate_json "$TS_TMP/out.jsonl"
finish
