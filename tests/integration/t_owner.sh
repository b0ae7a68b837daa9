#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_owner: the process named on every transition is the socket's owner, also on the transitions
# the kernel makes in softirq context (where the interrupted task is the peer, across a veth pair).
# Tracers (-j, one per namespace) watch three scenarios between two namespaces (tests/lib/ownerapp.py):
#   a4/a6  plain client and server processes (IPv4, IPv6): the client socket names the client on
#          every line, the listener and the accepted socket the server; the accepted socket is
#          "listener"-owned until the server reads the request, "process" from then on
#   b      prefork server: listener in the parent, accept() in a forked worker that reads the
#          request, sleeps and closes after the client: from ESTABLISHED -> CLOSE_WAIT on the
#          accepted socket names the worker; before that the parent, as "listener"
#   d      prefork server whose worker is blocked in recv() - it has not used the socket yet -
#          when the client closes without a request: ESTABLISHED -> CLOSE_WAIT, made in softirq,
#          names the worker (the process asleep on the socket's wait queue), not the parent;
#          d: the worker's recv() with a timeout (Python polls first), e: a plain blocking recv()
#   c      a connection ended by a second process: the client connects and sends, forks, closes
#          its copy of the descriptor; the child calls shutdown(SHUT_WR), reads to EOF, closes:
#          from ESTABLISHED -> FIN_WAIT1 on the client socket names the child
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

OWNERAPP="$TS_LIB/ownerapp.py"

# oapp NS OUT ARGS...: app (tests/lib/common.sh) with ownerapp.py; sets APP_PID
oapp() { TS_APP=$OWNERAPP app "$@"; }

# ev FILE EVENT KEY: KEY of the first line of FILE whose event is EVENT
ev() { json_field "$@"; }

# run_pair LABEL ADDR SERVER-ARGS... -- CLIENT-ARGS...: server in NS_S, client in NS_C, both to the
# end. Sets SPID CPID SPORT CPORT; returns 1 if the scenario did not run as planned.
run_pair() {
	local label=$1 addr=$2 sargs=() cargs=() f
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cargs=("$@")
	oapp "$NS_S" "$TS_TMP/$label.srv" server --addr "$addr" --port 0 "${sargs[@]}"
	SPID=$APP_PID
	if ! wait_for_grep "$TS_TMP/$label.srv" '"listening"' 10; then
		diag "$label: server did not listen:" "$(cat "$TS_TMP/$label.srv" "$TS_TMP/$label.srv.err")"
		return 1
	fi
	SPORT=$(ev "$TS_TMP/$label.srv" listening port)
	oapp "$NS_C" "$TS_TMP/$label.cli" client --addr "$addr" --port "$SPORT" "${cargs[@]}"
	CPID=$APP_PID
	wait_pid "$CPID" 20
	wait_pid "$SPID" 20
	sleep 0.5	# the last softirq transitions (LAST_ACK -> CLOSE)
	CPORT=$(ev "$TS_TMP/$label.cli" connected lport)
	for f in srv cli; do
		if grep -q '"error"' "$TS_TMP/$label.$f" || [ -s "$TS_TMP/$label.$f.err" ]; then
			diag "$label.$f:" "$(cat "$TS_TMP/$label.$f" "$TS_TMP/$label.$f.err")"
			return 1
		fi
	done
	if [ "$(ev "$TS_TMP/$label.srv" start pid)" != "$SPID" ] ||
		[ "$(ev "$TS_TMP/$label.cli" start pid)" != "$CPID" ] || [ -z "$CPORT" ]; then
		diag "$label: unexpected pids/ports:" "$(cat "$TS_TMP/$label.srv" "$TS_TMP/$label.cli")"
		return 1
	fi
	return 0
}

netns_setup own || { not_ok "namespaces set up"; finish; }
# one tracer per namespace (the machine may carry other traffic, which is none of this test's
# business); the two outputs are merged for the analysis (each socket lives in one namespace)
# --no-timewait: the active closer then ends FIN_WAIT2 -> CLOSE at once (t_timewait tests the rest)
launch_tracer "$TS_TMP/s.jsonl" "$TS_TMP/s.err" -j --no-timewait --netns "/run/netns/$NS_S"
TPID_S=$TRACER_PID
launch_tracer "$TS_TMP/c.jsonl" "$TS_TMP/c.err" -j --no-timewait --netns "$NETNS_C_INO"
TPID_C=$TRACER_PID
if ! wait_tracer_ready "$TPID_S" "$TS_TMP/s.err" || ! wait_tracer_ready "$TPID_C" "$TS_TMP/c.err"; then
	not_ok "tracers start"
	finish
fi

# a4, a6: plain processes; the client sends a request and closes 0.3 s later (so the server has
# read it, and owns the accepted socket, before the FIN arrives)
declare -A RAN
for fam in 4 6; do
	[ "$fam" = 4 ] && addr=$ADDR4_S || addr=$ADDR6_S
	l=a$fam
	if run_pair "$l" "$addr" --name tsc-srv-$l -- --send 16 --sleep 0.3 --name tsc-cli-$l &&
		grep -q '"eof"' "$TS_TMP/$l.srv"; then
		RAN[$l]="$SPID $CPID $SPORT $CPORT"
		ok "scenario $l ran (server $SPID port $SPORT, client $CPID port $CPORT)"
	else
		not_ok "scenario $l ran"
	fi
done

