#!/usr/bin/env bash
# Print the absolute path of an rv32 OpenSBI generic fw_dynamic.bin (for
# QEMU's -bios), fetching it first if needed; only that path goes to stdout.
# Order: $OPENSBI, a distribution copy, the per-machine cache (outside the
# work tree, so every clone shares it), else Debian's trixie `opensbi`
# package fetched with a private apt setup, from the native-architecture
# index first and the `all` index after it (PLATFORM.md pitfall 24). The
# system's apt setup is only read, for its mirror, never changed.
# "opensbi.sh --download" skips the copies and fetches into the cache anew.
# Environment: OPENSBI (a firmware file), DEBIAN_MIRROR (a mirror URI),
# OPENSBI_CACHE (the cache folder); OPENSBI_TEST_UNSIGNED_REPO=1 accepts an
# unsigned repository, for tests/deps only.
set -euo pipefail

readonly SUITE=trixie
readonly PACKAGE=opensbi
readonly FW_IN_PACKAGE=usr/lib/riscv32-linux-gnu/opensbi/generic/fw_dynamic.bin
readonly SYSTEM_COPIES=(
	"/$FW_IN_PACKAGE"
	/usr/share/qemu/opensbi-riscv32-generic-fw_dynamic.bin
)
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# XDG's cache folder if it is an absolute path (the XDG Base Directory
# specification ignores relative ones), else ~/.cache.
cache_home() {
	if [[ ${XDG_CACHE_HOME:-} == /* ]]; then
		printf '%s\n' "$XDG_CACHE_HOME"
	elif [[ -n ${HOME:-} ]]; then
		printf '%s\n' "$HOME/.cache"
	else
		printf '%s\n' "${TMPDIR:-/tmp}/sv32-kernel-cache-$EUID"
	fi
}
CACHE_DIR=${OPENSBI_CACHE:-$(cache_home)/sv32-kernel/opensbi}
readonly CACHE_DIR
readonly CACHED_FW="$CACHE_DIR/$FW_IN_PACKAGE"

# Temporary directories of a download, removed on any exit.
work=""
stage=""
cleanup() { rm -rf ${work:+"$work"} ${stage:+"$stage"}; }

say() { printf 'opensbi: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# True if $1 is a readable file that carries the OpenSBI banner string.
is_firmware() { [[ -f $1 && -r $1 ]] && grep -qF OpenSBI "$1"; }

# Print the first http(s) URI of the Debian archive proper (no security,
# updates or backports suite) from the system's apt sources, both formats.
system_debian_mirror() {
	local list parts codename=""
	list=/etc/apt/sources.list
	parts=/etc/apt/sources.list.d/
	eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d 2>/dev/null || true)"
	if [[ -r /etc/os-release ]]; then
		codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d "\"'")
	fi
	local files=() f
	if [[ -f $list ]]; then
		files+=("$list")
	fi
	for f in "$parts"*; do
		case $f in *.list | *.sources) [[ -f $f ]] && files+=("$f") ;; esac
	done
	((${#files[@]})) || return 1
	# One "uri suite" line per source entry, in apt's reading order.
	local uri suite
	while read -r uri suite; do
		[[ -n $suite ]] || continue
		case $uri in http://* | https://*) ;; *) continue ;; esac
		[[ $uri == *security* ]] && continue
		case $suite in
		"$codename" | stable | oldstable | testing | unstable | sid | bullseye | bookworm | trixie | forky)
			printf '%s\n' "${uri%/}"
			return 0
			;;
		esac
	done < <(for f in "${files[@]}"; do
		case $f in
		*.sources) source_entries_deb822 "$f" ;;
		*) source_entries_oneline "$f" ;;
		esac
	done)
	return 1
}

# One-line format: "deb [options] uri suite component...".
source_entries_oneline() {
	sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$1" | awk '$1 == "deb" { print $2, $3 }'
}

# deb822 format: stanzas of "Field: value" separated by blank lines; prints
# every URI x suite pair of each enabled stanza whose Types include deb.
source_entries_deb822() {
	awk '
	function flush(   nu, ns, i, j, us, ss) {
		if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
			nu = split(uris, us, " "); ns = split(suites, ss, " ")
			for (i = 1; i <= nu; i++)
				for (j = 1; j <= ns; j++)
					print us[i], ss[j]
		}
		types = uris = suites = enabled = last = ""
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ {
		if (last == "uris") uris = uris " " $0
		else if (last == "suites") suites = suites " " $0
		next
	}
	{
		key = tolower($0); sub(/:.*/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		last = key
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "suites") suites = val
		else if (key == "enabled") enabled = val
	}
	END { flush() }
	' "$1"
}

readonly HOW_TO_SET="set OPENSBI=/path/to/rv32/fw_dynamic.bin"

