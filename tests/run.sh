#!/usr/bin/env bash
# The test runner behind `make test`: the host unit tests (cmocka, TAP
# output), then the guest tests, which boot the kernel under QEMU and check
# its KTAP output, its messages and QEMU's exit status. Prints one line per
# suite and, last, "N passed, M failed"; exits non-zero on any failure.
# Usage: tests/run.sh [--unit-only] UNIT_BINARY...   (QEMUCMD from make)
#        tests/run.sh --only GROUP...   (guest checks only: make test ONLY=...)
#        tests/run.sh --list            (the names of those groups)
set -u
cd "$(dirname "$0")/.." || exit 2
# A QEMU that died early must not take the runner with it when we write to
# its console: the write fails, the check reports it, the count goes on.
trap '' PIPE

PASSED=0
FAILED=0
LOGDIR=${B:-build}/test-logs
TIMEOUT=${TEST_TIMEOUT:-120}
mkdir -p "$LOGDIR"

# Test boots never write the swap image: QEMU keeps their writes in a
# temporary overlay (snapshot=on), so each boot starts from a fresh mkswap
# disk. (QEMU still locks the image: no `make qemu` in this tree meanwhile.)
[[ $QEMUCMD == *id=swap,snapshot=on* ]] || # (a lane below inherits it so)
	QEMUCMD=${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on}
B=${B:-build} # the build folder (make passes it)
SMP=${SMP:-2} # the harts of QEMUCMD (make passes it)

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL: $*"; }

# Count TAP/KTAP result lines in $1; a missing result counts as a failure.
count_tap() {
	local log=$1 name=$2 ok notok plan
	# -a: a log may hold raw bytes a program wrote (the fuzzer does).
	ok=$(grep -acE '^ok [0-9]+' "$log")
	notok=$(grep -acE '^not ok [0-9]+' "$log")
	plan=$(grep -aoE '^1\.\.[0-9]+' "$log" | head -1 | cut -d. -f3)
	grep -aE '^not ok [0-9]+' "$log" | sed 's/^/  FAIL: /'
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + notok))
	if [ -z "$plan" ]; then
		fail "$name: no test plan in the output (see $log)"
	elif [ $((ok + notok)) -lt "$plan" ]; then
		FAILED=$((FAILED + plan - ok - notok))
		echo "  FAIL: $name: $((plan - ok - notok)) of $plan tests did not report (see $log)"
	fi
	echo "$name: $ok passed, $notok failed"
}

run_unit() {
	local bin=$1 name log status
	name=$(basename "$bin")
	log=$LOGDIR/$name.log
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
	status=$?
	count_tap "$log" "unit $name"
	if [ "$status" -ne 0 ] && ! grep -aqE '^not ok' "$log"; then
		fail "unit $name exited with status $status (see $log)"
	fi
}

E2FSCK=${E2FSCK:-$(command -v e2fsck || echo /sbin/e2fsck)}
RESIZE2FS=${RESIZE2FS:-$(command -v resize2fs || echo /sbin/resize2fs)}
DEBUGFS=${DEBUGFS:-$(command -v debugfs || echo /sbin/debugfs)}
MKE2FS=${MKE2FS:-$(command -v mke2fs || echo /sbin/mke2fs)}

# Each boot gets its own copy of the file-system disk ($FSIMG), so that
# every boot starts from the image the build made; fs_clean checks the
# copy with e2fsck afterwards.
# FS_GROW=SIZE grows the copy (resize2fs) for a boot that needs room.
fs_copy() {
	FSIMG=$LOGDIR/fs-$1.img
	cp --sparse=always "$B/fs.img" "$FSIMG"
	if [ -n "${FS_GROW:-}" ]; then
		truncate -s "$FS_GROW" "$FSIMG"
		"$RESIZE2FS" -f "$FSIMG" >/dev/null 2>&1 || echo "  (resize2fs of $FSIMG failed)"
	fi
}

# fs_clean NAME: one test: e2fsck -fn finds the boot's disk clean,
# whatever the boot did to it (a write, a crash, a panic).
fs_clean() {
	local out
	if out=$("$E2FSCK" -fn "$FSIMG" 2>&1); then
		pass
		rm -f "$FSIMG"
	else
		fail "$1-fs-is-clean: e2fsck -fn: $(printf '%s' "$out" | grep -v '^Pass\|^e2fsck' |
			head -3 | tr '\n' ' ') (see $FSIMG)"
	fi
}

# boot NAME APPEND [EXTRA QEMU OPTIONS...]: run the kernel to its end with
# no console input; sets LOG and STATUS. Then e2fsck checks its disk (a
# copy of build/fs.img, unless the caller put another disk in QEMUCMD).
boot() {
	local name=$1 append=$2 own=false
	shift 2
	LOG=$LOGDIR/guest-$name.log
	[[ $QEMUCMD == *"file=$B/fs.img,"* ]] && own=true && fs_copy "$name"
	timeout "$TIMEOUT" bash -c "${QEMUCMD/file=$B\/fs.img,/file=${FSIMG:-},} \"\$@\" -append '$append'" \
		qemu "$@" </dev/null >"$LOG" 2>&1
	STATUS=$?
	if $own; then
		fs_clean "$name"
	fi
}

# expect NAME PATTERN...: every extended regexp must match a line of $LOG.
expect() {
	local name=$1 pat
	shift
	for pat in "$@"; do
		if ! grep -aqE -- "$pat" "$LOG"; then
			fail "$name: no line matches '$pat' (see $LOG)"
			return 1
		fi
	done
	return 0
}

# check NAME WANT_STATUS PATTERN...: one test for a boot's status and output.
check() {
	local name=$1 want=$2
	shift 2
	if [ "$STATUS" -eq 124 ]; then
		fail "$name: timed out after ${TIMEOUT}s (see $LOG)"
	elif [ "$STATUS" -ne "$want" ]; then
		fail "$name: QEMU exited with $STATUS, expected $want (see $LOG)"
	elif expect "$name" "$@"; then
		pass
		echo "guest $name: ok"
	fi
}

