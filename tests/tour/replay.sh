#!/usr/bin/env bash
# Replay docs/tour.md: each ```tour block is one session. Its first line,
# "$ make qemu [APPEND='...']", boots QEMU with that APPEND; every later
# "$ " line is typed at the shell's prompt once the prompt is there; every
# other line must appear in that command's output, in order, as a shape:
# numbers (decimal or 0x hex) may differ, and so may the width of blanks.
# Prints TAP, one result per command. Usage (from make test, which sets
# QEMUCMD and B): tests/tour/replay.sh [TOUR_FILE]
set -u
cd "$(dirname "$0")/../.." || exit 2
TOUR=${1:-docs/tour.md}
LOGDIR=${B:-build}/test-logs
TIMEOUT=${TEST_TIMEOUT:-120}
[[ $QEMUCMD == *id=swap,snapshot=on* ]] || QEMUCMD=${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on}
[[ $QEMUCMD == *id=fs,snapshot=on* ]] || QEMUCMD=${QEMUCMD/format=raw,id=fs/format=raw,id=fs,snapshot=on}
mkdir -p "$LOGDIR"
trap '' PIPE

. tests/tap.sh

# The ERE for one expected line: regex characters escaped, every number
# any number, every run of blanks any run of blanks.
shape() {
	sed -E -e 's/0x[0-9a-f]+/\x01/g' -e 's/(^|[^0-9A-Za-z_])[0-9]+/\1\x02/g' \
		-e 's/[][\.*^$+?(){}|/]/\\&/g' -e 's/ +/ +/g' \
		-e 's/\x01/0x[0-9a-f]+/g' -e 's/\x02/[0-9]+/g' <<<"$1"
}

# Wait until the log holds more than $1 prompts (or QEMU is gone).
wait_prompts() {
	local want=$1 i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		(($(grep -ac '^\$ ' "$log") > want)) && return 0
		kill -0 "$qemu" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# The output of command k (0: the boot): the lines after the k-th prompt
# line up to the next prompt line.
segment() {
	awk -v k="$1" '/^\$ / { seen++; if (seen > k) exit } seen == k { print }' "$log" | tr -d '\r'
}

# check_segment K NAME EXPECTED...: each expected line matches, in order.
check_segment() {
	local k=$1 name=$2 line pat out rest
	shift 2
	out=$(segment "$k")
	rest=$out
	for line in "$@"; do
		pat=$(shape "$line")
		local at
		at=$(grep -nE -m1 -- "$pat" <<<"$rest" | cut -d: -f1)
		if [[ -z $at ]]; then
			tap_not_ok "$name" "no line like '$line' (see $log)"
			return
		fi
		rest=$(tail -n +$((at + 1)) <<<"$rest")
	done
	tap_ok "$name"
}

# run_session APPEND COMMANDS_FILE: boot, type the commands, check each.
run_session() {
	local append=$1 script=$2 s=$3 fifo
	log=$LOGDIR/tour-$s.log
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	timeout "$TIMEOUT" bash -c "$QEMUCMD -append \"$append\"" <"$fifo" >"$log" 2>&1 &
	qemu=$!
	exec 3>"$fifo"
	rm -f "$fifo"
	# Commands and their expected lines, separated by the commands.
	local -a cmds=() expect=()
	local cur=0 line
	expect[0]=""
	while IFS= read -r line; do
		if [[ $line == '$ '* ]]; then
			cmds+=("${line#\$ }")
			cur=${#cmds[@]}
			expect[cur]=""
		else
			expect[cur]+="$line"$'\n'
		fi
	done <"$script"
	local k
	for ((k = 0; k < ${#cmds[@]}; k++)); do
		wait_prompts "$k" || break
		printf '%s\n' "${cmds[k]}" >&3
	done
	wait_prompts "${#cmds[@]}" || [[ ${cmds[-1]} == poweroff ]]
	exec 3>&-
	wait "$qemu"
	for ((k = 0; k <= ${#cmds[@]}; k++)); do
		local -a lines=()
		mapfile -t lines <<<"${expect[k]%$'\n'}"
		[[ -z ${expect[k]} ]] && lines=()
		local what="session $s: boot"
		((k > 0)) && what="session $s: \$ ${cmds[k - 1]}"
		check_segment "$k" "$what" "${lines[@]}"
	done
}

# Split the tour into sessions: a ```tour block that starts with
# "$ make qemu" begins one; later blocks continue it.
tmp=$(mktemp -d)
awk -v dir="$tmp" '
	/^```tour$/ { inblock = 1; next }
	/^```$/ && inblock { inblock = 0; next }
	inblock && /^\$ make qemu/ {
		s++
		append = ""
		if (match($0, /APPEND=\x27[^\x27]*\x27/))
			append = substr($0, RSTART + 8, RLENGTH - 9)
		print append > (dir "/append." s)
		smp = ""
		if (match($0, /SMP=[0-9]+/))
			smp = substr($0, RSTART + 4, RLENGTH - 4)
		print smp > (dir "/smp." s)
		next
	}
	inblock { print > (dir "/script." s) }
' "$TOUR"
base_cmd=$QEMUCMD
for a in "$tmp"/append.*; do
	s=${a##*.}
	smp=$(cat "$tmp/smp.$s")
	QEMUCMD=$base_cmd
	[[ -n $smp ]] && QEMUCMD=$(sed -E "s/-smp [0-9]+/-smp $smp/" <<<"$base_cmd")
	# A one-hart session shows one order of events, so its ticks must fall
	# at instruction counts, not host time (-icount): on a busy host a tick
	# between the shell's fork and its first store would let the child run
	# first, and the copy and the reuse of the stack page would change
	# sides. With sleep=off an idle hart's clock jumps to its next tick, so
	# a typed command starts just after a tick, every time. (Sessions with
	# more harts show mixed orders anyway, and swap I/O under -icount is slow.)
	[[ $smp == 1 && $QEMUCMD != *-icount* ]] && QEMUCMD+=" -icount shift=0,sleep=off"
	run_session "$(cat "$a")" "$tmp/script.$s" "$s"
done
rm -rf "$tmp"
tap_end
