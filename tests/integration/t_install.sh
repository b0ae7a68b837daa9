#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_install: `make install DESTDIR=... PREFIX=/usr` (run without a network) puts exactly the binary,
# the man page and the bash completion there, with their modes, and builds nothing; `make
# uninstall` takes exactly those away. The man page and --help name the same options, both ways,
# and the same version; groff, man and mandoc render the page without a warning. The installed
# completion, driven as readline would in `bash --norc` (with and without the bash-completion
# package), completes options, states, namespaces, hooks and files.
# TI_HELP=FILE: compare the man page with FILE instead of --help (to check the comparison itself).
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

ROOT="$TS_TMP/root"
mk() { make -C "$TS_ROOT" --no-print-directory -s "$@" >"$TS_TMP/make.out" 2>&1; }
file_list() { (cd "$1" && find . ! -type d -printf '%m %P\n' | LC_ALL=C sort); }
# check_show NAME FILE CMD...: check NAME CMD..., and on failure show FILE
check_show() {
	local name=$1 file=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name"; diag "$(cat "$file")"; fi
}

# ---- install -------------------------------------------------------------------------------------

mk -q tcpstates-c
check "the binary is up to date before the install (make -q)" [ $? = 0 ]
before=$(stat -c %Y.%s "$TS_BIN")
# a network namespace of its own, with no interface up: the install needs no network
unshare --net make -C "$TS_ROOT" --no-print-directory -s install DESTDIR="$ROOT" PREFIX=/usr \
	>"$TS_TMP/make.out" 2>&1
rc=$?
check_show "make install DESTDIR PREFIX=/usr, without a network, exits 0 (got $rc)" \
	"$TS_TMP/make.out" [ "$rc" = 0 ]
check "make install rebuilt nothing (the binary's mtime and size unchanged)" \
	[ "$(stat -c %Y.%s "$TS_BIN")" = "$before" ]

cat >"$TS_TMP/expected" <<'EOF'
644 usr/share/bash-completion/completions/tcpstates-c
644 usr/share/man/man8/tcpstates-c.8
755 usr/sbin/tcpstates-c
EOF
file_list "$ROOT" >"$TS_TMP/installed"
check_show "exactly the binary (0755), the man page and the completion (0644) are installed" \
	"$TS_TMP/installed" diff -u "$TS_TMP/expected" "$TS_TMP/installed"
check "the installed files are the built binary, docs/tcpstates-c.8, deploy/bash-completion/" \
	eval 'cmp -s "$TS_BIN" "$ROOT/usr/sbin/tcpstates-c" &&
	cmp -s "$TS_ROOT/docs/tcpstates-c.8" "$ROOT/usr/share/man/man8/tcpstates-c.8" &&
	cmp -s "$TS_ROOT/deploy/bash-completion/tcpstates-c" \
		"$ROOT/usr/share/bash-completion/completions/tcpstates-c"'
version=$("$TS_BIN" --version)
got=$("$ROOT/usr/sbin/tcpstates-c" --version)
check "the installed binary runs: --version says '$got'" test -n "$got" -a "$got" = "$version"

# PREFIX defaults to /usr/local
mk install DESTDIR="$TS_TMP/root-default"
sed 's| usr/| usr/local/|' "$TS_TMP/expected" >"$TS_TMP/expected-default"
file_list "$TS_TMP/root-default" >"$TS_TMP/installed-default"
check "without PREFIX: the same files under usr/local" \
	diff -u "$TS_TMP/expected-default" "$TS_TMP/installed-default"

# ---- the man page --------------------------------------------------------------------------------

MAN="$ROOT/usr/share/man/man8/tcpstates-c.8"
# OPTION words at the start of a line: each option (-X or --long), maybe with one argument, up to
# the first other word. --help: "  -L, --lport LIST    local port"; the rendered man page's tags:
# "       -L, --lport LIST"
opt_words() {
	awk '{
		gsub(",", " ")
		arg = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^(-[[:alnum:]]|--[[:alnum:]][[:alnum:]-]*)$/) { print $i; arg = 1 }
			else if (arg) arg = 0
			else break
		}
	}' | LC_ALL=C sort -u
}
if [ -n "${TI_HELP:-}" ]; then
	cat "$TI_HELP"
else
	"$TS_BIN" --help
fi | grep -E '^[[:space:]]+-[[:alnum:]-]' | opt_words >"$TS_TMP/help.opts"
check "--help lists options ($(wc -l <"$TS_TMP/help.opts"))" [ "$(wc -l <"$TS_TMP/help.opts")" -ge 40 ]

