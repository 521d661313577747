#!/usr/bin/env bash
# make plots, faults against frames: boot the kernel with /bin/bench repl as
# init under clock and under FIFO at several RAM sizes, keep each boot's
# log, and write the .dat files and pictures of both benchmark strings:
# the kernel's points, the host simulator at each boot's own (pages,
# frames, refs, seed), and the simulator's whole curve for that string.
# Usage: tools/plots/faults.sh REPLSIM OUTDIR   (QEMUCMD from make)
#
# Why RAM and not maxframes= sets the frames: bench sizes its strings from
# the cap (pages = 2 x cap for locality, cap + 1 for the loop), so boots
# that vary maxframes= also vary the string and always keep half the
# locality pages resident. Here every boot has the same cap, hence the
# same string, and QEMU's -m decides how many frames the kernel can give
# it: the points and the simulator's curve are of one string.
set -u
cd "$(dirname "$0")/../.." || exit 2
REPLSIM=${1:?usage: tools/plots/faults.sh REPLSIM OUTDIR}
OUT=${2:?usage: tools/plots/faults.sh REPLSIM OUTDIR}
: "${QEMUCMD:?QEMUCMD is not set: run this through make plots}"
SEED=${PLOTS_SEED:-12345}
MAXFRAMES=2048             # locality: 4096 pages; loop: 2049 pages
RAMS=(7M 8M 9M 10M)        # 7M is the least that boots; from 12M the cap binds
POLICIES=(clock fifo)
# The simulator's curves: 1 frame, then every STEPth (the loop's is straight).
declare -A CURVE_STEP=([locality]=128 [loop]=256)
BOOT_TIMEOUT=300
# Writes go to a throw-away overlay, so boots can run side by side.
QEMU_PLOTS=${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on}
QEMU_PLOTS=${QEMU_PLOTS/format=raw,id=fs/format=raw,id=fs,snapshot=on} # boots run side by side
LOGS=$OUT/boots

die() {
	echo "plots: $*" >&2
	exit 1
}

# boot POLICY RAM: one boot, its console output in $LOGS/POLICY-RAM.log.
boot() {
	local policy=$1 ram=$2 append log
	append="init=/bin/bench quiet maxframes=$MAXFRAMES vm.policy=$policy -- repl $policy $SEED"
	log=$LOGS/$policy-$ram.log
	echo "# plots: QEMU -m $ram -append '$append'" >"$log"
	timeout "$BOOT_TIMEOUT" bash -c "$QEMU_PLOTS -m $ram -append '$append'" </dev/null 2>&1 |
		tr -d '\r' >>"$log"
}

# Every boot, the two policies side by side (one core each), then a check
# that each boot ran bench to its end.
boot_all() {
	local policy ram failed=0
	rm -rf "$LOGS"
	mkdir -p "$LOGS" || die "cannot make $LOGS"
	for policy in "${POLICIES[@]}"; do
		for ram in "${RAMS[@]}"; do
			boot "$policy" "$ram"
		done &
	done
	wait
	for ram in "${RAMS[@]}"; do
		for policy in "${POLICIES[@]}"; do
			grep -q '^init exited with status 0' "$LOGS/$policy-$ram.log" && continue
			echo "plots: boot $policy-$ram failed; its last lines:" >&2
			tail -5 "$LOGS/$policy-$ram.log" >&2
			failed=1
		done
	done
	((failed == 0)) || die "see $LOGS"
}

# kernel_rows KIND: "policy ram frames faults pages refs seed" per boot, from
# its line "bench: repl_KIND_POLICY N faults (pages P frames F refs R seed S)".
kernel_rows() {
	local kind=$1 ram policy line
	local re='^bench: repl_[a-z]+_[a-z]+ ([0-9]+) faults \(pages ([0-9]+) frames ([0-9]+) refs ([0-9]+) seed ([0-9]+)\)$'
	for ram in "${RAMS[@]}"; do
		for policy in "${POLICIES[@]}"; do
			line=$(grep "^bench: repl_${kind}_$policy " "$LOGS/$policy-$ram.log")
			[[ $line =~ $re ]] || die "no $kind line in $LOGS/$policy-$ram.log"
			echo "$policy $ram ${BASH_REMATCH[3]} ${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[4]} ${BASH_REMATCH[5]}"
		done
	done
}

# The one string (pages refs seed) of all the rows on stdin, or a failure.
one_string() {
	awk '{ print $5, $6, $7 }' | sort -u | {
		read -r string || exit 1
		read -r _ && exit 1
		echo "$string"
	}
}

# kernel_dat KIND ROWS: the rows with the simulator's faults at each row's
# own point beside the kernel's (one replsim run for the boots of one RAM
# size, which report the same frames).
kernel_dat() {
	local kind=$1 policy ram frames faults pages refs seed point="" out="" sim
	echo "# $kind string, kernel boots with maxframes=$MAXFRAMES and QEMU -m RAM; logs in boots/"
	echo "# policy ram frames kernel_faults sim_faults pages refs seed"
	while read -r policy ram frames faults pages refs seed; do
		if [[ $point != "$pages $frames $refs $seed" ]]; then
			point="$pages $frames $refs $seed"
			out=$("$REPLSIM" "$kind" "$pages" "$frames" "$refs" "$seed")
		fi
		sim=$(awk -v p="$policy" '$1 == p { print $2 }' <<<"$out")
		[[ $sim =~ ^[0-9]+$ ]] || die "replsim failed at $kind $point"
		echo "$policy $ram $frames $faults $sim $pages $refs $seed"
	done <<<"$2"
}

# plot KIND: the .dat files and the picture of one string; the curve is
# worked out while the points are.
plot() {
	local kind=$1 dat=$OUT/faults-vs-frames-$1 rows pages refs seed curve
	rows=$(kernel_rows "$kind") || exit 1
	read -r pages refs seed < <(one_string <<<"$rows") ||
		die "the $kind boots do not share one string: $(tr '\n' ';' <<<"$rows")"
	"$REPLSIM" curve "$kind" "$pages" "$refs" "$seed" 1 "$pages" "${CURVE_STEP[$kind]}" >"$dat-sim.dat" &
	curve=$!
	kernel_dat "$kind" "$rows" >"$dat-kernel.dat" || exit 1
	wait "$curve" || die "replsim curve $kind failed"
	gnuplot -e "dir='$OUT'; kind='$kind'; pages=$pages; refs=$refs; seed=$seed; maxframes=$MAXFRAMES; rams='${RAMS[*]}'" \
		tools/plots/faults.gp || die "gnuplot failed on $kind"
}

[[ $QEMU_PLOTS != "$QEMUCMD" ]] || die "no swap drive in QEMUCMD to put under snapshot=on"
mkdir -p "$OUT" || die "cannot make $OUT"
rm -f "$OUT"/faults-vs-frames-*
boot_all
# Waited for by pid: a bare wait -n has returned at once here, for a boot
# that had ended at the same time as another one.
plot locality &
locality=$!
plot loop &
loop=$!
wait "$locality" || die "the locality picture failed"
wait "$loop" || die "the loop picture failed"
