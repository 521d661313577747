#!/usr/bin/env bash
# make lab-check: prove every lab (tools/labs/*.stub) both ways, as TAP:
# its student tree builds and fails its grader, and this tree passes it.
# Logs go to $B/test-logs/lab-NAME-{student,full}.log.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
LOGDIR=$B/test-logs
mkdir -p "$LOGDIR"
. tests/tap.sh

for stub in tools/labs/*.stub; do
	lab=$(basename "$stub" .stub)
	student=$LOGDIR/lab-$lab-student.log
	full=$LOGDIR/lab-$lab-full.log
	if ! make -s B="$B" lab LAB="$lab" >"$student" 2>&1; then
		tap_not_ok "lab $lab: the student tree is written" "see $student"
		continue
	fi
	make -s -j2 -C "$B/labs/$lab" grade >>"$student" 2>&1
	status=$?
	score=$(grep -aoE 'score [0-9]+/[0-9]+' "$student" | tail -1)
	if [[ -z $score ]]; then
		tap_not_ok "lab $lab: the student tree builds and fails its grader" "it did not build or grade (see $student)"
	elif [[ $status -eq 0 ]]; then
		tap_not_ok "lab $lab: the student tree builds and fails its grader" "it passed ($score)"
	else
		tap_ok "lab $lab: the student tree builds and fails its grader ($score)"
	fi
	make -s B="$B" grade LAB="$lab" >"$full" 2>&1
	status=$?
	score=$(grep -aoE 'score [0-9]+/[0-9]+' "$full" | tail -1)
	if [[ $status -eq 0 && -n $score ]]; then
		tap_ok "lab $lab: the full tree passes its grader ($score)"
	else
		tap_not_ok "lab $lab: the full tree passes its grader" "${score:-no score} (see $full)"
	fi
done
tap_end
