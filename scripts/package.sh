#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/package.sh - the layerfs DKMS source and its Debian package.
#
# Usage: scripts/package.sh version
#        scripts/package.sh deb
#        scripts/package.sh dkms [--kernel 6.12|6.1 | --kver KVER]... [--no-install]
#        scripts/package.sh dkms-remove
#        scripts/package.sh dkms-test [--kernel 6.12|6.1]... [--tests REGEX]
#        (--kernel takes a series of the manifest, --kver any kernel release
#        with headers in /lib/modules/KVER/build; dkms-test boots only the
#        manifest's kernels)
#
#   version     print the version after checking that dkms.conf's
#               PACKAGE_VERSION, MODULE_VERSION() in fs/layerfs/super.c and
#               the top entry of debian/changelog agree (every command does)
#   deb         build build/layerfs-dkms_<version>_all.deb with debhelper and
#               dh-dkms (dpkg-buildpackage -b in build/deb/layerfs-<version>/,
#               a copy of the files DKMS needs plus debian/)
#   dkms        copy the source to /usr/src/layerfs-<version>, "dkms add" it,
#               then "dkms build" and "dkms install" it for each kernel named
#               (default: both Debian kernels of the manifest); --no-install
#               stops after the build.  Needs root.
#   dkms-remove "dkms remove layerfs/<version> --all" and remove the source
#               from /usr/src
#   dkms-test   the proof: dkms add + build for each kernel (default both),
#               check "modinfo" shows the version, copy the DKMS-built module
#               to build/<kver>/dkms/layerfs.ko, boot it in the VM with the
#               selftests matching REGEX (default ^lookup$), then dkms-remove.
#               Nothing is installed in /lib/modules.
#
# The .deb installs with "apt install ./build/layerfs-dkms_<version>_all.deb";
# its postinst runs "dkms add/build/install" for every kernel with headers.
# See Documentation/filesystems/layerfs-packaging.rst.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The three places that carry the version must agree.
check_version() {
	local conf mod chl
	conf=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
	mod=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' "$REPO/fs/layerfs/super.c")
	chl=$(sed -n '1s/^layerfs (\([^)]*\)).*/\1/p' "$REPO/debian/changelog")
	[ -n "$conf" ] && [ "$conf" = "$mod" ] && [ "$conf" = "$chl" ] ||
		die "versions differ: dkms.conf '$conf', fs/layerfs/super.c MODULE_VERSION '$mod', debian/changelog '$chl'"
	VERSION=$conf
}

# Copy what DKMS needs (and debian/ when $2 is "deb") into directory $1.
stage_source() {
	local dst=$1
	rm -rf "$dst"
	mkdir -p "$dst/fs/layerfs" "$dst/include/uapi/linux"
	cp "$REPO/Kbuild" "$REPO/dkms.conf" "$dst/"
	cp "$REPO"/fs/layerfs/{Kbuild,*.c,*.h} "$dst/fs/layerfs/"
	cp "$REPO"/include/uapi/linux/*.h "$dst/include/uapi/linux/"
	if [ "${2:-}" = deb ]; then
		cp -r "$REPO/debian" "$dst/"
		cp "$REPO/README.md" "$dst/"
	fi
}

# Kernel releases from --kernel SERIES / --kver KVER options (default: both).
KVERS=()
parse_kernels() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel) KVERS+=("$(kver_of "${2:?}")"); shift 2 ;;
		--kver)   KVERS+=("${2:?}"); shift 2 ;;
		*)        REST+=("$1"); shift ;;
		esac
	done
	if [ ${#KVERS[@]} -eq 0 ]; then
		local s
		for s in $SERIES_ALL; do
			KVERS+=("$(kver_of "$s")")
		done
	fi
}

# The series (6.12, 6.1) of a Debian kernel release of the manifest.
series_of_kver() {
	local s
	for s in $SERIES_ALL; do
		[ "$(kver_of "$s")" = "$1" ] && { echo "$s"; return; }
	done
	die "$1 is not one of the manifest's kernels ($MANIFEST)"
}

need_dkms() {
	[ "$(id -u)" = 0 ] || die "dkms needs root (run: sudo $0 $*)"
	command -v dkms >/dev/null ||
		die "dkms missing: apt-get install --no-install-recommends dkms"
}

# Source in /usr/src and registered with dkms (again, if it was).
dkms_add() {
	dkms_remove quiet
	stage_source "/usr/src/layerfs-$VERSION"
	dkms add -m layerfs -v "$VERSION" >&2
}

dkms_remove() {
	# (status into a variable: "| grep -q" would SIGPIPE dkms under pipefail)
	local st
	st=$(dkms status -m layerfs -v "$VERSION" 2>/dev/null || true)
	if [ -n "$st" ] || [ -d "/var/lib/dkms/layerfs/$VERSION" ]; then
		# dkms remove needs the source it was added from
		[ -e "/usr/src/layerfs-$VERSION/dkms.conf" ] ||
			stage_source "/usr/src/layerfs-$VERSION"
		dkms remove -m layerfs -v "$VERSION" --all >&2
	fi
	rm -rf "/usr/src/layerfs-$VERSION"
	[ "${1:-}" = quiet ] || info "removed layerfs/$VERSION from dkms and /usr/src"
}

# The module dkms built for kernel $1 (maybe compressed, as the kernel's own).
dkms_built_ko() {
	local f
	for f in /var/lib/dkms/layerfs/"$VERSION/$1"/*/module/layerfs.ko{,.xz,.zst,.gz}; do
		[ -e "$f" ] && { echo "$f"; return; }
	done
	die "dkms built no layerfs.ko for $1"
}