# plain text, no hyphenation (an option cut in two would not be found), wide lines
groff -man -Tascii -rHY=0 -rLL=150n -P-cbou "$MAN" >"$TS_TMP/man.txt" 2>"$TS_TMP/groff.err"
# the OPTIONS section's tags sit at the 7-column indent
sed -n '/^OPTIONS$/,/^[A-Z]/p' "$TS_TMP/man.txt" | grep -E '^ {7}-' | opt_words >"$TS_TMP/man.opts"
check "the man page's OPTIONS section lists options ($(wc -l <"$TS_TMP/man.opts"))" \
	[ "$(wc -l <"$TS_TMP/man.opts")" -ge 40 ]
missing=$(LC_ALL=C comm -23 "$TS_TMP/help.opts" "$TS_TMP/man.opts" | tr '\n' ' ')
check "the man page lists every option --help prints (missing: ${missing:-none})" [ -z "$missing" ]
extra=$(LC_ALL=C comm -13 "$TS_TMP/help.opts" "$TS_TMP/man.opts" | tr '\n' ' ')
check "every option the man page lists is in --help (not there: ${extra:-none})" [ -z "$extra" ]
# and no long option named anywhere in its text is gone from --help (in EXAMPLES, only in the
# tcpstates-c command lines: the other programs' options there are theirs)
awk '/^[A-Z]/ { sec = $0 }
	sec != "EXAMPLES" { print; next }
	{ keep = ($0 ~ /^ +tcpstates-c( |$)/) || cont; if (keep) print; cont = keep && /\\$/ }' \
	"$TS_TMP/man.txt" | grep -oE -- '(^|[^[:alnum:]-])--[[:alnum:]][[:alnum:]-]*' |
	sed 's/^[^-]*//' | LC_ALL=C sort -u >"$TS_TMP/man.mentions"
stale=$(LC_ALL=C comm -23 "$TS_TMP/man.mentions" "$TS_TMP/help.opts" | tr '\n' ' ')
check "every --option the man page mentions is in --help (not there: ${stale:-none})" [ -z "$stale" ]
th=$(sed -n 's/^\.TH .*"\(tcpstates\\-c [^"]*\)".*/\1/p' "$MAN" | sed 's/\\-/-/g')
check "the man page's version is --version's ('$th')" [ "$th" = "$version" ]

groff -man -ww -z "$MAN" >>"$TS_TMP/groff.err" 2>&1
check_show "groff -man -ww renders it without a warning" "$TS_TMP/groff.err" \
	test ! -s "$TS_TMP/groff.err"
MANWIDTH=80 man --warnings -l "$MAN" >/dev/null 2>"$TS_TMP/man.err"
check_show "man --warnings -l renders it without a warning" "$TS_TMP/man.err" \
	test ! -s "$TS_TMP/man.err"
mandoc -Tlint "$MAN" >"$TS_TMP/mandoc.out" 2>&1
rc=$?
check_show "mandoc -Tlint finds nothing (exit $rc)" "$TS_TMP/mandoc.out" \
	test "$rc" = 0 -a ! -s "$TS_TMP/mandoc.out"

# ---- the bash completion -------------------------------------------------------------------------

COMPL="$ROOT/usr/share/bash-completion/completions/tcpstates-c"
BIN="$ROOT/usr/sbin/tcpstates-c"

# the states the completion offers are the ones --state takes (its error lists them)
"$TS_BIN" --state nosuch 2>&1 | sed -n 's/.*(expected one of \(.*\))$/\1/p' | tr ' ' '\n' |
	LC_ALL=C sort >"$TS_TMP/states.bin"
bash --norc --noprofile -c 'source "$1"; printf "%s\n" $_tcpstates_c_states' _ "$COMPL" |
	LC_ALL=C sort >"$TS_TMP/states.compl"
check "the completion's states are those --state takes ($(wc -l <"$TS_TMP/states.bin"))" \
	eval '[ -s "$TS_TMP/states.bin" ] && diff -u "$TS_TMP/states.bin" "$TS_TMP/states.compl"'

NS="tsinst$$"
ip netns add "$NS" && TS_NETNS+=("$NS")
touch "$TS_TMP/out-a.jsonl" "$TS_TMP/out-b.jsonl"