# smp N CMD...: run CMD with QEMUCMD booting N harts instead of $SMP.
smp() {
	local n=$1
	shift
	QEMUCMD=${QEMUCMD/-smp $SMP /-smp $n } "$@"
}

# suite NAME APPEND [QEMU OPTIONS...]: boot an in-guest KTAP suite as
# init; count its results and check that init ended with status 0.
suite() {
	boot "$1" "$2" "${@:3}"
	count_tap "$LOG" "guest $1"
	check "$1-exit" 0 'init exited with status 0'
}

# The self-tests, KTAP, counted one by one; QEMU exits 0 only if all pass.
guest_ktest() {
	local name=$1 append=$2 banner=$3
	shift 3
	boot "$name" "$append" "$@"
	count_tap "$LOG" "guest $name"
	check "$name-exit-and-banner" 0 "$banner"
}

# Type commands at the shell once its prompt is up, then power off.
# console_boot NAME: boot with the shell as init on a copy of the disk,
# its console input from fd 3 (written by the caller); sets LOG and
# CONSOLE_PID. console_end NAME: close fd 3, wait, set STATUS, check the
# disk. wait_prompts N: until the log shows more than N prompts, or QEMU
# is gone.
console_boot() {
	local fifo
	LOG=$LOGDIR/guest-$1.log
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	fs_copy "$1"
	timeout "$TIMEOUT" bash -c "${QEMUCMD/file=$B\/fs.img,/file=$FSIMG,} -append ''" <"$fifo" \
		>"$LOG" 2>&1 &
	CONSOLE_PID=$!
	exec 3>"$fifo"
	rm -f "$fifo"
}

console_end() {
	exec 3>&-
	wait "$CONSOLE_PID"
	STATUS=$?
	fs_clean "$1"
}

wait_prompts() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		(($(grep -ac '^\$ ' "$LOG") > $1)) && return 0
		kill -0 "$CONSOLE_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

guest_shell() {
	local name=shell-session
	console_boot "$name"
	wait_prompts 0
	printf '%s\n' 'echo hello   world' 'ls /bin' 'ps' 'cat /etc/motd | cat' 'walk 10000' \
		'walk -m 0x1337babe' 'walk --tables' \
		'test_proc --segv' 'kill -9 1' 'no-such-command' 'poweroff' >&3
	console_end "$name"
	check "$name" 0 'hello world' '^test_proc.?$' 'PID +PPID .* PT HART NAME' '1 +0 .* 12K +- init' \
		'[0-9]+ +[0-9]+ running .* [0-9]+ ps' \
		'Welcome\. The files' 'pte0 at pa 0x[0-9a-f]{8}: 0x[0-9a-f]{8} .*VR-XU' \
		'mapped and touched the page at 0x1337b000' \
		'vpn\[1\] 76 \(0x04c\), vpn\[0\] 891 \(0x37b\), offset 0xabe' \
		'pte0 at pa 0x[0-9a-f]{5}dec: 0x[0-9a-f]{8} ppn 0x[0-9a-f]{5} VRW-U-AD leaf' \
		'PDE +76 \(0x04c\) at CR3 \+ 0x130 = 0x[0-9a-f]{5}130: P=1, the page table at' \
		'PTE +891 \(0x37b\) at PT \+ 0xdec = 0x[0-9a-f]{5}dec: P=1 R/W=1 U/S=1 A=1 D=1 G=0' \
		'offset 0xabe: physical 0x[0-9a-f]{5}abe' \
		'one flat table of 2\^20 = 1048576 entries +4194304 bytes \(4 MiB\)' \
		'two levels: at least a root and one table +8192 bytes \(8 KiB\)' \
		'this process, pid [0-9]+ +root \+ +2 tables +12288 bytes \(12 KiB\)' \
		'killed \(SIGSEGV\): load page fault at 0x80400000 \(kernel address\)' \
		'\[killed: SIGSEGV\]' 'kill: 1: Not owner' 'no-such-command' \
		'power: off'
}

# The file commands and redirections at the shell, on the ext2 root. Each
# command is typed once the prompt for it is up (a burst of them could
# overrun the console's 256-byte input ring), so every output line stands
# alone and the session is the same on every run.
FS_SHELL_COMMANDS=(
	'cd /tmp' 'mkdir fsh' 'cd fsh' 'pwd'
	'echo hello > x' 'cat x' 'echo world >> x' 'cat < x' 'wc < x' 'wc x'
	'echo one two three > y' 'cat < y | wc > counts' 'cat counts'
	'cp x copy' 'mkdir d' 'cp x d' 'ls d' 'mv copy d/moved' 'ls -l d' 'touch t' 'ls -l'
	'rm t' 'ls t' 'cat < nofile' 'echo lost > nodir/f' 'rmdir d'
	'rm d/x d/moved x y counts' 'rmdir d' 'cd ..' 'pwd' 'rmdir fsh' 'ls fsh'
	'cd' 'pwd' 'sync' 'poweroff'
)
guest_fs_shell() {
	local name=fs-shell-session n=0 cmd deadline=$((SECONDS + TIMEOUT))
	LOG=$LOGDIR/guest-$name.log
	: >"$LOG"
	fs_copy "$name"
	for cmd in "${FS_SHELL_COMMANDS[@]}"; do
		n=$((n + 1))
		while [ "$(grep -ac '^\$ ' "$LOG")" -lt "$n" ] && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
		printf '%s\n' "$cmd" || break
	done | timeout "$TIMEOUT" bash -c "${QEMUCMD/file=$B\/fs.img,/file=$FSIMG,} -append ''" \
		>"$LOG" 2>&1
	STATUS=$?
	fs_clean "$name"
	check "$name" 0 '^/tmp/fsh.?$' '^hello.?$' '^world.?$' '^2 2 12.?$' '^2 2 12 x.?$' \
		'^1 3 14.?$' '^x.?$' '^- +12 moved.?$' '^- +0 t.?$' '^d +[0-9]+ d.?$' \
		'^- +12 x.?$' '^- +7 counts.?$' '^ls: t: No such file or directory' \
		'^sh: nofile: No such file or directory' '^sh: nodir/f: No such file or directory' \
		'^rmdir: d: Directory not empty' '^/tmp.?$' '^ls: fsh: No such file or directory' \
		'^/.?$' 'power: off'
}

