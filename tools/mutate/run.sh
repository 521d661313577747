#!/usr/bin/env bash
# make mutate: planted bugs, one at a time. Each mutant of tools/mutate/mutants
# is one small edit of one file, of the kind a student makes. The runner
# copies the working tree (its tracked and untracked files, uncommitted
# changes included; not what .gitignore leaves out) to $B/mutate/src, builds
# it there once as it is and runs every test the mutants name, which must
# pass; then for each mutant it applies the edit, builds the kernel, the
# user programs and the unit binaries, runs the mutant's tests in order up
# to the first that fails, and puts the file back. One line a mutant:
#   mutant NAME: caught by TEST | MISSED | does not build | stale (...)
# and last "mutation score: K of N caught". Exits 0 only if every mutant
# was caught; 2 if the run could not start.
# Usage: tools/mutate/run.sh [NAME...]   (make mutate [MUTANTS=name1,name2])
#        tools/mutate/run.sh --check     (the list is well formed and each
#                                         original text occurs once; quiet if so)
#        tools/mutate/run.sh --list      (the mutants' names)
set -u
cd "$(dirname "$0")/../.." || exit 2

LIST=tools/mutate/mutants
B=${B:-build}
WORK=$B/mutate
SRC=$WORK/src
LOGS=$WORK/logs
UNIT_TIMEOUT=${MUTATE_UNIT_TIMEOUT:-300} # seconds a unit binary may run

# --- the list ---------------------------------------------------------------

# Per mutant, by index: name, file, original and replacement text, tests,
# the list's line where it starts, and whether it had old and new lines.
M_NAME=() M_FILE=() M_OLD=() M_NEW=() M_TESTS=() M_AT=() M_HASOLD=() M_HASNEW=()
PROBLEMS=()

problem() { PROBLEMS+=("$LIST:$*"); }

# Append line $2 to text variable $1 (joined by a newline; $3 says whether
# it already has a line).
append() {
	local -n text=$1
	if [ "$3" = 1 ]; then text+=$'\n'"$2"; else text=$2; fi
}

# Read the list into the M_ arrays. A line is a keyword, blanks, and its
# text, in which \t stands for a tab; # starts a comment line.
parse() {
	local n=-1 at=0 line key val
	while IFS= read -r line || [ -n "$line" ]; do
		at=$((at + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		key=${line%%[[:space:]]*}
		val=${line#"$key"}
		val=${val#"${val%%[![:space:]]*}"}
		val=${val//\\t/$'\t'}
		if [ "$key" = mutant ]; then
			n=$((n + 1))
			M_NAME[n]=$val M_AT[n]=$at M_FILE[n]='' M_OLD[n]='' M_NEW[n]='' M_TESTS[n]=''
			M_HASOLD[n]=0 M_HASNEW[n]=0
			continue
		fi
		if [ "$n" -lt 0 ]; then
			problem "$at: '$key' before the first 'mutant' line"
			continue
		fi
		case $key in
		file) M_FILE[n]=$val ;;
		old) append "M_OLD[$n]" "$val" "${M_HASOLD[n]}" && M_HASOLD[n]=1 ;;
		new) append "M_NEW[$n]" "$val" "${M_HASNEW[n]}" && M_HASNEW[n]=1 ;;
		tests) M_TESTS[n]+=" $val" ;;
		why) ;;
		*) problem "$at: unknown keyword '$key'" ;;
		esac
	done <"$LIST"
}

