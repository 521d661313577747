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
status=0

# guest APPEND: run one boot and print its bench lines.
guest() {
	local out
	out=$(timeout 900 bash -c "$QEMU_BENCH -append '$1'" </dev/null 2>&1 | tr -d '\r')
	if ! grep -q '^init exited with status 0' <<<"$out"; then
		echo "bench: boot '$1' failed:" >&2
		tail -5 <<<"$out" >&2
		status=1
	fi
	grep '^bench: ' <<<"$out"
}

guest 'init=/bin/bench quiet -- core'
guest 'init=/bin/bench quiet asid=off -- fences' | sed 's/fences_per_switch/fences_per_switch_asid_off/'
guest 'init=/bin/bench quiet maxframes=1024 -- swap'

# Replacement quality: the guest's major faults under clock and FIFO, and
# OPT and LRU for the same string and frame count from the host simulator.
repl=$(for policy in clock fifo; do
	guest "init=/bin/bench quiet maxframes=256 vm.policy=$policy -- repl $policy $SEED"
done)
echo "$repl"
# "bench: repl_KIND_clock N faults (pages P frames F refs R seed S)"
while read -r _ name _ _ _ pages _ frames _ refs _ seed; do
	kind=${name#repl_}
	kind=${kind%_clock}
	frames=${frames%")"}
	seed=${seed%")"}
	"$REPLSIM" "$kind" "$pages" "$frames" "$refs" "$seed" | while read -r policy n; do
		case $policy in opt | lru)
			echo "bench: repl_${kind}_$policy $n faults (pages $pages frames $frames refs $refs seed $seed)"
		esac
	done
done < <(grep '_clock ' <<<"$repl")

end=$(date +%s%N)
echo "bench: wall_clock $(((end - start) / 1000000)) ms"
exit $status
