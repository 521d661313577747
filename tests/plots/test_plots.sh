#!/usr/bin/env bash
# Checks of make plots, as TAP: each picture is a PNG of sensible size,
# drawn after its data; the simulator's curves and the Belady bars equal
# what replsim prints; the kernel's points equal the bench lines in the
# boot logs that make plots kept, and all are of the curve's one string.
# Usage: tests/plots/test_plots.sh   (after make plots; B= the build folder)
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
PLOTS=$B/plots
REPLSIM=$B/replsim
PICTURES=(faults-vs-frames-locality faults-vs-frames-loop belady)
MIN_BYTES=5000
MAX_BYTES=5000000

. tests/tap.sh

# simulate KIND PAGES FRAMES REFS SEED: replsim's faults at that point into
# FAULTS[policy] (each point run once: both policies' rows share it).
declare -A FAULTS RUNS
simulate() {
	local policy faults
	[[ -v RUNS["$*"] ]] || RUNS["$*"]=$("$REPLSIM" "$@" 2>&1)
	FAULTS=()
	while read -r policy faults; do
		FAULTS[$policy]=$faults
	done <<<"${RUNS["$*"]}"
}

# The rows of a .dat file, comments left out.
rows() { grep -v '^#' "$1"; }

# --- the pictures ------------------------------------------------------------