# How many times text $1 occurs in file $2, not overlapping: the bytes
# that removing them all takes away, over its length.
occurrences() {
	local LC_ALL=C content rest
	IFS= read -r -d '' content <"$2"
	rest=${content//"$1"/}
	echo $(((${#content} - ${#rest}) / ${#1}))
}

# apply FILE OLD NEW: replace the first occurrence of text OLD in FILE.
apply() {
	local content
	IFS= read -r -d '' content <"$1"
	printf '%s' "${content/"$2"/"$3"}" >"$1"
}

GUEST_GROUPS=" $(B=$B QEMUCMD= tests/run.sh --list | tr '\n' ' ') "

# Whether mutant i is well formed and applies to the tree under $1;
# problems go to PROBLEMS.
validate() {
	local i=$1 root=$2 at=${M_AT[$1]} name=${M_NAME[$1]} t n j
	if [[ ! $name =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
		problem "$at: mutant name '$name' is not lower-case words joined by dashes"
	fi
	for ((j = 0; j < i; j++)); do
		[ "${M_NAME[j]}" = "$name" ] && problem "$at: a second mutant named $name"
	done
	[ "${M_HASOLD[i]}" = 1 ] && [ -n "${M_OLD[i]}" ] || problem "$at: $name has no 'old' text"
	[ "${M_HASNEW[i]}" = 1 ] || problem "$at: $name has no 'new' line (a bare 'new' deletes)"
	[ -n "${M_TESTS[i]// /}" ] || problem "$at: $name names no tests"
	for t in ${M_TESTS[i]}; do
		case $t in
		unit:*) [ -f "$root/tests/unit/test_${t#unit:}.c" ] ||
			problem "$at: $name: no unit test ${t#unit:} (tests/unit/test_${t#unit:}.c)" ;;
		guest:*) [[ $GUEST_GROUPS == *" ${t#guest:} "* ]] ||
			problem "$at: $name: no guest group ${t#guest:} (tests/run.sh --list)" ;;
		*) problem "$at: $name: test '$t' is neither unit:NAME nor guest:GROUP" ;;
		esac
	done
	if [ -z "${M_FILE[i]}" ] || [ ! -f "$root/${M_FILE[i]}" ]; then
		problem "$at: $name: no file '${M_FILE[i]}'"
	elif [ -n "${M_OLD[i]}" ]; then
		n=$(occurrences "${M_OLD[i]}" "$root/${M_FILE[i]}")
		[ "$n" = 1 ] || problem "$at: $name is stale: its original text occurs $n times in ${M_FILE[i]}"
	fi
}

parse
if [ "${1:-}" = --list ]; then
	printf '%s\n' "${M_NAME[@]}"
	exit 0
fi
if [ "${1:-}" = --check ]; then
	for i in "${!M_NAME[@]}"; do
		validate "$i" .
	done
	[ ${#M_NAME[@]} -gt 0 ] || problem "1: no mutants"
	[ ${#PROBLEMS[@]} -eq 0 ] && exit 0
	printf '%s\n' "${PROBLEMS[@]}"
	exit 1
fi

# The mutants to run: those named (arguments, or MUTANTS=a,b), else all.
want=("$@")
[ ${#want[@]} -eq 0 ] && [ -n "${MUTANTS:-}" ] && IFS=', ' read -r -a want <<<"$MUTANTS"
RUN=()
for name in "${want[@]}"; do
	found=
	for i in "${!M_NAME[@]}"; do
		[ "${M_NAME[i]}" = "$name" ] && found=$i
	done
	[ -n "$found" ] || { echo "mutate: no mutant named '$name' in $LIST" >&2; exit 2; }
	RUN+=("$found")
done
[ ${#want[@]} -eq 0 ] && RUN=("${!M_NAME[@]}")
if [ ${#PROBLEMS[@]} -gt 0 ]; then
	printf 'mutate: %s\n' "${PROBLEMS[@]}" >&2
	exit 2
fi

# --- the scratch tree -------------------------------------------------------

# A fresh copy of the working tree's files at $SRC (a build left from an
# earlier run could be older than a file it restored, so none is kept).
make_scratch() {
	rm -rf "$WORK" && mkdir -p "$SRC" "$LOGS" || return 1
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$SRC"
}

# Build everything the tests run; output to log $1.
build() {
	(cd "$SRC" && make -s all unit-bins) >"$1" 2>&1
}

# Whether test $1 passes in the scratch tree; output to log $2. A unit
# binary fails by its exit status or any "not ok"; a guest group by
# tests/run.sh --only's status.
passes() {
	local t=$1 log=$2
	case $t in
	unit:*)
		(cd "$SRC" && CMOCKA_MESSAGE_OUTPUT=TAP timeout "$UNIT_TIMEOUT" \
			"build/unit/test_${t#unit:}") >"$log" 2>&1 && ! grep -aq '^not ok' "$log"
		;;
	guest:*)
		(cd "$SRC" && make -s test ONLY="${t#guest:}") >"$log" 2>&1
		;;
	esac
}

# Run mutant i: apply, build, test, put the file back. Prints its line;
# 0 if a test caught it.
run_mutant() {
	local i=$1 name=${M_NAME[$1]} file=$SRC/${M_FILE[$1]} n t status=1 line
	n=$(occurrences "${M_OLD[i]}" "$file")
	if [ "$n" != 1 ]; then
		echo "mutant $name: stale (its original text occurs $n times in ${M_FILE[i]})"
		return 1
	fi
	cp "$file" "$WORK/original"
	apply "$file" "${M_OLD[i]}" "${M_NEW[i]}"
	if ! build "$LOGS/$name.build.log"; then
		line="does not build (see $LOGS/$name.build.log)"
	else
		line=MISSED
		for t in ${M_TESTS[i]}; do
			if ! passes "$t" "$LOGS/$name.${t/:/-}.log"; then
				line="caught by $t"
				status=0
				break
			fi
		done
	fi
	# A new modification time, so that the next build compiles it again.
	cp "$WORK/original" "$file"
	echo "mutant $name: $line"
	return $status
}

start=$SECONDS
make_scratch || { echo "mutate: cannot copy the tree to $SRC" >&2; exit 2; }
if ! build "$LOGS/baseline.build.log"; then
	echo "mutate: the tree does not build as it is (see $LOGS/baseline.build.log)" >&2
	exit 2
fi
# Every test a mutant names must pass without a mutant, or it proves nothing.
declare -A seen=()
for i in "${RUN[@]}"; do
	for t in ${M_TESTS[i]}; do
		[ -n "${seen[$t]:-}" ] && continue
		seen[$t]=1
		if ! passes "$t" "$LOGS/baseline.${t/:/-}.log"; then
			echo "mutate: $t fails without any mutant (see $LOGS/baseline.${t/:/-}.log)" >&2
			exit 2
		fi
	done
done

for i in "${RUN[@]}"; do
	run_mutant "$i"
done | tee "$WORK/results.txt"
caught=$(grep -c ': caught by ' "$WORK/results.txt")
elapsed=$((SECONDS - start))
echo "mutate: ${#RUN[@]} mutants in $((elapsed / 60)) min $((elapsed % 60)) s (logs in $LOGS)"
echo "mutation score: $caught of ${#RUN[@]} caught"
[ "$caught" -eq ${#RUN[@]} ]
