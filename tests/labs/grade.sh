#!/usr/bin/env bash
# The graders of the labs (docs/labs/): tests/labs/grade.sh LAB boots the
# kernel (or runs the host model) and checks what the lab's code must do.
# Prints KTAP, one result per check by name, then the score and the names
# of the failing checks; exits 0 only when every check passes. make grade
# runs it with QEMUCMD and B set.
set -u
cd "$(dirname "$0")/../.." || exit 2
lab=${1:-}
B=${B:-build}
LOGDIR=$B/lab-logs
TIMEOUT=${TEST_TIMEOUT:-120}
[[ $QEMUCMD == *id=swap,snapshot=on* ]] || QEMUCMD=${QEMUCMD/format=raw,id=swap/format=raw,id=swap,snapshot=on}
[[ $QEMUCMD == *id=fs,snapshot=on* ]] || QEMUCMD=${QEMUCMD/format=raw,id=fs/format=raw,id=fs,snapshot=on}
mkdir -p "$LOGDIR"
trap '' PIPE

n=0
failing=()
results=""
# check NAME STATUS [WHY]: one result (STATUS 0 passes).
check() {
	n=$((n + 1))
	if [[ $2 == 0 ]]; then
		results+="ok $n $1"$'\n'
	else
		failing+=("$1")
		results+="not ok $n $1${3:+ # $3}"$'\n'
	fi
}

# boot NAME APPEND: run the kernel to its end; sets LOG and STATUS.
boot() {
	LOG=$LOGDIR/$lab-$1.log
	timeout "$TIMEOUT" bash -c "$QEMUCMD -append '$2'" </dev/null 2>&1 | tr -d '\r' >"$LOG"
	STATUS=${PIPESTATUS[0]}
}

# from_suite TEST...: the KTAP result of each named test of the last boot.
from_suite() {
	local t line
	for t in "$@"; do
		line=$(grep -aE "^(not )?ok [0-9]+ (- )?$t( |$)" "$LOG" | head -1)
		if [[ $line == ok* ]]; then
			check "$t" 0
		elif [[ $line == *' # '* ]]; then
			check "$t" 1 "${line#* # }"
		elif [[ -n $line ]]; then
			check "$t" 1 "failed (see $LOG)"
		elif grep -aq '^panic: ' "$LOG"; then
			check "$t" 1 "the kernel panicked: $(grep -a -m1 '^panic: ' "$LOG")"
		else
			check "$t" 1 "did not run ($(grep -aE -m1 'killed|exited|^init' "$LOG" || echo "see $LOG"))"
		fi
	done
}

# ---- vmprint: the kernel prints a process's page table ------------------