# The GDB page-table commands (tools/gdb/sv32.py) against a live kernel,
# one boot: tests/gdb/test_gdb.sh, whose TAP is counted here.
guest_gdb() {
	LOG=$LOGDIR/guest-gdb.log
	B="$B" QEMUCMD="$QEMUCMD" tests/gdb/test_gdb.sh >"$LOG" 2>&1
	count_tap "$LOG" "guest gdb"
}

# Type-ahead: commands piped into `make qemu` before QEMU starts, during
# the boot and at the prompt all reach the shell whole and in order (the
# firmware's UART set-up used to swallow the first byte). Each echo has
# runs of blanks, so its output ("1 before-boot") differs from the
# terminal's echo of the typed line.
guest_typeahead() {
	local name=typeahead-reaches-the-shell
	LOG=$LOGDIR/guest-$name.log
	: >"$LOG"
	{
		printf 'echo 1   before-boot\n'
		wait_for_line '^sv32 kernel:'
		printf 'echo 2   during-boot\n'
		wait_for_line '^\$ '
		printf 'echo 3   at-the-prompt\n'
		wait_for_line '3 at-the-prompt'
		printf 'poweroff\n'
	} | timeout "$TIMEOUT" make -s B="$B" qemu >"$LOG" 2>&1
	STATUS=$?
	local lines
	lines=$(grep -anoE '[123] (before-boot|during-boot|at-the-prompt)' "$LOG" | cut -d: -f2 | tr '\n' ' ')
	if grep -aq 'sh: .*No such file' "$LOG"; then
		fail "$name: the shell got a broken command: $(grep -a 'sh: ' "$LOG" | head -1)"
	elif [ "$lines" != "1 before-boot 2 during-boot 3 at-the-prompt " ]; then
		fail "$name: the commands' output, in order, was '$lines' (see $LOG)"
	else
		check "$name" 0 'power: off'
	fi
}

# make qemu SMP=4: three spin programs in the background and ps show a
# process running on each of the four harts at once.
guest_four_harts_busy() {
	local name=shell-keeps-four-harts-busy
	LOG=$LOGDIR/guest-$name.log
	: >"$LOG"
	{
		wait_for_line '^\$ '
		printf 'spin 20 &\nspin 20 &\nspin 20 &\n'
		sleep 2
		printf 'ps\n'
		wait_for_line '[0-9] ps'
		printf 'poweroff\n'
	} | timeout "$TIMEOUT" make -s B="$B" SMP=4 qemu >"$LOG" 2>&1
	STATUS=$?
	# "  PID  PPID STATE RES SWAP PT HART NAME": the harts of running ones
	local harts
	harts=$(tr -d '\r' <"$LOG" | awk '$3 == "running" && $8 ~ /^(spin|ps)$/ { print $7 }' | sort -u | tr '\n' ' ')
	if [ "$harts" != "0 1 2 3 " ]; then
		fail "$name: ps showed running processes on harts '$harts', not 0 1 2 3 (see $LOG)"
	else
		check "$name" 0 'power: off'
	fi
}

# Every lab both ways (make lab-check): its student tree builds and fails
# its grader, and this tree passes it.
guest_labs() {
	local log=$LOGDIR/lab-check.log
	B="$B" tools/labs/check.sh >"$log" 2>&1
	count_tap "$log" "guest lab-check"
}

# docs/tour.md, replayed command by command (tests/tour/replay.sh).
guest_tour() {
	local log=$LOGDIR/guest-tour.log
	B="$B" QEMUCMD="$QEMUCMD" tests/tour/replay.sh >"$log" 2>&1
	count_tap "$log" "guest tour"
}

# wait_for_line PATTERN: wait until a line of $LOG matches (or time is up).
wait_for_line() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -aqE -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}

# USER_EXTRA=DIR builds DIR/*.c into /bin; make run INIT=... runs one as
# init and exits with its status (here its argc, 3).
guest_user_extra() {
	local name=user-extra-and-make-run
	LOG=$LOGDIR/guest-$name.log
	timeout "$TIMEOUT" make -s B="$B/extra" USER_EXTRA=tests/extra run \
		INIT='/bin/hello_extra one two' APPEND=quiet >"$LOG" 2>&1
	STATUS=$?
	# make reports the program's non-zero status as its own error 2.
	[ "$STATUS" -eq 2 ] && grep -aq 'init exited with status 3' "$LOG" && STATUS=3
	check "$name" 3 'hello_extra argv\[0\]=/bin/hello_extra' 'argv\[2\]=two' \
		'^init exited with status 3'
}

# Any USER_EXTRA folder works, moved, removed or swapped for another: two
# folders with a program of the same name, the first deleted in between;
# a folder whose files are older than the last initramfs; a third folder,
# with old files, swapped in while the second still exists; and no
# USER_EXTRA at all, after which no extra program is left in /bin.
guest_user_extra_folders() {
	local name=user-extra-folders dir=$LOGDIR/user-extra-folders d
	LOG=$LOGDIR/guest-$name.log
	rm -rf "$dir" && mkdir -p "$dir/a" "$dir/b" "$dir/c" "$dir/d"
	for d in a b d; do
		printf '#include <stdio.h>\nint main(void) { puts("extra x from %s"); return 0; }\n' \
			"$d" >"$dir/$d/x.c"
	done
	printf '#include <stdio.h>\nint main(void) { puts("extra y"); return 0; }\n' >"$dir/b/y.c"
	printf '#include <stdio.h>\nint main(void) { puts("extra z"); return 0; }\n' >"$dir/c/z.c"
	touch -d '2001-01-01' "$dir/b/x.c" "$dir/b/y.c" "$dir/d/x.c"
	local extra=(make -s B="$B/extra" APPEND=quiet)
	{
		"${extra[@]}" USER_EXTRA="$dir/a" run INIT=/bin/x && rm -rf "$dir/a" &&
			"${extra[@]}" USER_EXTRA="$dir/b" run INIT=/bin/x &&
			"${extra[@]}" USER_EXTRA="$dir/c" run INIT=/bin/z &&
			"${extra[@]}" USER_EXTRA="$dir/b" run INIT=/bin/y &&
			"${extra[@]}" USER_EXTRA="$dir/d" run INIT=/bin/x &&
			"${extra[@]}" run INIT='/bin/ls /bin'
	} </dev/null >"$LOG" 2>&1
	STATUS=$?
	if grep -aqE '^/?(bin/)?[xyz].?$' "$LOG"; then
		fail "$name: an extra program is still in /bin without USER_EXTRA (see $LOG)"
	else
		check "$name" 0 '^extra x from a' '^extra x from b' '^extra z' '^extra y' \
			'^extra x from d' '^sh.?$'
	fi
}

