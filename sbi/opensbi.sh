#!/usr/bin/env bash
# Print the absolute path of an rv32 OpenSBI generic fw_dynamic.bin (for
# QEMU's -bios), fetching it first if needed; only that path goes to stdout.
# Order: $OPENSBI, a distribution copy, the project cache .cache/opensbi/,
# else Debian's trixie `opensbi` package fetched with a private apt setup;
# the system's apt setup is only read, for its mirror, never changed.
set -euo pipefail

readonly SUITE=trixie
readonly PACKAGE=opensbi
readonly FW_IN_PACKAGE=usr/lib/riscv32-linux-gnu/opensbi/generic/fw_dynamic.bin
readonly SYSTEM_COPIES=(
	"/$FW_IN_PACKAGE"
	/usr/share/qemu/opensbi-riscv32-generic-fw_dynamic.bin
)
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly CACHE_DIR="$root/.cache/opensbi"
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

# Fetch Debian's opensbi package with a throw-away apt state (its own source
# list, lists, caches, no system preferences) and unpack it into CACHE_DIR.
# Signatures are checked by apt against the system's Debian keyring, which
# on bookworm already holds the trixie archive keys; apt then checks the
# .deb against the SHA256 of the verified Packages index.
download_into_cache() {
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		die "no apt-get/dpkg-deb here; set OPENSBI=/path/to/rv32/fw_dynamic.bin"
	fi
	[[ -r $KEYRING ]] ||
		die "no $KEYRING (package debian-archive-keyring); set OPENSBI=/path/to/rv32/fw_dynamic.bin"
	local mirror
	mirror=${DEBIAN_MIRROR:-$(system_debian_mirror)} ||
		die "no Debian mirror in the apt sources; set DEBIAN_MIRROR=<uri> or OPENSBI=<file>"

	work=$(mktemp -d "${TMPDIR:-/tmp}/opensbi-apt.XXXXXX")
	trap cleanup EXIT
	mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/cache" "$work/deb"
	printf 'deb [signed-by=%s arch=all] %s %s main\n' "$KEYRING" "$mirror" "$SUITE" >"$work/sources.list"
	# As root apt fetches as the unprivileged _apt user, which must be able
	# to reach its partial directories and write where the .deb goes.
	if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
		chmod 755 "$work"
		chown _apt "$work/deb"
	fi
	local apt=(
		apt-get -q
		-o "Dir::Etc::SourceList=$work/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$work/lists"
		-o "Dir::Cache=$work/cache"
		-o "Dir::Cache::Archives=$work/archives"
		-o Acquire::Languages=none
	)
	say "fetching Debian's $PACKAGE package ($SUITE) from $mirror"
	"${apt[@]}" update >&2 || die "apt-get update of the private $SUITE list failed"
	(cd "$work/deb" && "${apt[@]}" download "$PACKAGE") >&2 ||
		die "apt-get download $PACKAGE failed"
	local debs=("$work"/deb/"$PACKAGE"_*.deb)
	[[ -f ${debs[0]} ]] || die "apt-get download left no .deb"

	mkdir -p "$(dirname "$CACHE_DIR")"
	stage=$(mktemp -d "$CACHE_DIR.new.XXXXXX")
	dpkg-deb -x "${debs[0]}" "$stage"
	is_firmware "$stage/$FW_IN_PACKAGE" ||
		die "${debs[0]##*/} has no usable $FW_IN_PACKAGE"
	rm -rf "$CACHE_DIR"
	mv "$stage" "$CACHE_DIR"
	stage=""
	say "cached ${debs[0]##*/} in $CACHE_DIR"
}

# Fill the cache once even when several make jobs ask at the same time.
fill_cache_locked() {
	mkdir -p "$(dirname "$CACHE_DIR")"
	if command -v flock >/dev/null; then
		exec 9>"$CACHE_DIR.lock"
		flock 9
	fi
	is_firmware "$CACHED_FW" || download_into_cache
}

main() {
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
