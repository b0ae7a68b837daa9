#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_servers: owners with real servers, in a private network namespace (loopback only):
#   old     python3 -m http.server started before the tracer: the snapshot names it for the
#           listener, and its accepted sockets start with that owner ("listener"), as they do for
#           a listener opened while tracing
#   daemon  nginx in daemon mode with two workers, started while tracing: the process that opens
#           the listener forks the master and exits; the accepted sockets' lines name the master
#           (the listener's heir) until a worker uses them, then the worker - never the process
#           that exited
# The checks: tests/lib/check_servers.py.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

OLD_PORT=8000
DAEMON_PORT=8081

# listening NS PORT: until something listens on 127.0.0.1:PORT in NS (10 s)
listening() {
	local i
	for i in $(seq 200); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN && return 0
		sleep 0.05
	done
	return 1
}

# fetch NS PORT: one HTTP GET from curl in NS; its status line must say 200
fetch() { ip netns exec "$1" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/" | grep -qx 200; }

# nginx_conf DIR PORT: a daemonizing nginx with two workers, everything under DIR
nginx_conf() {
	cat >"$1/nginx.conf" <<EOF
daemon on;
worker_processes 2;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1;
	uwsgi_temp_path $1; scgi_temp_path $1;
	server { listen 127.0.0.1:$2; location / { return 200 "ok\n"; } }
}
EOF
}

command -v nginx >/dev/null || { not_ok "nginx installed (.ci/install-deps.sh)"; finish; }
netns_setup srv || { not_ok "namespaces set up"; finish; }

# old: the listener exists before the tracer
ip netns exec "$NS_S" "$TS_PY" -m http.server "$OLD_PORT" --bind 127.0.0.1 \
	>"$TS_TMP/http.out" 2>&1 &
PYPID=$!
TS_HELPERS+=("$PYPID")
listening "$NS_S" "$OLD_PORT" || { not_ok "python3 http.server listens"; finish; }

start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --netns "/run/netns/$NS_S" ||
	{ not_ok "tracer ready"; finish; }
# the snapshot hands the listener's owner to the BPF side before it lists the listener
wait_for_grep "$TS_TMP/out.jsonl" '"type":"snapshot".*"lport":'"$OLD_PORT"',' 30 ||
	not_ok "old: the snapshot lists the listener"
check "old: curl got 200 (1)" fetch "$NS_S" "$OLD_PORT"
check "old: curl got 200 (2)" fetch "$NS_S" "$OLD_PORT"

# daemon: nginx started while tracing; its first process exits once the master runs
NGX="$TS_TMP/nginx"
mkdir -p "$NGX"
nginx_conf "$NGX" "$DAEMON_PORT"
check "daemon: nginx starts" ip netns exec "$NS_S" nginx -c "$NGX/nginx.conf"
listening "$NS_S" "$DAEMON_PORT" || not_ok "daemon: nginx listens"
MASTER=$(cat "$NGX/nginx.pid" 2>/dev/null)
WORKERS=$(pgrep -d, -P "${MASTER:-0}" nginx)
diag "nginx master ${MASTER:-?}, workers ${WORKERS:-?}"
check "daemon: curl got 200 (1)" fetch "$NS_S" "$DAEMON_PORT"
check "daemon: curl got 200 (2)" fetch "$NS_S" "$DAEMON_PORT"
ip netns exec "$NS_S" nginx -c "$NGX/nginx.conf" -s quit
for i in $(seq 100); do kill -0 "${MASTER:-0}" 2>/dev/null || break; sleep 0.05; done
sleep 0.3	# the last softirq transitions
stop_tracer
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

run_checks "$TS_PY" "$TS_LIB/check_servers.py" "$TS_TMP/out.jsonl" \
	--old-port "$OLD_PORT" --old-pid "$PYPID" --daemon-port "$DAEMON_PORT" \
	--live "$MASTER,$WORKERS" --master "${MASTER:-0}"
validate_json "$TS_TMP/out.jsonl"
finish
