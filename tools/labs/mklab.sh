#!/usr/bin/env bash
# mklab.sh LAB DEST: write the student tree of LAB into DEST. DEST gets a
# copy of this tree (the files git knows, as they are now) in which every
# region between the lines "/* lab LAB: begin */" and "/* lab LAB: end */"
# is replaced by the next stub for that file from tools/labs/LAB.stub
# (sections "--- FILE", in order). DEST/LAB names the lab for make grade.
set -euo pipefail
cd "$(dirname "$0")/../.."
lab=${1:-}
dest=${2:-}
say() { printf 'lab: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

labs=$(cd tools/labs && ls -- *.stub 2>/dev/null | sed 's/\.stub$//' | tr '\n' ' ')
[[ -n $lab ]] || die "which lab? make lab LAB=NAME, with NAME one of: $labs"
stubs=tools/labs/$lab.stub
[[ -f $stubs ]] || die "no lab '$lab'; the labs are: $labs"
[[ -n $dest ]] || die "usage: mklab.sh LAB DEST"
git rev-parse --git-dir >/dev/null 2>&1 ||
	die "make lab needs the full tree (a git checkout), not a student tree"

rm -rf "$dest"
mkdir -p "$dest"
git ls-files -co --exclude-standard | grep -v '^build/' | while read -r f; do
	[[ -e $f ]] && printf '%s\n' "$f"
done | cpio -pdm --quiet "$dest"

# Replace the regions of one file with its stubs; fail if they do not pair.
stub_file() {
	local file=$1 out
	out=$(mktemp)
	awk -v lab="$lab" -v file="$file" -v stubs="$stubs" '
		BEGIN {
			n = 0
			while ((getline line < stubs) > 0) {
				if (line ~ /^--- /) { cur = (substr(line, 5) == file) ? ++n : 0; continue }
				if (line ~ /^#/ && !cur) continue
				if (cur) text[cur] = text[cur] line "\n"
			}
			begin = "/* lab " lab ": begin */"
			end = "/* lab " lab ": end */"
		}
		{ trimmed = $0; sub(/^[ \t]+/, "", trimmed) }
		trimmed == begin {
			if (inside) { print file ": nested lab " lab " region" > "/dev/stderr"; exit 1 }
			if (++used > n) { print file ": more regions than stubs" > "/dev/stderr"; exit 1 }
			printf "%s", text[used]
			inside = 1
			next
		}
		trimmed == end {
			if (!inside) { print file ": an end without a begin" > "/dev/stderr"; exit 1 }
			inside = 0
			next
		}
		!inside { print }
		END {
			if (inside) { print file ": a region without its end" > "/dev/stderr"; exit 1 }
			if (used != n) { print file ": " n " stubs for " used " regions" > "/dev/stderr"; exit 1 }
		}
	' "$file" >"$out" || { rm -f "$out"; die "cannot make lab $lab from $file"; }
	cat "$out" >"$dest/$file"
	rm -f "$out"
}

files=$(grep -rl --include='*.[chS]' -F "/* lab $lab: begin */" kernel sbi user || true)
[[ -n $files ]] || die "lab $lab marks no code (no '/* lab $lab: begin */' in kernel/)"
for f in $(grep '^--- ' "$stubs" | cut -c5- | sort -u); do
	grep -qxF "$f" <<<"$files" || die "$stubs has stubs for $f, which has no lab $lab region"
done
for f in $files; do
	stub_file "$f"
done
printf '%s\n' "$lab" >"$dest/LAB"
say "the student tree of lab $lab is in $dest: read docs/labs/$lab.md there,"
say "then in that folder 'make qemu' to try it and 'make grade' to grade it"
