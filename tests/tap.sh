# TAP for the test scripts, sourced: tap_ok NAME, tap_not_ok NAME WHY,
# tap_result STATUS NAME [WHY] (STATUS 0 passes), and tap_end, which
# prints the plan last (as TAP allows) and returns non-zero if any failed.
tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n $1 # ${2:-}"
}

tap_result() {
	if [[ $1 == 0 ]]; then
		tap_ok "$2"
	else
		tap_not_ok "$2" "${3:-}"
	fi
}

tap_end() {
	echo "1..$tap_n"
	[[ $tap_failed -eq 0 ]]
}