# make plots draws its pictures (eight boots of /bin/bench repl), then
# tests/plots/test_plots.sh checks them against replsim and the boot logs.
# The eight boots together get five times one boot's timeout: beside the
# other lane of make test they take some four minutes.
guest_plots() {
	local log=$LOGDIR/make-plots.log
	if timeout "$((TIMEOUT * 5))" make -s B="$B" plots >"$log" 2>&1; then
		B="$B" run_host_script tests/plots/test_plots.sh
	else
		fail "make plots failed or timed out (see $log)"
	fi
}

# Small RAM. The layout QEMU gives is checked before the kernel reads a
# byte of it: an -initrd past the end of RAM and mem= below the end of the
# kernel image are each refused with one line and status 101 (a panic
# would be 100).
guest_small_ram() {
	guest_ktest ktest-7m-smallest ktest 'sv32 kernel: 7 MiB RAM' -m 7M
	boot proc-suite-8m 'init=/bin/test_proc quiet' -m 8M
	count_tap "$LOG" "guest proc-suite-8m"
	check proc-suite-8m-exit 0 'init exited with status 0'
	boot vm-suite-8m 'init=/bin/test_vm quiet' -m 8M
	count_tap "$LOG" "guest vm-suite-8m"
	check vm-suite-8m-exit 0 'init exited with status 0'
	boot initrd-past-end-of-ram 'quiet' -m 8M -initrd "$B/initramfs.cpio"
	check initrd-past-end-of-ram-is-refused 101 \
		'^boot: the initrd at 0x80800000-0x[0-9a-f]{8} is not inside RAM 0x80000000-0x80800000'
	boot mem-below-kernel-image 'quiet mem=5M' -m 8M
	check ram-below-the-kernel-image-is-refused 101 \
		'^boot: the kernel image at 0x80400000-0x[0-9a-f]{8} is not inside RAM 0x80000000-0x80500000'
}

# The guest checks, in groups: each a function, listed in GUEST_GROUPS
# (name=function) in the order `make test` runs them; `tests/run.sh --only
# NAME...` runs only those (make test ONLY=...; tools/mutate uses it).
group_ktest() {
	guest_ktest ktest ktest 'sv32 kernel: 128 MiB RAM.*ASIDLEN [0-9]'
	check ktest-builtin-initramfs 0 '^initramfs: [0-9]+ KiB, built into the kernel image'
}

# Also QEMU's -initrd, which the device tree names: it is used instead
# of the built-in initramfs.
group_ktest_initrd() {
	guest_ktest ktest-256m-smp2-sbi-timer-initrd ktest 'sv32 kernel: 256 MiB RAM.*timer sbi' \
		-m 256M -smp 2 -cpu rv32,sstc=off -initrd "$B/initramfs.cpio"
	check ktest-initrd-from-device-tree 0 '^initramfs: [0-9]+ KiB at 0x8[0-9a-f]{7}, from the device tree'
}

# RAM that reaches 4 GiB (2 GiB from 0x80000000) is trimmed, not refused.
group_ktest_2g() {
	guest_ktest ktest-2g ktest 'sv32 kernel: 2047 MiB RAM' -m 2G
}

# QEMUCMD asks for modern virtio-mmio; the last -global wins, so this is legacy.
group_ktest_legacy_virtio() {
	guest_ktest ktest-legacy-virtio ktest 'virtio-blk: disk 0 at 0x[0-9a-f]{8} irq [0-9]+, legacy, ' \
		-global virtio-mmio.force-legacy=true
}

# The swap disk through blkdebug, failing every read of sector 1000
# (PLATFORM.md 8.1); QEMUCMD is changed for this one call only.
group_ktest_blk_ioerr() {
	printf '[inject-error]\nevent = "read_aio"\niotype = "read"\nerrno = "5"\nsector = "1000"\n' \
		>"$LOGDIR/blk-ioerr.conf"
	QEMUCMD=${QEMUCMD/-drive file=/-drive file=blkdebug:$LOGDIR/blk-ioerr.conf:} \
		guest_ktest ktest-blk-ioerr 'ktest ktest.ioerr_sector=1000' \
		'^# vblk: read of sector 1000 failed with -EIO as injected'
}

# The process, VM and fuzz suites on one hart and on four; the
# others on $SMP (two unless make test SMP=N says otherwise).
group_proc_suite_smp1() {
	smp 1 suite proc-suite-smp1 'init=/bin/test_proc quiet'
}

# The file-system suite (tests/guest/test_fs.c) on one hart and on four,
# at 32 MiB of RAM so that its workload of three times RAM (96 MiB) goes
# through the page cache and back, on a copy of the disk grown to hold it.
# The three-times-RAM workload takes most of a boot's timeout on four
# harts (109 s in one run), and longer beside the other lane.
group_fs_suite_smp1() {
	TIMEOUT=$((TIMEOUT * 3)) FS_GROW=192M smp 1 suite fs-suite-smp1 'init=/bin/test_fs quiet' -m 32M
}

group_fs_suite_smp4() {
	TIMEOUT=$((TIMEOUT * 3)) FS_GROW=192M smp 4 suite fs-suite-smp4 'init=/bin/test_fs quiet' -m 32M
}

