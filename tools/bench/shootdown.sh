#!/usr/bin/env bash
# The cost of a TLB shootdown, in instructions on each hart, for make bench.
#
# With several harts, rdinstret under -icount is the machine's one clock
# (all harts' instructions), and -icount runs the harts in turn, so a hart
# waiting for another spins through its whole time slice (PLATFORM.md 8.2).
# So this boots without -icount (each hart a host thread, as on hardware),
# has QEMU log every translated block the harts run in M-mode (OpenSBI)
# and S-mode (the kernel), and counts each hart's instructions in the two
# loops of "bench shootdown": the same mprotect pairs without and with a
# remote fence. The getppid calls around each loop mark it in the log.
#
# Timer ticks and the wait for the other hart's thread land in the loops
# unevenly, so each figure is the median of RUNS boots.
#
# Usage: tools/bench/shootdown.sh KERNEL_ELF OPS [RUNS]   (QEMUCMD from
# make, with -smp 2 or more). Prints "bench: NAME VALUE UNIT" lines.
set -u -o pipefail
ELF=$1
OPS=$2
RUNS=${3:-3}
NM=${NM:-riscv64-unknown-elf-nm}
syms=$("$NM" "$ELF")
mark=$(awk '$3 == "sys_getppid" { print $1 }' <<<"$syms")
kernel=$(awk '$3 == "__kernel_start" { print $1 }' <<<"$syms")
if [ -z "$mark" ] || [ -z "$kernel" ]; then
	echo "bench: shootdown: no sys_getppid or __kernel_start in $ELF" >&2
	exit 1
fi
log=$(mktemp "${TMPDIR:-/tmp}/shootdown.XXXXXX")
trap 'rm -f "$log"' EXIT

one_boot() {
	# Only the firmware's and the kernel's code (from 0x80000000 up): the
	# spinner that keeps the other hart busy runs in U-mode, below it.
	out=$(timeout 600 bash -c "$QEMUCMD -d in_asm,exec,nochain -dfilter 0x80000000..0xffffffff \
		-D '$log' -append 'init=/bin/bench quiet -- shootdown $OPS'" </dev/null 2>&1 | tr -d '\r')
	if ! grep -q '^init exited with status 0' <<<"$out"; then
		echo "bench: shootdown boot failed:" >&2
		tail -5 <<<"$out" >&2
		return 1
	fi
	# "bench: shootdown_remote_loop OPS ops FENCES remote_fences HARTS harts_fenced"
	read -r _ _ _ _ fences _ harts _ < <(grep '^bench: shootdown_remote_loop ' <<<"$out")
	read -r _ _ _ _ local_fences _ < <(grep '^bench: shootdown_local_loop ' <<<"$out")
	if [ "${fences:-0}" -ne "$OPS" ] || [ "${local_fences:-1}" -ne 0 ]; then
		echo "bench: shootdown: expected $OPS remote fences and none in the local loop:" >&2
		grep '^bench: ' <<<"$out" >&2
		return 1
	fi

	# A block's size is the instruction lines after its "IN:" (in_asm); each
	# "Trace CPU: HOST [CS/PC/FLAGS/CFLAGS]" line is one run of it (exec,
	# nochain). The hart that runs the marks is the sender; the loop with
	# marks 1 and 2 is the local one, 3 and 4 the remote one; other harts'
	# blocks count in the loop that is open on the sender when they run.
	awk -v mark="$mark" -v kernel="$kernel" -v ops="$OPS" -v fences="$fences" -v harts="$harts" '
	/^IN:/ { cur = ""; next }
	/^0x[0-9a-f]+:/ {
		pc = substr($1, 3, 8)
		if (cur == "") cur = pc
		size[cur]++
		next
	}
	/^Trace / {
		cur = ""
		cpu = $2; sub(":", "", cpu)
		split($4, f, "/"); pc = f[2]
		if (pc == mark) {
			marks[cpu]++
			sender = cpu
			loop = marks[cpu] % 2 ? (marks[cpu] + 1) / 2 : 0
		}
		if (loop == 0) next
		who = cpu == sender ? "sender" : "others"
		mode = pc < kernel ? "M" : "S"
		n[loop, who, mode] += size[pc]
	}
	function per(x, d) { return int(x / d + 0.5) }
	END {
		kernel_extra = n[2, "sender", "S"] - n[1, "sender", "S"]
		sbi = n[2, "sender", "M"] - n[1, "sender", "M"]
		remote = n[2, "others", "M"] - n[1, "others", "M"]
		printf "bench: shootdown_kernel %d insns/shootdown (sending hart, S-mode, beyond a local-only mprotect)\n", per(kernel_extra, fences)
		printf "bench: shootdown_sbi_call %d insns/shootdown (sending hart, M-mode, with the wait for the answer)\n", per(sbi, fences)
		printf "bench: shootdown_remote %d insns/shootdown (%.2f target harts, M-mode, each)\n", per(remote, harts), harts / fences
		printf "bench: mprotect_local_only %d insns/op (sending hart, S-mode, no remote fence)\n", per(n[1, "sender", "S"], 2 * ops)
	}' "$log"
}

# The median of each figure over RUNS boots, in the order of the first.
for ((run = 0; run < RUNS; run++)); do
	one_boot || exit 1
done | awk '
{ key = $2; if (!(key in seen)) { seen[key] = ++nkeys; order[nkeys] = key; rest[key] = "" }
  v[key, ++cnt[key]] = $3; line[key] = $0 }
END {
	for (k = 1; k <= nkeys; k++) {
		key = order[k]
		# insertion sort of the few values
		for (i = 2; i <= cnt[key]; i++)
			for (j = i; j > 1 && v[key, j - 1] > v[key, j]; j--) {
				t = v[key, j]; v[key, j] = v[key, j - 1]; v[key, j - 1] = t
			}
		m = v[key, int((cnt[key] + 1) / 2)]
		split(line[key], w, " ")
		out = "bench: " key " " m
		for (i = 4; i <= length(w); i++) out = out " " w[i]
		print out
	}
}'

