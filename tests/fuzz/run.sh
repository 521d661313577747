#!/usr/bin/env bash
# Run each libFuzzer harness (tests/fuzz/fuzz_NAME.c, docs/fuzzing.md) for
# FUZZ_TIME seconds (default 3) on its scratch corpus, as TAP: one
# "ok N - fuzz_NAME: R runs in T s, no crash" per harness, or "not ok" with
# what broke and the crash file libFuzzer wrote. The scratch corpus,
# $B/fuzz/work/corpus/NAME, starts as a copy of tests/fuzz/corpus/NAME and
# keeps what each run adds (rm -rf it to start again from the seeds); the
# tree's corpus is never written. make test runs this as it is, make
# fuzz-host with FUZZ_TIME=60. Builds the harnesses first.
# Usage: tests/fuzz/run.sh [NAME...]   (B= the build folder, default build)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/tap.sh

B=${B:-build}
TIME=${FUZZ_TIME:-3}
WORK=$B/fuzz/work
TIMEOUT=10 # seconds one input may take before libFuzzer calls it a hang

# fuzz NAME: one harness, one TAP line.
fuzz() {
	local name=$1 corpus=$WORK/corpus/$1 log=$WORK/$1.log status runs crash why
	mkdir -p "$corpus" "$WORK/crashes"
	cp tests/fuzz/corpus/"$name"/* "$corpus"/
	"$B/fuzz/fuzz_$name" -max_total_time="$TIME" -timeout="$TIMEOUT" -print_final_stats=1 \
		-artifact_prefix="$WORK/crashes/$name-" "$corpus" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$status" -eq 0 ]; then
		tap_ok "fuzz_$name: ${runs:-?} runs in $TIME s, no crash"
		return
	fi
	crash=$(sed -n 's/.*Test unit written to //p' "$log" | head -1)
	why=$(grep -am1 -E 'property broken|ERROR: (Address|Leak|libFuzzer)|runtime error|^panic' "$log")
	tap_not_ok "fuzz_$name: crashed after ${runs:-?} runs" \
		"${why:-exit status $status}; input ${crash:-not saved}; log $log"
}

mkdir -p "$WORK"
if ! make -s --no-print-directory B="$B" fuzz-build >"$WORK/build.log" 2>&1; then
	tap_not_ok "the fuzz harnesses build" "see $WORK/build.log"
	tap_end
	exit
fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		names+=("${name#fuzz_}")
	done
fi
for name in "${names[@]}"; do
	fuzz "$name"
done
tap_end