# A crash in the middle of a write workload (tests/guest/fs_crash.c):
# QEMU is killed with SIGKILL once 24 files are fsynced, while it goes on
# writing. e2fsck -fy must then repair the disk (status 0 or 1) and leave
# it clean, and every file reported fsynced must read back whole
# (debugfs), as docs/as-built.md promises.
group_fs_crash() {
	local name=fs-crash pid n i bad=0 fsck
	LOG=$LOGDIR/guest-$name.log
	fs_copy "$name"
	timeout "$TIMEOUT" bash -c "exec ${QEMUCMD/file=$B\/fs.img,/file=$FSIMG,} \
		-append 'init=/bin/fs_crash quiet'" </dev/null >"$LOG" 2>&1 &
	pid=$!
	wait_for_line '^fsynced 24'
	sleep 0.2
	pkill -KILL -P "$pid"
	wait "$pid" 2>/dev/null # (no "Killed" notice: the kill is the test)
	n=$(grep -ac '^fsynced [0-9]' "$LOG")
	"$E2FSCK" -fy "$FSIMG" >"$LOGDIR/fs-crash-fsck.log" 2>&1
	fsck=$?
	for ((i = 0; i < n; i++)); do
		"$DEBUGFS" -R "cat /tmp/crash/f$i" "$FSIMG" 2>/dev/null |
			cmp -s - <(yes "file $i" 2>/dev/null | head -c 16384 2>/dev/null) || bad=$((bad + 1))
	done
	if [ "$n" -lt 25 ]; then
		fail "$name: the workload fsynced $n files, not 25 (see $LOG)"
	elif [ "$fsck" -gt 1 ]; then
		fail "$name: e2fsck -fy could not repair the disk (status $fsck, see $LOGDIR/fs-crash-fsck.log)"
	elif [ "$bad" -ne 0 ]; then
		fail "$name: $bad of $n fsynced files did not read back whole (see $FSIMG)"
	else
		pass
		echo "guest $name: ok ($n fsynced files intact, e2fsck -fy status $fsck)"
	fi
	fs_clean "$name-after-repair"
}

