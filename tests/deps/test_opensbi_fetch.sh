#!/usr/bin/env bash
# The firmware fetch of sbi/opensbi.sh without the network: local file:
# apt repositories shaped like Debian trixie (an unsigned Release with the
# indexes' sizes and SHA256, "No-Support-for-Architecture-all: Packages")
# serve a stand-in opensbi .deb, with one index or both corrupted as a
# mirror in mid-sync serves them. Prints TAP; exits non-zero on a failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
script=$PWD/sbi/opensbi.sh
fw_path=usr/lib/riscv32-linux-gnu/opensbi/generic/fw_dynamic.bin
native=$(dpkg --print-architecture)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opensbi-fetch-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt reads file: repositories as the _apt user when run as root.
chmod 755 "$tmp"

. tests/tap.sh

# A stand-in package: the real file name, a body with the OpenSBI banner.
make_deb() {
	local pkg=$tmp/pkg
	mkdir -p "$pkg/DEBIAN" "$pkg/$(dirname "$fw_path")"
	printf 'OpenSBI stand-in firmware for the fetch test\n' >"$pkg/$fw_path"
	cat >"$pkg/DEBIAN/control" <<-CONTROL
	Package: opensbi
	Version: 1.6-1
	Architecture: all
	Maintainer: sv32 tests <tests@invalid>
	Description: stand-in for the fetch test
	CONTROL
	dpkg-deb --root-owner-group -b "$pkg" "$tmp/opensbi_1.6-1_all.deb" >/dev/null
}

# index_stanza DEB: the Packages stanza of DEB as the pool holds it.
index_stanza() {
	local deb=$1
	cat <<-STANZA
	Package: opensbi
	Version: 1.6-1
	Architecture: all
	Maintainer: sv32 tests <tests@invalid>
	Filename: pool/main/o/opensbi/${deb##*/}
	Size: $(stat -c %s "$deb")
	SHA256: $(sha256sum "$deb" | cut -d' ' -f1)
	Description: stand-in for the fetch test

	STANZA
}

# make_repo NAME CORRUPT...: a repository whose indexes named in CORRUPT
# (all, native) differ from what its Release says, as on a mirror in sync.
make_repo() {
	local repo=$tmp/$1 dist arch f
	shift
	dist=$repo/dists/trixie
	mkdir -p "$repo/pool/main/o/opensbi"
	cp "$tmp/opensbi_1.6-1_all.deb" "$repo/pool/main/o/opensbi/"
	for arch in all "$native"; do
		mkdir -p "$dist/main/binary-$arch"
		index_stanza "$repo/pool/main/o/opensbi/opensbi_1.6-1_all.deb" \
			>"$dist/main/binary-$arch/Packages"
		xz -k "$dist/main/binary-$arch/Packages"
	done
	{
		printf 'Origin: Debian\nLabel: Debian\nSuite: trixie\nCodename: trixie\n'
		printf 'Date: %s\n' "$(LC_ALL=C date -u -R)"
		printf 'Architectures: all %s\nComponents: main\n' "$native"
		printf 'No-Support-for-Architecture-all: Packages\nSHA256:\n'
		(cd "$dist" && for f in main/binary-*/Packages*; do
			printf ' %s %s %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
		done)
	} >"$dist/Release"
	for arch in "$@"; do
		[[ $arch == native ]] && arch=$native
		for f in "$dist/main/binary-$arch"/Packages*; do
			printf 'half-synced tail\n' >>"$f"
		done
	done
	chmod -R a+rX "$repo"
}

# fetch REPO CACHE [ARGS]: run the script against REPO into CACHE; sets
# OUT (stdout), ERR (stderr) and RC.
fetch() {
	local repo=$1 cache=$2
	shift 2
	OUT=$(DEBIAN_MIRROR="file:$tmp/$repo" OPENSBI_TEST_UNSIGNED_REPO=1 OPENSBI_CACHE="$cache" \
		OPENSBI= "$script" "$@" 2>"$tmp/err")
	RC=$?
	ERR=$(cat "$tmp/err")
}

make_deb
make_repo all-corrupt all
make_repo native-corrupt native
make_repo both-corrupt all native

fetch all-corrupt "$tmp/cache1" --download
if [[ $RC -eq 0 && $OUT == "$tmp/cache1/$fw_path" ]] && grep -q stand-in "$OUT"; then
	tap_ok "a corrupt binary-all index: the native-architecture index gives the firmware"
else
	tap_not_ok "a corrupt binary-all index: the native-architecture index gives the firmware" \
		"status $RC, printed '$OUT', said: $ERR"
fi

fetch native-corrupt "$tmp/cache2" --download
if [[ $RC -eq 0 && -f $tmp/cache2/$fw_path ]] &&
	grep -q "the arch=$native index failed: .*Hash Sum mismatch\|the arch=$native index failed: .*unexpected size" <<<"$ERR"; then
	tap_ok "a corrupt native index: one line says so, then the binary-all index gives the firmware"
else
	tap_not_ok "a corrupt native index: one line says so, then the binary-all index gives the firmware" \
		"status $RC, said: $ERR"
fi

fetch both-corrupt "$tmp/cache3" --download
lines=$(grep -c '^opensbi: the arch=.* index failed: ' <<<"$ERR")
if [[ $RC -ne 0 && -z $OUT && $lines -eq 2 && ! -e $tmp/cache3/$fw_path ]] &&
	[[ $(tail -n1 <<<"$ERR") == *"set OPENSBI="* ]]; then
	tap_ok "both indexes corrupt: one line each, a last line naming OPENSBI=, a non-zero status"
else
	tap_not_ok "both indexes corrupt: one line each, a last line naming OPENSBI=, a non-zero status" \
		"status $RC, $lines failure lines, said: $ERR"
fi

# The cache is per machine: a second clone's lookup finds it with the
# mirror unreachable (both indexes broken), and says nothing.
fetch both-corrupt "$tmp/cache1"
if [[ $RC -eq 0 && -n $OUT && -z $ERR ]] && grep -q OpenSBI "$OUT"; then
	tap_ok "a filled cache answers without the network and without a word"
else
	tap_not_ok "a filled cache answers without the network and without a word" "status $RC, said: $ERR"
fi

# Without OPENSBI_CACHE the cache is the XDG cache folder, outside the tree.
OUT=$(XDG_CACHE_HOME="$tmp/xdg" DEBIAN_MIRROR="file:$tmp/all-corrupt" \
	OPENSBI_TEST_UNSIGNED_REPO=1 OPENSBI_CACHE= OPENSBI= "$script" --download 2>"$tmp/err")
RC=$?
if [[ $RC -eq 0 && $OUT == "$tmp/xdg/sv32-kernel/opensbi/$fw_path" && -f $OUT ]]; then
	tap_ok "the cache is \$XDG_CACHE_HOME/sv32-kernel/opensbi"
else
	tap_not_ok "the cache is \$XDG_CACHE_HOME/sv32-kernel/opensbi" "status $RC, printed '$OUT'"
fi

tap_end