# all_cgroup_dirs PATH...: at least one, each a directory under /sys/fs/cgroup
all_cgroup_dirs() {
	local d
	[ $# -gt 0 ] || return 1
	for d; do [[ $d == /sys/fs/cgroup/* && -d $d ]] || return 1; done
}

# a driver: comp WORD... sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as readline does for
# the words given (the last is the one completed; "=" is a word of its own), runs the function
# and prints COMPREPLY on one line. $1: "plain" or "bash-completion" (the package loaded first)
cat >"$TS_TMP/driver.sh" <<'EOF'
mode=$1 compl=$2
shift 2
[ "$mode" = bash-completion ] && source /usr/share/bash-completion/bash_completion
source "$compl"
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE=
prev=
for w in "$@"; do
	if [ -z "$COMP_LINE" ] || [ "$w" = = ] || [ "$prev" = = ]; then COMP_LINE+=$w; else COMP_LINE+=" $w"; fi
	prev=$w
done
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_tcpstates_c
echo "${COMPREPLY[*]}"
EOF

for mode in plain bash-completion; do
	if [ "$mode" = bash-completion ] && [ ! -f /usr/share/bash-completion/bash_completion ]; then
		not_ok "$mode: /usr/share/bash-completion/bash_completion missing (.ci/install-deps.sh)"
		continue
	fi
	comp() { bash --norc --noprofile "$TS_TMP/driver.sh" "$mode" "$COMPL" "$BIN" "$@" 2>&1; }
	# expect WANT WORD...: the reply is exactly WANT
	expect() {
		local want=$1 got
		shift
		got=$(comp "$@")
		check "$mode: '$*' completes to '$want' (got '$got')" [ "$got" = "$want" ]
	}
	expect "--state --stuck --stuck-detail" --st
	expect "--ipv4 --ipv6" --ip
	expect "ESTABLISHED" --state ESTAB
	expect "CLOSE_WAIT,FIN_WAIT1 CLOSE_WAIT,FIN_WAIT2" --state CLOSE_WAIT,FIN
	expect "FIN_WAIT1 FIN_WAIT2" --state fin-wait
	expect "close-wait,LAST_ACK close-wait,LISTEN" --state close-wait,l
	expect "close-wait,CLOSE close-wait,CLOSING" --state close-wait,clos	# not again
	expect "CLOSE CLOSE_WAIT CLOSING" --state = clos
	expect "auto btf tracepoint" --hook ""
	expect "tracepoint" --hook = t
	expect "connections" --records co
	expect "all" --stuck-detail ""
	expect "" --lport ""
	expect "$TS_TMP/out-a.jsonl $TS_TMP/out-b.jsonl" -o "$TS_TMP/out-"
	expect "$TS_TMP/out-a.jsonl" --dot "$TS_TMP/out-a"
	got=$(comp --netns /run/netns/)
	check "$mode: '--netns /run/netns/' offers /run/netns/$NS (got '$got')" \
		grep -qw -- "/run/netns/$NS" <<<"$got"
	check "$mode: '--netns /run/netns/' offers only /run/netns/NAME paths" \
		eval '[ -z "$(tr " " "\n" <<<"$got" | grep -v "^/run/netns/[^/]\+$")" ]'
	got=$(comp --cgroup "")
	check "$mode: '--cgroup' offers the directories of /sys/fs/cgroup ($(wc -w <<<"$got"))" \
		all_cgroup_dirs $got
	# every option the completion offers is one --help lists, and the other way round
	comp "" | tr ' ' '\n' | LC_ALL=C sort >"$TS_TMP/compl.opts"
	"$TS_BIN" --help | grep -E '^[[:space:]]+-[[:alnum:]-]' | opt_words >"$TS_TMP/help.real"
	check "$mode: the completion offers exactly --help's options" \
		diff -u "$TS_TMP/help.real" "$TS_TMP/compl.opts"
done

# the package loads it on demand from where it was installed: $PREFIX/share is one of the places
# it looks in (XDG_DATA_DIRS, by default /usr/local/share:/usr/share)
got=$(XDG_DATA_DIRS="$ROOT/usr/share" bash --norc --noprofile -c \
	'source /usr/share/bash-completion/bash_completion; __load_completion tcpstates-c &&
	complete -p tcpstates-c' 2>&1)
check "bash-completion loads it from \$PREFIX/share/bash-completion/completions (got '$got')" \
	[ "$got" = "complete -F _tcpstates_c tcpstates-c" ]

# ---- uninstall -----------------------------------------------------------------------------------

mk uninstall DESTDIR="$ROOT" PREFIX=/usr
rc=$?
check_show "make uninstall exits 0 (got $rc)" "$TS_TMP/make.out" [ "$rc" = 0 ]
left=$(file_list "$ROOT" | tr '\n' ' ')
check "make uninstall leaves no file behind (left: ${left:-none})" [ -z "$left" ]
mk uninstall DESTDIR="$TS_TMP/root-default"
left=$(file_list "$TS_TMP/root-default" | tr '\n' ' ')
check "without PREFIX: make uninstall leaves no file behind (left: ${left:-none})" [ -z "$left" ]
mk uninstall DESTDIR="$ROOT" PREFIX=/usr
rc=$?
check "make uninstall again (nothing installed) exits 0 (got $rc)" [ "$rc" = 0 ]
finish