# b: prefork; the worker holds the connection 0.6 s after reading, the client closes after 0.2 s
if run_pair b "$ADDR4_S" --prefork --hold 0.6 --name tsc-srv-b --worker-name tsc-worker-b -- \
	--send 16 --sleep 0.2 --name tsc-cli-b; then
	WPID=$(ev "$TS_TMP/b.srv" worker pid)
	if [ -n "$WPID" ] && [ "$(ev "$TS_TMP/b.srv" accepted pid)" = "$WPID" ] &&
		[ "$(ev "$TS_TMP/b.srv" closed pid)" = "$WPID" ] && [ "$WPID" != "$SPID" ]; then
		RAN[b]="$SPID $CPID $SPORT $CPORT $WPID"
		ok "scenario b ran (server $SPID, worker $WPID port $SPORT, client $CPID port $CPORT)"
	else
		not_ok "scenario b ran (the worker accepted and closed)"
		diag "$(cat "$TS_TMP/b.srv")"
	fi
else
	not_ok "scenario b ran"
fi

# d, e: prefork; the worker blocks in recv() at once (e: without a timeout); the client sends
# nothing and closes after 0.4 s
for l in d e; do
extra=()
[ $l = e ] && extra=(--blocking)
if run_pair $l "$ADDR4_S" --prefork "${extra[@]}" --hold 0.3 --name tsc-srv-$l --worker-name tsc-worker-$l -- \
	--sleep 0.4 --name tsc-cli-$l; then
	WPID=$(ev "$TS_TMP/$l.srv" worker pid)
	if [ -n "$WPID" ] && [ "$(ev "$TS_TMP/$l.srv" accepted pid)" = "$WPID" ] &&
		[ "$(ev "$TS_TMP/$l.srv" request bytes)" = 0 ] && [ "$WPID" != "$SPID" ]; then
		RAN[$l]="$SPID $CPID $SPORT $CPORT $WPID"
		ok "scenario $l ran (server $SPID, worker $WPID blocked in recv() on port $SPORT, client $CPID port $CPORT)"
	else
		not_ok "scenario $l ran (the worker accepted, its recv() returned 0 at the client's FIN)"
		diag "$(cat "$TS_TMP/$l.srv")"
	fi
else
	not_ok "scenario $l ran"
fi
done

# c: the client's forked child ends the connection 0.2 s after the parent sent the request
if run_pair c "$ADDR6_S" --name tsc-srv-c -- --send 16 --sleep 0.2 --fork-close \
	--name tsc-cli-c --closer-name tsc-closer-c; then
	KPID=$(ev "$TS_TMP/c.cli" forked pid)
	if [ -n "$KPID" ] && [ "$KPID" != "$CPID" ] && grep -q '"parent_closed"' "$TS_TMP/c.cli" &&
		[ "$(ev "$TS_TMP/c.cli" closed pid)" = "$KPID" ] && grep -q '"eof"' "$TS_TMP/c.srv"; then
		RAN[c]="$SPID $CPID $SPORT $CPORT $KPID"
		ok "scenario c ran (server $SPID port $SPORT, client $CPID port $CPORT, closer $KPID)"
	else
		not_ok "scenario c ran (the child shut down and closed)"
		diag "$(cat "$TS_TMP/c.cli" "$TS_TMP/c.srv")"
	fi
else
	not_ok "scenario c ran"
fi

for t in S C; do
	v=TPID_$t
	stop_tracer "${!v}"
	check "tracer of namespace $t exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
cat "$TS_TMP/s.jsonl" "$TS_TMP/c.jsonl" >"$TS_TMP/out.jsonl"

# each scenario's sockets (the ports tell them apart: every listener got its own port): the
# sequences of tests/lib/tslib.py (SEQUENCES), each transition's owner by role: srv, cli, wrk (the
# worker), closer (the client's child); the accepted socket is named after the listener's owner
# ("listener") until a process uses it
LISTENER="@listener@srv"
CLIENT="@client-no-tw@cli"
ACCEPTED="@accepted@srv @accept@srv/listener"
for l in a4 a6 b d e c; do
	[ -n "${RAN[$l]:-}" ] || continue
	read -r S C SP CP X <<<"${RAN[$l]}"
	roles=(--role "srv=$S/tsc-srv-$l" --role "cli=$C/tsc-cli-$l")
	client=$CLIENT accepted=$ACCEPTED
	case $l in
	b | d | e)	# the worker from ESTABLISHED -> CLOSE_WAIT on
		roles+=(--role "wrk=$X/tsc-worker-$l")
		accepted="@accepted@wrk @accept@srv/listener" ;;
	c)	# the child from ESTABLISHED -> FIN_WAIT1 on; the server closes after the child's FIN:
		# the child's socket leaves FIN_WAIT2 on its FIN
		roles+=(--role "closer=$X/tsc-closer-c")
		client="@client-no-tw@cli @fin-wait2@closer FIN_WAIT2->CLOSE@closer" ;;
	esac
	run_checks "$TS_PY" "$TS_LIB/expect.py" --json "$TS_TMP/out.jsonl" --label "$l" \
		--netns "$NETNS_S_INO,$NETNS_C_INO" --no-dur --owners "${roles[@]}" \
		--sock listener "$SP" 0 - "$LISTENER" --sock client "$CP" "$SP" - "$client" \
		--sock accepted "$SP" "$CP" - "$accepted"
done

# nothing else in the test's namespaces: 3 sockets per scenario that ran
run_checks "$TS_PY" "$TS_LIB/expect.py" --json "$TS_TMP/out.jsonl" --label all \
	--netns "$NETNS_S_INO,$NETNS_C_INO" --owners --total $((3 * ${#RAN[@]}))
validate_json "$TS_TMP/out.jsonl"
finish