# Copy it to $2 uncompressed (busybox insmod in the VM reads only .ko).
copy_ko() {
	case "$1" in
	*.xz)  xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz)  gzip -dc "$1" >"$2" ;;
	*)     cp "$1" "$2" ;;
	esac
}

cmd_deb() {
	local dir=$REPO/build/deb
	command -v dpkg-buildpackage >/dev/null && [ -e /usr/bin/dh_dkms ] ||
		die "needs debhelper and dh-dkms: apt-get install --no-install-recommends debhelper dh-dkms dkms"
	rm -rf "$dir"
	stage_source "$dir/layerfs-$VERSION" deb
	info "dpkg-buildpackage in ${dir#"$REPO"/}/layerfs-$VERSION"
	(cd "$dir/layerfs-$VERSION" && dpkg-buildpackage -b -us -uc) >"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log" >&2; die "dpkg-buildpackage failed (log: $dir/build.log)"; }
	cp "$dir/layerfs-dkms_${VERSION}_all.deb" "$REPO/build/"
	echo "$REPO/build/layerfs-dkms_${VERSION}_all.deb"
}

cmd_dkms() {
	local install=1 kver
	REST=()
	parse_kernels "$@"
	for a in ${REST[@]+"${REST[@]}"}; do
		case "$a" in
		--no-install) install=0 ;;
		*) die "unknown argument '$a'" ;;
		esac
	done
	need_dkms dkms
	dkms_add
	for kver in "${KVERS[@]}"; do
		dkms build -m layerfs -v "$VERSION" -k "$kver" >&2 ||
			die "dkms build for $kver failed (log: /var/lib/dkms/layerfs/$VERSION/build/make.log)"
		[ "$install" = 1 ] && dkms install -m layerfs -v "$VERSION" -k "$kver" >&2
	done
	dkms status -m layerfs
}

cmd_dkms_test() {
	local tests='^lookup$' kver ko out rc=0 ver results=()
	REST=()
	parse_kernels "$@"
	set -- ${REST[@]+"${REST[@]}"}
	while [ $# -gt 0 ]; do
		case "$1" in
		--tests) tests=${2:?}; shift 2 ;;
		*) die "unknown argument '$1'" ;;
		esac
	done
	need_dkms dkms-test
	dkms_add
	for kver in "${KVERS[@]}"; do
		echo "======== dkms build layerfs/$VERSION for $kver ========"
		dkms build -m layerfs -v "$VERSION" -k "$kver" >&2 ||
			die "dkms build for $kver failed (log: /var/lib/dkms/layerfs/$VERSION/build/make.log)"
		out=$REPO/build/$kver/dkms
		mkdir -p "$out"
		ko=$(dkms_built_ko "$kver")
		copy_ko "$ko" "$out/layerfs.ko"
		ver=$(modinfo -F version "$out/layerfs.ko")
		info "$ko: modinfo version $ver, vermagic $(modinfo -F vermagic "$out/layerfs.ko")"
		[ "$ver" = "$VERSION" ] || die "modinfo says version '$ver', expected $VERSION"
	done
	dkms_remove
	for kver in "${KVERS[@]}"; do
		echo "======== VM smoke test of the DKMS-built module on $kver ========"
		if "$REPO/scripts/check.sh" --kernel "$(series_of_kver "$kver")" --ko "$REPO/build/$kver/dkms/layerfs.ko" \
			--tests "$tests"; then
			results+=("$kver: ok")
		else
			results+=("$kver: FAILED")
			rc=1
		fi
	done
	printf '%s\n' "${results[@]}"
	return "$rc"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
-h|--help|"") usage 0 ;;
esac
check_version
case "$cmd" in
version)     echo "$VERSION" ;;
deb)         cmd_deb ;;
dkms)        cmd_dkms "$@" ;;
dkms-remove) need_dkms dkms-remove; dkms_remove ;;
dkms-test)   cmd_dkms_test "$@" ;;
*)           die "unknown command '$cmd' (version, deb, dkms, dkms-remove, dkms-test)" ;;
esac
