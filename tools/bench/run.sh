#!/usr/bin/env bash
# make bench: boot the kernel under qemu -icount shift=0,sleep=off (where
# rdinstret counts guest instructions exactly) with /bin/bench as init, in
# the boots each figure needs, and print "bench: NAME VALUE UNIT" lines,
# then the host wall-clock time of the whole run.
# Usage: tools/bench/run.sh REPLSIM   (QEMUCMD from make)
set -u
cd "$(dirname "$0")/../.." || exit 2
REPLSIM=$1
SEED=${BENCH_SEED:-12345}
start=$(date +%s%N)
# Writes go to a throw-away overlay; idle waits do not sleep in real time.
QEMU_BENCH="${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on} -icount shift=0,sleep=off"
QEMU_BENCH=${QEMU_BENCH/format=raw,id=fs/format=raw,id=fs,snapshot=on}
status=0
if [ "${BENCH_SMP:-0}" -lt 2 ]; then
	echo "bench: BENCH_SMP=${BENCH_SMP:-} must be 2 or more (the multi-hart figures)" >&2
	exit 2
fi

# with_goals: copy bench lines through, with "(target T, floor F)" after
# each figure that tools/bench/targets lists.
with_goals() {
	awk 'NR == FNR { if ($1 !~ /^#/ && NF == 3) { t[$1] = $2; f[$1] = $3 } next }
	     $1 == "bench:" && ($2 in t) { $0 = $0 " (target " t[$2] ", floor " f[$2] ")" }
	     { print }' tools/bench/targets -
}

# guest APPEND: run one boot and print its bench lines.
guest() {
	guest_on "$QEMU_BENCH" "$1"
}

# guest_on QEMU APPEND: the same with another QEMU command line.
guest_on() {
	local out
	out=$(timeout 900 bash -c "$1 -append '$2'" </dev/null 2>&1 | tr -d '\r')
	if ! grep -q '^init exited with status 0' <<<"$out"; then
		echo "bench: boot '$2' failed:" >&2
		tail -5 <<<"$out" >&2
		status=1
	fi
	grep '^bench: ' <<<"$out" | with_goals
}

guest 'init=/bin/bench quiet -- core'
guest 'init=/bin/bench quiet asid=off -- fences' | sed 's/fences_per_switch/fences_per_switch_asid_off/'
guest 'init=/bin/bench quiet maxframes=1024 -- swap'
# Swap readahead, and the same reads with it off (vm.readahead=1).
guest 'init=/bin/bench quiet maxframes=1024 -- swapra'
guest 'init=/bin/bench quiet maxframes=1024 vm.readahead=1 -- swapra' |
	sed 's/^\(bench: [a-z_]*\) /\1_ra_off /'
# The page cache on the ext2 root: read and write per KiB, cached and not,
# write-back per page, and the faults of file mappings.
guest 'init=/bin/bench quiet -- files'

# The hypervisor (docs/benchmarks.md, "Guests"): an SBI call's round trip
# and a G-stage fault from guests of a few instructions; this kernel's
# core figures inside vm ("guest_", next to the native ones above: a
# guest's null system call makes no exit); and the exits of one guest
# boot, from vm -v, to an init that exits at once.
guest 'init=/bin/bench quiet -- hv'
guest 'init=/bin/vm quiet -- -- init=/bin/bench quiet -- core' | sed 's/^bench: /bench: guest_/'
exits=$(timeout 900 bash -c "$QEMU_BENCH -append 'init=/bin/vm quiet -- -v -- init=/bin/true quiet'" \
	</dev/null 2>&1 | tr -d '\r' | awk '$1 == "vm:" && $2 == "exits" && $3 == "total" { print $4 }')
if [ -n "$exits" ]; then
	echo "bench: hv_exits_per_boot $exits exits (a guest's boot to init=/bin/true and its power-off)"
else
	echo "bench: the guest boot for hv_exits_per_boot failed" >&2
	status=1
fi

# Replacement quality: the guest's major faults and frames examined per
# eviction under clock, FIFO and 2q; OPT and LRU for the same string and
# frame count from the host simulator, and its clock, FIFO and 2q beside
# the guest's ("sim_").
repl=$(for policy in clock fifo 2q; do
	guest "init=/bin/bench quiet maxframes=256 vm.policy=$policy -- repl $policy $SEED"
done)
echo "$repl"
# "bench: repl_KIND_clock N faults (pages P frames F refs R seed S)"
while read -r _ name _ _ _ pages _ frames _ refs _ seed; do
	kind=${name#repl_}
	kind=${kind%_clock}
	frames=${frames%")"}
	seed=${seed%")"}
	at="(pages $pages frames $frames refs $refs seed $seed)"
	"$REPLSIM" "$kind" "$pages" "$frames" "$refs" "$seed" | while read -r policy n rest; do
		case $policy in
		opt | lru) echo "bench: repl_${kind}_$policy $n faults $at" ;;
		fifo | clock | 2q) echo "bench: repl_${kind}_sim_$policy $n faults $at" ;;
		examined) echo "bench: repl_${kind}_sim_${n}_examined $rest frames/eviction" ;;
		esac
	done
done < <(grep '_clock [0-9]* faults' <<<"$repl")

# Several harts (docs/benchmarks.md). The same machine with BENCH_SMP
# harts: fences per switch under -icount. Without -icount (each hart a
# host thread; -icount runs harts in turn, PLATFORM.md 8.2): the cost of
# a shootdown on each hart, from QEMU's trace of two harts; remote fences
# per eviction with a memory hog on every hart; and the wall-clock ratio
# of BENCH_SMP CPU-bound processes on one hart and on BENCH_SMP harts.
smp_cmd() {
	local cmd=${QEMUCMD/-smp $SMP /-smp $1 }
	cmd=${cmd/format=raw,id=fs/format=raw,id=fs,snapshot=on}
	echo "${cmd/format=raw,id=swap/format=raw,id=swap,snapshot=on}"
}
guest_on "$(smp_cmd "$BENCH_SMP") -icount shift=0,sleep=off" "init=/bin/bench quiet -- fences" |
	sed "s/^bench: \([a-z_]*fences_per_switch\) /bench: \1_smp$BENCH_SMP /"
QEMUCMD=$(smp_cmd 2) tools/bench/shootdown.sh "$(dirname "$REPLSIM")/kernel.elf" 200 3 || status=1
guest_on "$(smp_cmd "$BENCH_SMP")" "init=/bin/bench quiet maxframes=512 -- hogs" |
	sed "s/\$/ ($BENCH_SMP hogs on $BENCH_SMP harts)/"
# Three pairs of boots, one hart then BENCH_SMP; the median of the ratios.
ratios=$(for run in 1 2 3; do
	one=$(guest_on "$(smp_cmd 1)" "init=/bin/bench quiet -- spin $BENCH_SMP")
	many=$(guest_on "$(smp_cmd "$BENCH_SMP")" "init=/bin/bench quiet -- spin $BENCH_SMP")
	awk -v a="$(awk '{ print $3 }' <<<"$one")" -v b="$(awk '{ print $3 }' <<<"$many")" \
		'BEGIN { if (b > 0) printf "%.2f\n", a / b }'
done | sort -n)
median=$(sed -n 2p <<<"$ratios")
range="from $(head -1 <<<"$ratios") to $(tail -1 <<<"$ratios")"
echo "bench: spin_speedup_smp$BENCH_SMP $median x ($BENCH_SMP CPU-bound processes, wall clock, median of 3 $range)"

end=$(date +%s%N)
echo "bench: wall_clock $(((end - start) / 1000000)) ms"
exit $status