# Why FILE is not a PNG of sensible size, or nothing.
png_problem() {
	local f=$1 size width height
	[[ -f $f ]] || { echo "missing"; return; }
	[[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
		{ echo "no PNG signature"; return; }
	size=$(stat -c %s "$f")
	((size >= MIN_BYTES && size <= MAX_BYTES)) ||
		{ echo "$size bytes, not $MIN_BYTES to $MAX_BYTES"; return; }
	# IHDR: width and height, big-endian, at bytes 16 and 20.
	read -r width height < <(od -An -tu1 -j16 -N8 "$f" |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
	((width >= 800 && height >= 600)) || echo "${width}x$height pixels, under 800x600"
}

for pic in "${PICTURES[@]}"; do
	why=$(png_problem "$PLOTS/$pic.png")
	tap_result "$([[ -z $why ]]; echo $?)" "$pic.png is a PNG of sensible size" "$why"
done

for pic in "${PICTURES[@]}"; do
	stale=""
	for dat in "$PLOTS/$pic"*.dat; do
		[[ -f $dat ]] || { stale+="no data file "; continue; }
		[[ $dat -nt $PLOTS/$pic.png ]] && stale+="$(basename "$dat") "
	done
	tap_result "$([[ -z $stale ]]; echo $?)" "$pic.png is drawn from its current data" \
		"newer than the picture: $stale"
done

# --- the simulator's curves --------------------------------------------------

# The header of a curve: "# KIND pages P refs R seed S: ..." -> "KIND P R S".
curve_string() {
	sed -nE 's/^# ([a-z]+) pages ([0-9]+) refs ([0-9]+) seed ([0-9]+):.*/\1 \2 \3 \4/p' "$1" | head -1
}

for kind in locality loop; do
	dat=$PLOTS/faults-vs-frames-$kind-sim.dat
	read -r k pages refs seed < <(curve_string "$dat")
	why=""
	[[ ${k:-} == "$kind" ]] || why="no '# $kind pages P refs R seed S' header in $dat"
	if [[ -z $why ]]; then
		first=$(rows "$dat" | head -1 | cut -d' ' -f1)
		last=$(rows "$dat" | tail -1 | cut -d' ' -f1)
		rows "$dat" | awk 'NR > 1 && $1 <= prev { bad = 1 } { prev = $1 } END { exit bad }' ||
			why="frame counts do not rise"
		[[ $first == 1 && $last == "$pages" ]] || why+=" frames run from $first to $last, not 1 to $pages"
	fi
	tap_result "$([[ -z $why ]]; echo $?)" "$kind curve covers 1 to all $pages frames" "$why"

	# Five rows spread over the curve, each against replsim at that point.
	why=""
	count=$(rows "$dat" | wc -l)
	for i in 1 $((count / 4)) $((count / 2)) $((3 * count / 4)) "$count"; do
		read -r frames opt lru fifo clock < <(rows "$dat" | sed -n "${i}p")
		simulate "$kind" "$pages" "$frames" "$refs" "$seed"
		want="${FAULTS[opt]:-} ${FAULTS[lru]:-} ${FAULTS[fifo]:-} ${FAULTS[clock]:-}"
		[[ "$opt $lru $fifo $clock" == "$want" ]] ||
			why+="frames $frames: plotted $opt $lru $fifo $clock, replsim $want; "
	done
	tap_result "$([[ -z $why ]]; echo $?)" "$kind curve equals replsim at sampled frame counts" "$why"
done

# --- the kernel's points -----------------------------------------------------

for kind in locality loop; do
	dat=$PLOTS/faults-vs-frames-$kind-kernel.dat
	read -r _ pages refs seed < <(curve_string "$PLOTS/faults-vs-frames-$kind-sim.dat")
	why=""
	nrows=0
	while read -r policy ram frames faults simfaults p r s; do
		nrows=$((nrows + 1))
		log=$PLOTS/boots/$policy-$ram.log
		if [[ ! -f $log ]]; then
			why+="no log $log; "
			continue
		fi
		grep -q "^# plots: QEMU -m $ram -append .*vm.policy=$policy " "$log" ||
			why+="$log is not a $policy boot with -m $ram; "
		line="bench: repl_${kind}_$policy $faults faults (pages $p frames $frames refs $r seed $s)"
		grep -qxF "$line" "$log" || why+="$log lacks '$line'; "
	done < <(rows "$dat")
	((nrows > 0)) || why="no rows in $dat"
	tap_result "$([[ -z $why ]]; echo $?)" "$kind kernel points equal the bench lines of their boot logs" "$why"

	why=""
	for policy in clock fifo; do
		distinct=$(rows "$dat" | awk -v p="$policy" '$1 == p { print $3 }' | sort -u | wc -l)
		((distinct >= 3)) || why+="$policy has $distinct frame counts; "
	done
	strings=$(rows "$dat" | awk '{ print $6, $7, $8 }' | sort -u)
	[[ $strings == "$pages $refs $seed" ]] ||
		why+="boots' strings '$(tr '\n' ',' <<<"$strings")' are not the curve's '$pages $refs $seed'"
	tap_result "$([[ -z $why ]]; echo $?)" "$kind kernel points span several frame counts of the curve's string" "$why"

	why=""
	while read -r policy ram frames faults simfaults p r s; do
		simulate "$kind" "$p" "$frames" "$r" "$s"
		want=${FAULTS[$policy]:-none}
		[[ $simfaults == "$want" ]] || why+="$policy $ram: $simfaults, replsim $want; "
	done < <(rows "$dat")
	tap_result "$([[ -z $why ]]; echo $?)" "$kind simulator beside each kernel point equals replsim" "$why"
done

# --- Belady's anomaly --------------------------------------------------------

dat=$PLOTS/belady.dat
fifo3=$(rows "$dat" | awk '$1 == 3 { print $4 }')
fifo4=$(rows "$dat" | awk '$1 == 4 { print $4 }')
tap_result "$([[ $fifo3 == 9 && $fifo4 == 10 ]]; echo $?)" \
	"belady FIFO takes 9 faults with 3 frames and 10 with 4" "plotted ${fifo3:-none} and ${fifo4:-none}"

tap_result "$(cmp -s "$dat" <("$REPLSIM" belady); echo $?)" "belady data equals replsim belady" \
	"$(diff "$dat" <("$REPLSIM" belady) | tr '\n' ' ')"

# FIFO on the string, worked out here without replsim, for every frame count.
fifo_faults() {
	echo 1 2 3 4 1 2 5 1 2 3 4 5 | awk -v frames="$1" '{
		for (i = 1; i <= NF; i++) {
			hit = 0
			for (j = 0; j < n; j++)
				if (q[j] == $i)
					hit = 1
			if (hit)
				continue
			faults++
			if (n < frames) {
				q[n++] = $i
			} else {
				for (j = 1; j < n; j++)
					q[j - 1] = q[j]
				q[n - 1] = $i
			}
		}
		print faults
	}'
}
why=""
while read -r frames _ _ fifo _; do
	want=$(fifo_faults "$frames")
	[[ $fifo == "$want" ]] || why+="frames $frames: plotted $fifo, by hand $want; "
done < <(rows "$dat")
tap_result "$([[ -z $why && -s $dat ]]; echo $?)" "belady FIFO column equals FIFO worked out by hand" "$why"

why=$(rows "$dat" | awk 'NR > 1 && ($2 > opt || $3 > lru) { print "frames " $1 " take more faults than " prev }
	{ opt = $2; lru = $3; prev = $1 }')
tap_result "$([[ -z $why && -s $dat ]]; echo $?)" "belady LRU and OPT never fault more with more frames" "$why"

tap_end
