#!/usr/bin/env bash
# Checks of make profile, as TAP: it profiles bench's known loop (bench one
# known_loop: KNOWN_TURNS turns of a loop in a function of its own, across
# a timer tick, with page faults and a console write after it in the same
# window) and must find, in that function, the loop's instructions times
# its turns plus the ret, exactly; and the whole window's count must be
# what rdinstret counted over it.
# Usage: tests/profile/test_profile.sh   (QEMUCMD of one hart and B from
# tests/run.sh; the build done)
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
NM=${NM:-riscv64-unknown-elf-nm}
LOG=$B/test-logs/profile-known-loop.log

. tests/tap.sh

mkdir -p "$(dirname "$LOG")"
B="$B" NM="$NM" TOP=100 tools/profile/profile.py known_loop >"$LOG" 2>&1
status=$?
tap_result "$status" "make profile BENCH=known_loop runs and its count checks against rdinstret" \
	"status $status (see $LOG)"
grep -q '^check: .*: exact$' "$LOG"
tap_result $? "the window's count is rdinstret's, less the idle waits" "$(grep '^check' "$LOG")"

# The loop's turns, from its source; its instructions, from its size in
# the binary (the loop and one ret, four bytes each).
turns=$(awk '$1 == "#define" && $2 == "KNOWN_TURNS" { sub("u$", "", $3); print $3 }' user/bin/bench.c)
size=$("$NM" -S "$B/user/bin/bench" | awk '$4 == "known_loop" { print $2 }')
if [[ -z $turns || -z $size ]]; then
	tap_not_ok "the known loop's turns and size are found" "KNOWN_TURNS '$turns', known_loop size '$size'"
else
	loop_insns=$((0x$size / 4 - 1))
	want=$((loop_insns * turns + 1))
	# "  12,000,001   99.7%   4.00  bench: known_loop"
	got=$(awk '$NF == "known_loop" && $(NF - 1) == "bench:" { gsub(",", "", $1); print $1 }' "$LOG")
	[[ $got == "$want" ]]
	tap_result $? "known_loop gets its $loop_insns instructions times $turns turns, plus its ret" \
		"want $want, got '${got:-none}' (see $LOG)"
	ops=$(awk '$1 == "window:" && $4 == "operations:" { gsub(",", "", $5); print $5 }' "$LOG")
	[[ $ops == "$turns" ]]
	tap_result $? "the window reports its $turns operations" "got '${ops:-none}'"
fi

# The window's page faults and console write ran in the kernel: its part
# has them.
kernel=$(awk '$1 == "kernel" && $2 == "(S-mode):" { gsub(",", "", $3); print $3 }' "$LOG")
[[ ${kernel:-0} -gt 0 ]]
tap_result $? "the kernel's part counts the window's faults and console write" "kernel part '${kernel:-none}'"

tap_end