grade_vmprint() {
	boot dump 'init=/bin/walk quiet -- --dump'
	local dump root satp tables l1 bad
	dump=$(sed -n '/^page table 0x/,$p' "$LOG" | grep -aE '^(page table| \.\.)')
	satp=$(grep -aom1 'satp 0x[0-9a-f]*' "$LOG" | cut -c6-)
	root=$(printf '0x%08x' $(((${satp:-0} & 0x3fffff) << 12)))
	check vmprint_starts_with_the_root_table "$([[ $(head -1 <<<"$dump") == "page table $root" ]]; echo $?)" \
		"want 'page table $root', got '$(head -1 <<<"$dump")'"
	tables=$(grep -aoE 'root \+ +[0-9]+ tables' "$LOG" | grep -oE '[0-9]+' | head -1)
	l1=$(grep -acE '^ \.\.[0-9]+: pte 0x[0-9a-f]{8} pa 0x[0-9a-f]{8} V-------$' <<<"$dump")
	check vmprint_prints_each_level0_table_once "$([[ -n $tables && $l1 == "$tables" ]]; echo $?)" \
		"$l1 level-1 lines, the process has ${tables:-?} tables"
	bad=$(grep -aE '^ \.\.([0-9]+):' <<<"$dump" | sed -E 's/^ \.\.([0-9]+):.*/\1/' | awk '$1 >= 512' | head -1)
	check vmprint_shows_only_the_user_half "$([[ -n $dump && -z $bad ]]; echo $?)" \
		"entry ${bad:-?} of the root is in the kernel half"
	# Every page walk printed: its level-0 line, under its level-1 line.
	local va vpn1 vpn0 pte missing=""
	while read -r va vpn1 vpn0 pte; do
		local want=" .. ..$vpn0: pte $pte pa $(printf '0x%08x' $(((pte >> 10) << 12)))"
		awk -v i="$vpn1" -v want="$want" '
			$0 ~ "^ \\.\\." i ":" { under = 1; next }
			/^ \.\.[0-9]+:/ { under = 0 }
			under && index($0, want) == 1 { found = 1 }
			END { exit !found }' <<<"$dump" || missing+="$va "
	done < <(awk '
		/^va 0x/ { va = $2 }
		/vpn\[1\]/ { gsub(/,/, ""); v1 = $2; v0 = $5 }
		/pte0 at pa/ && /leaf/ { print va, v1, v0, $5 }' "$LOG")
	check vmprint_shows_each_page_the_walk_finds "$([[ -n $dump && -z $missing ]]; echo $?)" \
		"no matching line for ${missing:-the walks}"
	local text stack
	text=$(grep -aE '^ \.\. \.\.16: ' <<<"$dump" | head -1)
	stack=$(grep -aE '^ \.\. \.\.1023: ' <<<"$dump" | tail -1)
	check vmprint_decodes_the_flags "$([[ $text == *' VR-XU-A- va 0x00010000' && $stack == *' VRW-U-AD va 0x7ffff000' ]]; echo $?)" \
		"text '$text', stack '$stack'"
}

# ---- lazy: zero-filled pages on first touch -----------------------------

grade_lazy() {
	boot trace 'init=/bin/echo vm.trace=1 -- lazy'
	check stack_page_is_zero_filled_on_first_store \
		"$(grep -aqE '^vm: pid 1 va 0x7ffff000 store: zero' "$LOG" && grep -aq '^lazy$' "$LOG"; echo $?)" \
		"no 'store: zero' of init's stack, or echo did not run"
	boot vm 'init=/bin/test_vm quiet maxframes=1024'
	from_suite big_bss_is_not_loaded_until_touched fresh_memory_reads_as_zero \
		stack_grows_on_demand_and_guard_kills brk_shrink_frees_frames \
		mmap_munmap_mprotect_semantics frames_and_swap_slots_return_to_start
}

# ---- cow: copy-on-write fork --------------------------------------------

grade_cow() {
	boot proc 'init=/bin/test_proc quiet'
	from_suite fork_returns_pid_to_parent_and_zero_to_child child_memory_is_a_copy \
		orphan_is_reparented_to_init fork_bomb_fails_with_eagain_and_kernel_survives
	boot vm 'init=/bin/test_vm quiet maxframes=1024'
	from_suite cow_across_fork_chains cow_pages_survive_swap frames_and_swap_slots_return_to_start
}

# ---- clock: second-chance replacement -----------------------------------

# repl_faults POLICY KIND: "FAULTS PAGES FRAMES REFS SEED" from the last boot.
repl_faults() {
	grep -aoE "^bench: repl_$2_$1 [0-9]+ faults \(pages [0-9]+ frames [0-9]+ refs [0-9]+ seed [0-9]+\)" "$LOG" |
		grep -oE '[0-9]+' | tr '\n' ' '
}

grade_clock() {
	local seed=12345 clock fifo sim
	boot fifo "init=/bin/bench quiet maxframes=256 vm.policy=fifo -- repl fifo $seed"
	read -r -a fifo <<<"$(repl_faults fifo locality)"
	boot clock "init=/bin/bench quiet maxframes=256 vm.policy=clock -- repl clock $seed"
	read -r -a clock <<<"$(repl_faults clock locality)"
	check clock_runs_the_replacement_benchmark "$([[ ${#clock[@]} == 5 && ${#fifo[@]} == 5 ]]; echo $?)" \
		"the bench boots printed no repl_locality line (see $LOGDIR)"
	[[ ${#clock[@]} == 5 && ${#fifo[@]} == 5 ]] || { clock=(0 0 0 0 0); fifo=(0 0 0 0 0); }
	sim=$("$B/replsim" locality "${clock[1]}" "${clock[2]}" "${clock[3]}" "${clock[4]}" 2>/dev/null |
		awk '$1 == "clock" { print $2 }')
	check clock_takes_fewer_faults_than_fifo_on_a_string_with_locality \
		"$((clock[0] > 0 && clock[0] * 100 <= fifo[0] * 85 ? 0 : 1))" \
		"clock ${clock[0]} faults, FIFO ${fifo[0]}: clock should take at most 85% of FIFO's"
	check clock_faults_match_the_simulated_clock_within_3_percent \
		"$((clock[0] > 0 && ${sim:-0} > 0 && (clock[0] - sim) * (clock[0] - sim) * 10000 <= 9 * sim * sim ? 0 : 1))" \
		"the kernel took ${clock[0]} faults, the simulator's clock ${sim:-?}"
	boot vm 'init=/bin/test_vm quiet maxframes=1024 vm.policy=clock'
	from_suite swap_keeps_every_word clean_pages_are_evicted_without_writes cow_pages_survive_swap
}

# ---- asid: the ASID allocator, graded by the tagged-TLB model -----------

grade_asid() {
	LOG=$LOGDIR/$lab-model.log
	CMOCKA_MESSAGE_OUTPUT=TAP "$B/unit/test_tlb_model" >"$LOG" 2>&1
	local t
	for t in first_run_takes_the_next_asid_without_a_fence \
		switch_in_current_generation_writes_satp_and_no_fence \
		switch_to_the_space_in_satp_does_nothing rollover_fences_all_once_after_the_satp_write \
		flush_fences_a_current_generation_space_even_when_not_running \
		flush_of_old_generation_or_never_run_space_does_nothing counters_match_the_hardware_calls \
		random_asidlen_1_one_user_asid random_asidlen_2_rolls_over_constantly \
		random_asidlen_3 random_asidlen_9; do
		from_suite "test_$t"
	done
	boot proc 'init=/bin/test_proc quiet'
	from_suite asids_avoid_fences_on_switches asid_rollover_keeps_processes_correct
}

# ---- gstage: the hypervisor's G-stage fault handler ---------------------

grade_gstage() {
	LOG=$LOGDIR/$lab-model.log
	CMOCKA_MESSAGE_OUTPUT=TAP "$B/unit/test_gstage" >"$LOG" 2>&1
	local t
	for t in a_guest_page_faults_once_then_each_hart_that_runs_the_guest_walks_it \
		a_leaf_is_writable_only_after_a_store_fault_or_once_dirty \
		a_read_only_host_mapping_gives_a_read_only_leaf_and_refuses_stores \
		eviction_to_swap_drops_the_leaves_on_every_hart \
		a_guest_store_to_a_page_read_back_from_swap_reaches_swap_again \
		copy_on_write_after_fork_drops_the_writable_leaves \
		frames_and_swap_slots_come_back_after_gstage_free_and_vm_destroy; do
		from_suite "test_$t"
	done
	boot hv 'init=/bin/test_hv quiet'
	from_suite load_from_nowhere_stops_the_guest store_past_the_end_of_ram_stops_the_guest \
		two_guests_at_once_have_their_own_vmids nothing_leaks
	boot guest-proc 'init=/bin/vm quiet -- -- init=/bin/test_proc quiet'
	from_suite fork_returns_pid_to_parent_and_zero_to_child exec_passes_argv \
		a_thousand_processes_keep_their_own_pages memory_books_balance
}

case $lab in
vmprint | lazy | cow | clock | asid | gstage) "grade_$lab" ;;
"") echo "grade: which lab? make grade LAB=NAME (the labs: vmprint lazy cow clock asid gstage)" >&2; exit 2 ;;
*) echo "grade: no lab '$lab' (the labs: vmprint lazy cow clock asid gstage)" >&2; exit 2 ;;
esac

echo "KTAP version 1"
echo "1..$n"
printf '%s' "$results"
echo "# lab $lab: score $((n - ${#failing[@]}))/$n"
((${#failing[@]})) && echo "# failing: ${failing[*]}"
[[ ${#failing[@]} -eq 0 ]]