# The one line that says why an apt-get run failed: its first error,
# without apt's "E: " and with runs of blanks squeezed.
first_apt_error() {
	local line
	line=$(grep -m1 '^E: ' "$1" || grep -m1 -A1 '^Err:' "$1" || tail -n1 "$1")
	line=${line#E: }
	printf '%s\n' "$line" | tr -s ' \t\n' ' ' | sed 's/ $//'
	echo
}

# The source line for index architecture $1. The archive's signature is
# checked against the Debian keyring; apt then checks each index against
# the signed InRelease and the .deb against the index's SHA256.
source_line() {
	local arch=$1 mirror=$2 trust="signed-by=$KEYRING"
	[[ ${OPENSBI_TEST_UNSIGNED_REPO:-} == 1 ]] && trust="trusted=yes"
	printf 'deb [%s arch=%s] %s %s main\n' "$trust" "$arch" "$mirror" "$SUITE"
}

# Try one index: a private apt state (its own source list, lists, caches,
# no system preferences) under $work/$1; on success the .deb is in
# $work/$1/deb. On failure print one line and return 1.
fetch_with_index() {
	local arch=$1 mirror=$2 dir="$work/$1"
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/cache" "$dir/deb"
	source_line "$arch" "$mirror" >"$dir/sources.list"
	# As root apt fetches as the unprivileged _apt user, which must be able
	# to reach its partial directories and write where the .deb goes.
	if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
		chmod 755 "$work" "$dir"
		chown -R _apt "$dir/deb" "$dir/lists/partial" "$dir/archives/partial"
	fi
	local apt=(
		apt-get -q
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::Status=/dev/null"
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Cache::Archives=$dir/archives"
		-o Acquire::Languages=none
		-o Acquire::Retries=1
	)
	if ! "${apt[@]}" update >"$dir/update.log" 2>&1 ||
		grep -qE '^(E|W): (Failed to fetch|Some index files failed)' "$dir/update.log"; then
		say "the arch=$arch index failed: $(first_apt_error "$dir/update.log")"
		return 1
	fi
	if ! (cd "$dir/deb" && "${apt[@]}" download "$PACKAGE") >"$dir/download.log" 2>&1; then
		say "apt-get download $PACKAGE from the arch=$arch index failed: $(first_apt_error "$dir/download.log")"
		return 1
	fi
	if ! compgen -G "$dir/deb/${PACKAGE}_*.deb" >/dev/null; then
		say "apt-get download $PACKAGE from the arch=$arch index left no .deb"
		return 1
	fi
}

# Unpack the .deb $1 and make it the cache, all at once.
install_into_cache() {
	local deb=$1 why=""
	mkdir -p "$(dirname "$CACHE_DIR")"
	stage=$(mktemp -d "$CACHE_DIR.new.XXXXXX")
	if ! dpkg-deb -x "$deb" "$stage"; then
		why="does not unpack"
	elif ! is_firmware "$stage/$FW_IN_PACKAGE"; then
		why="has no usable $FW_IN_PACKAGE"
	fi
	if [[ -n $why ]]; then
		say "${deb##*/} $why"
		rm -rf "$stage"
		stage=""
		return 1
	fi
	rm -rf "$CACHE_DIR"
	mv "$stage" "$CACHE_DIR"
	stage=""
	say "cached ${deb##*/} in $CACHE_DIR"
}

# Fetch Debian's opensbi package into CACHE_DIR: the native-architecture
# index first (trixie lists every arch:all package in each architecture's
# own index too), then the `all` index; the first that works wins.
download_into_cache() {
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		die "no apt-get/dpkg-deb here; $HOW_TO_SET"
	fi
	if [[ ${OPENSBI_TEST_UNSIGNED_REPO:-} != 1 && ! -r $KEYRING ]]; then
		die "no $KEYRING (package debian-archive-keyring); $HOW_TO_SET"
	fi
	local mirror native
	mirror=${DEBIAN_MIRROR:-$(system_debian_mirror)} ||
		die "no Debian mirror in the apt sources; set DEBIAN_MIRROR=<uri> or OPENSBI=<file>"
	native=$(dpkg --print-architecture 2>/dev/null || echo all)

	work=$(mktemp -d "${TMPDIR:-/tmp}/opensbi-apt.XXXXXX")
	trap cleanup EXIT
	say "fetching Debian's $PACKAGE package ($SUITE) from $mirror"
	local arch debs archs=("$native")
	[[ $native == all ]] || archs+=(all)
	for arch in "${archs[@]}"; do
		fetch_with_index "$arch" "$mirror" || continue
		debs=("$work/$arch/deb/${PACKAGE}"_*.deb)
		install_into_cache "${debs[0]}" && return 0
	done
	die "no way to fetch the rv32 firmware worked; $HOW_TO_SET"
}

# Fill the cache once even when several make jobs (or clones) ask at the
# same time; with $1 = force, fetch even if the cache holds a firmware.
fill_cache_locked() {
	mkdir -p "$(dirname "$CACHE_DIR")"
	if command -v flock >/dev/null; then
		exec 9>"$CACHE_DIR.lock"
		flock 9
	fi
	if [[ ${1:-} == force ]] || ! is_firmware "$CACHED_FW"; then
		download_into_cache
	fi
}

main() {
	if [[ ${1:-} == --download ]]; then
		fill_cache_locked force
		printf '%s\n' "$CACHED_FW"
		return
	fi
	if [[ -n ${OPENSBI:-} ]]; then
		is_firmware "$OPENSBI" || die "OPENSBI=$OPENSBI is not an OpenSBI firmware file"
		readlink -f -- "$OPENSBI"
		return
	fi
	local f
	for f in "${SYSTEM_COPIES[@]}" "$CACHED_FW"; do
		if is_firmware "$f"; then
			printf '%s\n' "$f"
			return
		fi
	done
	fill_cache_locked
	is_firmware "$CACHED_FW" || die "no firmware at $CACHED_FW after download"
	printf '%s\n' "$CACHED_FW"
}

main "$@"
