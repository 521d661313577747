#!/usr/bin/env bash
# The GDB page-table commands (tools/gdb/sv32.py) against a live kernel,
# as TAP. One boot under QEMU's gdbstub: gdb-multiarch stops it in the
# self-tests (kernel root), in sys_vmwalk while `walk VA...` typed at the
# shell runs, and in U-mode after that system call; tests/gdb/test_sv32.py
# compares each command's output with the kernel's own answer. Exits
# non-zero on any failure.
# Usage: B=build QEMUCMD="..." tests/gdb/test_gdb.sh   (QEMUCMD as make
# gives it to tests/run.sh; without it, the Makefile's options with $B)
set -u
cd "$(dirname "$0")/../.." || exit 2

B=${B:-build}
QEMUCMD=${QEMUCMD:-qemu-system-riscv32 -machine virt -nographic -m 128M -smp 1 -no-reboot \
-bios \"\$(sbi/opensbi.sh)\" -kernel $B/kernel.elf -global virtio-mmio.force-legacy=false \
-drive file=$B/swap.img,if=none,format=raw,id=swap -device virtio-blk-device,drive=swap}
# As in tests/run.sh: the boot never writes the swap image.
[[ $QEMUCMD == *id=swap,snapshot=on* ]] ||
	QEMUCMD=${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on}
[[ $QEMUCMD == *id=fs,snapshot=on* ]] ||
	QEMUCMD=${QEMUCMD/format=raw,id=fs/format=raw,id=fs,snapshot=on}
# Text, the top of the stack, kernel text, NULL, inside a kernel megapage,
# nothing; then the six entries test_sv32.py plants (its PLANTED).
readonly VAS=(10abc 7fffff00 80400000 0 81234567 44000000
	40000000 40400000 40800000 40c00000 41000000 41412345)
readonly BOOT_TIMEOUT=50
LOGDIR=$B/test-logs
LOG=$LOGDIR/gdb-sv32.log
mkdir -p "$LOGDIR"

# wait_for PATTERN FILE PID: until a line of FILE matches, while PID lives.
wait_for() {
	local i
	for ((i = 0; i < BOOT_TIMEOUT * 10; i++)); do
		grep -aqE -- "$1" "$2" && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Boot QEMU waiting for gdb, run the checks in gdb, type the walk at the
# shell prompt; gdb's output goes to $LOG, QEMU's console to $LOG.qemu.
session() {
	local port=$((20000 + $$ % 20000)) fifo qemu gdb status
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	timeout "$BOOT_TIMEOUT" bash -c "$QEMUCMD -append '' -gdb tcp::$port -S" \
		<"$fifo" >"$LOG.qemu" 2>&1 &
	qemu=$!
	exec 3>"$fifo"
	rm -f "$fifo"
	SV32_TEST_VAS=${VAS[*]} timeout "$BOOT_TIMEOUT" gdb-multiarch -q -nx -batch \
		-ex "target remote :$port" -x tools/gdb/kernel.gdb -x tests/gdb/test_sv32.py \
		-ex kill "$B/kernel.elf" >"$LOG" 2>&1 &
	gdb=$!
	wait_for '^\$ ' "$LOG.qemu" "$gdb" && echo "walk ${VAS[*]}" >&3
	wait "$gdb"
	status=$?
	exec 3>&-
	kill "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
	return "$status"
}

# Number the RESULT lines of $LOG as TAP; a check that never reported fails.
report() {
	local why="gdb exited with $1" plan n=0 failed=0 line
	(($1 == 124)) && why="gdb timed out after ${BOOT_TIMEOUT}s"
	grep -aq "^\$ walk ${VAS[0]}" "$LOG.qemu" || why+=", the shell never got the walk line"
	why+=" (see $LOG and $LOG.qemu)"
	plan=$(sed -n 's/^PLAN //p' "$LOG" | head -1)
	if [[ -z $plan ]]; then
		printf '1..1\nnot ok 1 gdb runs the checks # %s\n' "$why"
		return 1
	fi
	echo "1..$plan"
	while IFS= read -r line; do
		n=$((n + 1))
		if [[ $line == "ok "* ]]; then
			echo "ok $n ${line#ok }"
		else
			failed=$((failed + 1))
			echo "not ok $n ${line#not ok }"
		fi
	done < <(sed -n 's/^RESULT //p' "$LOG")
	for ((n = n + 1; n <= plan; n++)); do
		failed=$((failed + 1))
		echo "not ok $n check $n did not report # $why"
	done
	((failed == 0))
}

session
report $?