# refused_disk NAME IMAGE PATTERN: a boot with IMAGE as the file-system
# disk prints PATTERN, keeps the initramfs as the root, and never writes
# IMAGE (its checksum is the same after).
refused_disk() {
	local name=$1 img=$2 sum
	sum=$(md5sum <"$img")
	QEMUCMD=${QEMUCMD//file=$B\/fs.img,/file=$img,} boot "$name" 'init=/bin/ls -- /bin'
	check "$name-is-refused" 0 "$3" '^init exited with status 0'
	if [ "$(md5sum <"$img")" = "$sum" ]; then
		pass
	else
		fail "$name: the refused disk was written"
	fi
}

# A disk that is not ext2, and an ext2-family disk with a feature the
# kernel does not support (ext4's extents), are each refused with one line.
group_fs_refused() {
	local blank=$LOGDIR/not-ext2.img ext4=$LOGDIR/ext4.img
	rm -f "$blank" "$ext4" && truncate -s 16M "$blank"
	refused_disk fs-not-ext2 "$blank" \
		'^fs: disk 1: not ext2 \(no magic 0xEF53\); not mounted, the initramfs is the root'
	truncate -s 16M "$ext4" && "$MKE2FS" -q -F -t ext4 -b 4096 "$ext4" >/dev/null
	refused_disk fs-ext4 "$ext4" \
		'^fs: disk 1: incompat feature 0x[0-9a-f]+ \(.*extents.*\) not supported; not mounted'
}

# A full disk (tests/guest/test_fs_full.c) on an image of the root tree
# with little room left: ENOSPC, the bytes written kept, the space back
# after unlink, and e2fsck clean after.
group_fs_full() {
	local img=$LOGDIR/fs-full.img
	rm -f "$img" && truncate -s 12M "$img"
	"$MKE2FS" -q -F -t ext2 -b 4096 -d "$B/rootfs" "$img" >/dev/null
	QEMUCMD=${QEMUCMD//file=$B\/fs.img,/file=$img,} suite fs-full 'init=/bin/test_fs_full quiet'
	FSIMG=$img fs_clean fs-full
}

# What a program writes is there after a clean poweroff and a new boot of
# the same disk (init's exit writes everything back and unmounts).
group_fs_reboot() {
	local img=$LOGDIR/fs-reboot.img
	cp --sparse=always "$B/fs.img" "$img"
	QEMUCMD=${QEMUCMD//file=$B\/fs.img,/file=$img,} boot fs-reboot-write \
		'init=/bin/cp -- /etc/motd /tmp/kept'
	check fs-reboot-write 0 '^init exited with status 0'
	QEMUCMD=${QEMUCMD//file=$B\/fs.img,/file=$img,} boot fs-reboot-read 'init=/bin/cat -- /tmp/kept'
	check fs-reboot-read-finds-the-file 0 '^Welcome' '^init exited with status 0'
	FSIMG=$img fs_clean fs-reboot
}

group_proc_suite_smp4() {
	smp 4 suite proc-suite-smp4 'init=/bin/test_proc quiet'
}

group_proc_suite_asid_off() {
	boot proc-suite-asid-off 'init=/bin/test_proc quiet asid=off'
	count_tap "$LOG" "guest proc-suite-asid-off"
	check proc-suite-asid-off-exit 0 'init exited with status 0'
}

group_init_exit() {
	boot init-exit-status 'init=/bin/test_proc quiet -- --argc a b'
	check init-exit-status-is-qemu-exit-status 4 '^init exited with status 4'
	boot init-killed 'init=/bin/test_proc quiet -- --segv'
	check init-killed-by-signal-exits-128-plus-signal 139 '^init killed by SIGSEGV'
}

group_panic() {
	boot panic-load 'crash=load'
	check panic-on-kernel-load-fault 100 '^panic: unexpected trap in kernel: load page fault' \
		'scause 0x0000000d stval 0x00001234' 'at 0x[0-9a-f]{8} <crash_load\+' \
		'ra 0x[0-9a-f]{8} <ktest_crash\+' '^backtrace:' '<kmain\+'
	boot panic-store 'crash=store'
	check panic-on-store-to-kernel-text 100 'store page fault' 'scause 0x0000000f' \
		'at 0x[0-9a-f]{8} <crash_store\+'
	boot panic-call 'crash=panic'
	check panic-call-prints-backtrace 100 '^panic: ktest: panic requested' \
		'<crash_panic\+' '<ktest_crash\+' '<kmain\+'
}

# Demand paging and swap: maxframes caps user memory at 4 MiB, so the
# suite's 16 MiB tests really swap; under 2q (the default), clock and
# FIFO. On one hart the consistency check also runs after every reclaim
# pass (vm.check=1), and panics on the first problem.
group_vm_suite_clock_smp1() {
	# A check after every reclaim pass is slow: three boots' time.
	TIMEOUT=$((TIMEOUT * 3)) smp 1 suite vm-suite-clock-smp1 \
		'init=/bin/test_vm quiet maxframes=1024 vm.policy=clock vm.check=1'
	check vm-suite-clock-smp1-checked-every-reclaim-pass 0 \
		'memory_books_balance # vmcheck: 0 problems, [0-9]{4,} checks run'
}

group_vm_suite_clock_smp4() {
	smp 4 suite vm-suite-clock-smp4 'init=/bin/test_vm quiet maxframes=1024 vm.policy=clock'
}

group_vm_suite_2q_smp1() {
	TIMEOUT=$((TIMEOUT * 3)) smp 1 suite vm-suite-2q-smp1 \
		'init=/bin/test_vm quiet maxframes=1024 vm.policy=2q vm.check=1'
	check vm-suite-2q-smp1-checked-every-reclaim-pass 0 \
		'memory_books_balance # vmcheck: 0 problems, [0-9]{4,} checks run'
}

group_vm_suite_2q_smp4() {
	smp 4 suite vm-suite-2q-smp4 'init=/bin/test_vm quiet maxframes=1024 vm.policy=2q'
}

group_vm_suite_fifo() {
	boot vm-suite-fifo 'init=/bin/test_vm quiet maxframes=1024 vm.policy=fifo'
	count_tap "$LOG" "guest vm-suite-fifo"
	check vm-suite-fifo-exit 0 'init exited with status 0'
}

# Out of memory and swap: a 4 MiB swap disk and 1 MiB of user frames.
# small_swap: make that disk, fresh, as $small.
small_swap() {
	small=$LOGDIR/small-swap.img
	rm -f "$small" && truncate -s 4M "$small" && chmod 600 "$small" &&
		"${MKSWAP:-/sbin/mkswap}" -q "$small" >/dev/null
}

group_vm_oom() {
	small_swap
	QEMUCMD=${QEMUCMD//file=$B\/swap.img/file=$small} boot vm-oom \
		'init=/bin/test_vm quiet maxframes=256 vm.check=1 -- oom'
	count_tap "$LOG" "guest vm-oom"
	check vm-oom-kill-message 0 'killed \(SIGKILL\): out of memory and swap at' \
		'memory_books_balance # vmcheck: 0 problems, [0-9]{3,} checks run'
}

# Replacement quality: a page kept hot while a stream four times the
# cap goes past stays resident under clock, goes in turn under FIFO, and
# goes once under 2q (from probation) and never after it came back.
group_vm_hot_page() {
	suite vm-hot-page-clock 'init=/bin/test_vm quiet maxframes=256 vm.policy=clock -- hot clock'
	suite vm-hot-page-fifo 'init=/bin/test_vm quiet maxframes=256 vm.policy=fifo -- hot fifo'
	suite vm-hot-page-2q 'init=/bin/test_vm quiet maxframes=256 vm.policy=2q -- hot 2q'
}

# 2q's ghost table: pages faulted back soon after their eviction outlive
# a stream that evicts pages used once (clock lets both go), and pages in
# use keep their hot place against a loop larger than memory.
group_vm_ghost() {
	suite vm-ghost-2q 'init=/bin/test_vm quiet maxframes=256 vm.policy=2q -- ghost 2q'
	suite vm-ghost-clock 'init=/bin/test_vm quiet maxframes=256 vm.policy=clock -- ghost clock'
}

# Out of memory is decided the same way under FIFO: on one hart it used
# to evict the hogs' clean text for ever (each page faulted straight
# back in) and never ran out.
group_vm_oom_fifo_smp1() {
	small_swap
	QEMUCMD=${QEMUCMD//file=$B\/swap.img/file=$small} smp 1 boot vm-oom-fifo-smp1 \
		'init=/bin/test_vm quiet maxframes=256 vm.policy=fifo vm.check=1 -- oom'
	count_tap "$LOG" "guest vm-oom-fifo-smp1"
	check vm-oom-fifo-smp1-kill-message 0 'killed \(SIGKILL\): out of memory and swap at'
}

# Swap I/O errors (PLATFORM.md 8.1): the first read of slot 100 and
# every write of slot 101 fail. The first pages to go to swap are
# init's own, so slots that far in belong to the test's victim.
# blkdebug sits under no overlay: a private copy of the disk instead of
# snapshot=on, whose copy-on-write reads would trip the read rule.
group_vm_ioerr() {
	printf '[inject-error]\nevent = "read_aio"\niotype = "read"\nerrno = "5"\nsector = "800"\nonce = "on"\n[inject-error]\nevent = "write_aio"\niotype = "write"\nerrno = "5"\nsector = "808"\n' \
		>"$LOGDIR/swap-ioerr.conf"
	cp --sparse=always "$B/swap.img" "$LOGDIR/swap-ioerr.img"
	ioerr_cmd=${QEMUCMD/,snapshot=on/}
	ioerr_cmd=${ioerr_cmd/-drive file=$B\/swap.img/-drive file=blkdebug:$LOGDIR/swap-ioerr.conf:$LOGDIR/swap-ioerr.img}
	QEMUCMD=$ioerr_cmd boot vm-ioerr 'init=/bin/test_vm quiet maxframes=1024 -- ioerr'
	count_tap "$LOG" "guest vm-ioerr"
	check vm-ioerr-messages 0 'killed \(SIGBUS\): swap read error at' \
		'swap: write to slot 101 failed, slot retired'
	cp --sparse=always "$B/swap.img" "$LOGDIR/swap-ioerr.img"
	QEMUCMD=$ioerr_cmd boot vm-ioerr-syscall 'init=/bin/test_vm quiet maxframes=1024 -- ioerr-syscall'
	count_tap "$LOG" "guest vm-ioerr-syscall"
	check vm-ioerr-syscall-message 0 'killed \(SIGBUS\): swap read error at 0x[0-9a-f]{8} in a system call'
}

# A disk that is not swap is never written: the kernel says why and
# runs without swap.
group_no_swap_signature() {
	blank=$LOGDIR/not-swap.img
	rm -f "$blank" && truncate -s 1M "$blank"
	QEMUCMD=${QEMUCMD//file=$B\/swap.img/file=$blank} boot no-swap-signature 'init=/bin/vmstat'
	check disk-without-swap-signature-is-refused 0 \
		'^swap: the virtio-blk disk: no swap signature, not used' '^swap_slots_total 0' \
		'^init exited with status 0'
	cmp -s "$blank" <(head -c 1M /dev/zero) || fail "no-swap-signature: the disk was written"
}

# Random system calls with hostile arguments: the kernel stays up
# and nothing leaks (DESIGN.md section 7).
group_syscall_fuzz_smp1() {
	smp 1 suite syscall-fuzz-smp1 'init=/bin/test_fuzz quiet'
}

group_syscall_fuzz_smp4() {
	smp 4 suite syscall-fuzz-smp4 'init=/bin/test_fuzz quiet'
}

# Several harts: pinning, every hart busy at once, wakeups across
# harts, and the TLB shootdown of a page evicted while its owner runs
# on another hart (tests/guest/test_smp.c).
group_smp_suite_4() {
	smp 4 suite smp-suite-4 'init=/bin/test_smp quiet maxframes=1024 -- 4'
}

group_smp_suite_2() {
	smp 2 suite smp-suite-2 'init=/bin/test_smp quiet maxframes=1024 -- 2'
}

group_vm_trace() {
	boot vm-trace 'init=/bin/echo vm.trace=1 -- traced'
	check vm-trace-prints-one-line-per-fault 0 '^vm: pid 1 va 0x00010000 fetch: (file|cache)' \
		'^vm: pid 1 va 0x7ffff000 store: zero' '^traced'
}

# make qemu, then vm at the shell: the guest's shell prompt comes up inside
# the host's and takes the typed lines (the host's console is raw while
# the guest reads it, so each line echoes once, by the guest); the
# guest's poweroff ends vm, and the host's prompt is back.
guest_hv_shell() {
	local name=hv-shell k
	local -a lines=('vm -m 16' 'echo inside the guest' 'ps' 'poweroff' 'echo back on the host'
		'poweroff')
	console_boot "$name"
	for ((k = 0; k < ${#lines[@]}; k++)); do
		wait_prompts "$k"
		printf '%s\n' "${lines[k]}" >&3
	done
	console_end "$name"
	check "$name" 0 'SBI implementation v0\.1 \(SBI 2\.0\), ASIDLEN [0-9]+, timer sstc, 1 hart' \
		'^inside the guest' '[0-9]+ +[0-9]+ running .* [0-9]+ ps' '^back on the host' 'power: off'
	local echoes
	echoes=$(grep -ac 'echo inside the guest' "$LOG")
	if [ "$echoes" -eq 1 ]; then
		pass
	else
		fail "$name-echoes-once: the typed line shows $echoes times (see $LOG)"
	fi
}

# The hypervisor (kernel/riscv/hv.h): this kernel as a guest of itself,
# running its process suite inside vm, on one host hart and on four;
# the misbehaving guests, two guests at once and the leak check of
# tests/guest/test_hv.c; and a 64 MiB guest's memory test on a host
# capped at 8 MiB of user frames, which swaps the guest's pages.
group_hv_guest_proc_smp1() {
	smp 1 suite hv-guest-proc-smp1 'init=/bin/vm quiet -- -- init=/bin/test_proc quiet'
}

group_hv_guest_proc_smp4() {
	smp 4 suite hv-guest-proc-smp4 'init=/bin/vm quiet -- -- init=/bin/test_proc quiet'
}

# Without Sstc the guest asks for its timer through SBI and the host
# injects the interrupt (hvip.VSTIP).
group_hv_guest_proc_no_sstc() {
	smp 1 suite hv-guest-proc-no-sstc 'init=/bin/vm quiet -- -- init=/bin/test_proc' \
		-cpu rv32,sstc=off
	expect hv-guest-proc-no-sstc-timers 'sv32 kernel: 32 MiB RAM, .* timer sbi, 1 hart' && pass
}

group_hv_suite_smp1() {
	smp 1 suite hv-suite-smp1 'init=/bin/test_hv quiet'
}

group_hv_suite_smp4() {
	smp 4 suite hv-suite-smp4 'init=/bin/test_hv quiet'
}

group_hv_swap() {
	TIMEOUT=$((TIMEOUT * 3)) smp 1 suite hv-swap 'init=/bin/test_hv quiet maxframes=2048 -- swap'
}

# make profile on bench's known loop (tests/profile/test_profile.sh), on
# one hart as make profile boots.
group_profile() {
	local log=$LOGDIR/test_profile.log
	QEMUCMD=${QEMUCMD/-smp $SMP /-smp 1 } B="$B" tests/profile/test_profile.sh >"$log" 2>&1
	count_tap "$log" "guest profile"
}

GUEST_GROUPS=(
	ktest=group_ktest
	ktest-initrd=group_ktest_initrd
	ktest-2g=group_ktest_2g
	ktest-legacy-virtio=group_ktest_legacy_virtio
	ktest-blk-ioerr=group_ktest_blk_ioerr
	proc-suite-smp1=group_proc_suite_smp1
	proc-suite-smp4=group_proc_suite_smp4
	fs-suite-smp1=group_fs_suite_smp1
	fs-suite-smp4=group_fs_suite_smp4
	fs-shell=guest_fs_shell
	fs-crash=group_fs_crash
	fs-refused=group_fs_refused
	fs-reboot=group_fs_reboot
	fs-full=group_fs_full
	proc-suite-asid-off=group_proc_suite_asid_off
	init-exit=group_init_exit
	panic=group_panic
	vm-suite-clock-smp1=group_vm_suite_clock_smp1
	vm-suite-clock-smp4=group_vm_suite_clock_smp4
	vm-suite-fifo=group_vm_suite_fifo
	vm-suite-2q-smp1=group_vm_suite_2q_smp1
	vm-suite-2q-smp4=group_vm_suite_2q_smp4
	vm-oom=group_vm_oom
	vm-hot-page=group_vm_hot_page
	vm-ghost=group_vm_ghost
	vm-oom-fifo-smp1=group_vm_oom_fifo_smp1
	vm-ioerr=group_vm_ioerr
	no-swap-signature=group_no_swap_signature
	syscall-fuzz-smp1=group_syscall_fuzz_smp1
	syscall-fuzz-smp4=group_syscall_fuzz_smp4
	smp-suite-4=group_smp_suite_4
	smp-suite-2=group_smp_suite_2
	vm-trace=group_vm_trace
	profile=group_profile
	hv-guest-proc-smp1=group_hv_guest_proc_smp1
	hv-guest-proc-smp4=group_hv_guest_proc_smp4
	hv-guest-proc-no-sstc=group_hv_guest_proc_no_sstc
	hv-suite-smp1=group_hv_suite_smp1
	hv-suite-smp4=group_hv_suite_smp4
	hv-swap=group_hv_swap
	hv-shell=guest_hv_shell
	small-ram=guest_small_ram
	shell=guest_shell
	tour=guest_tour
	typeahead=guest_typeahead
	four-harts-busy=guest_four_harts_busy
	gdb=guest_gdb
	user-extra=guest_user_extra
	user-extra-folders=guest_user_extra_folders
	plots=guest_plots
	labs=guest_labs
)

# Host scripts that print TAP: the fetch of the rv32 firmware, offline
# (local apt repositories), and the checks of the source tree.
run_host_script() {
	local script=$1 name log
	name=$(basename "$script" .sh)
	log=$LOGDIR/$name.log
	"$script" >"$log" 2>&1
	count_tap "$log" "host $name"
}

# The libFuzzer harnesses of the kernel's parsers, a few seconds each
# (tests/fuzz/run.sh; make fuzz-host runs them longer), as TAP.
host_fuzz() {
	local log=$LOGDIR/fuzz-host.log
	B="$B" tests/fuzz/run.sh >"$log" 2>&1
	count_tap "$log" "host fuzz"
}

# --list: the names of the groups; --only NAME...: those groups alone,
# with no host or unit tests, and the same last line and exit status.
if [ "${1:-}" = --list ]; then
	printf '%s\n' "${GUEST_GROUPS[@]%%=*}"
	exit 0
elif [ "${1:-}" = --only ]; then
	shift
	for name in "$@"; do
		for group in "${GUEST_GROUPS[@]}" ''; do
			[ "${group%%=*}" = "$name" ] && break
		done
		if [ -n "$group" ]; then
			"${group#*=}"
		else
			fail "no group of checks named '$name' (tests/run.sh --list)"
		fi
	done
	if [ -n "${TEST_COUNTS:-}" ]; then # a lane: its counts to the runner
		echo "$PASSED $FAILED" >"$TEST_COUNTS"
	else
		echo "$PASSED passed, $FAILED failed"
	fi
	[ "$FAILED" -eq 0 ]
	exit
fi

# The guest groups run in two lanes side by side, as the machine has two
# cores and most boots keep one busy: these in a second runner (--only)
# that starts first, the rest here after the host and unit tests. Their
# lines interleave, each whole; the counts add up at the end. Groups that
# run make (the labs, the plots, USER_EXTRA, the tour, gdb) share one lane,
# so that no two builds meet; vm-suite-clock-smp1, the longest boot, evens
# the lanes out. TEST_LANES=1 runs everything here, in order.
LANE_B=(labs plots user-extra user-extra-folders gdb tour vm-suite-clock-smp1)
# These boot with make qemu as a user does: QEMU takes a write lock on the
# swap disk, and four-harts-busy needs four harts' worth of host time, so
# they run last, alone, once both lanes are done.
ALONE=(typeahead four-harts-busy)

in_lane_b() {
	local name
	for name in "${LANE_B[@]}"; do
		[ "$name" = "$1" ] && return 0
	done
	return 1
}

alone() {
	local name
	for name in "${ALONE[@]}"; do
		[ "$name" = "$1" ] && return 0
	done
	return 1
}

LANE_PID=
if [[ " $* " != *" --unit-only "* && ${TEST_LANES:-2} -gt 1 ]]; then
	lane_b=()
	for group in "${GUEST_GROUPS[@]}"; do
		in_lane_b "${group%%=*}" && lane_b+=("${group%%=*}")
	done
	rm -f "$LOGDIR/lane-b.counts"
	TEST_COUNTS=$LOGDIR/lane-b.counts bash tests/run.sh --only "${lane_b[@]}" &
	LANE_PID=$!
fi

run_host_script tests/deps/test_opensbi_fetch.sh
run_host_script tests/style/check.sh
[[ " $* " == *" --unit-only "* ]] || host_fuzz
for arg in "$@"; do
	[ "$arg" = --unit-only ] && continue
	run_unit "$arg"
done

if [[ " $* " != *" --unit-only "* ]]; then
	for group in "${GUEST_GROUPS[@]}"; do
		[ -n "$LANE_PID" ] && { in_lane_b "${group%%=*}" || alone "${group%%=*}"; } && continue
		"${group#*=}"
	done
fi
if [ -n "$LANE_PID" ]; then
	wait "$LANE_PID"
	if read -r lane_passed lane_failed <"$LOGDIR/lane-b.counts" 2>/dev/null; then
		PASSED=$((PASSED + lane_passed))
		FAILED=$((FAILED + lane_failed))
	else
		fail "the second lane of guest groups ended without its counts"
	fi
	for group in "${GUEST_GROUPS[@]}"; do
		alone "${group%%=*}" && "${group#*=}"
	done
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
