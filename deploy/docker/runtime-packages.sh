#!/bin/sh
# Prints, one per line, the Debian packages that ship the shared libraries the given binaries load
# (ldd), for the runtime image to install and nothing else. Fails naming a library no package ships.
# usage: runtime-packages.sh BINARY...
set -eu
[ $# -gt 0 ] || { echo "usage: runtime-packages.sh BINARY..." >&2; exit 2; }
libs=$(for binary in "$@"; do
    ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u)
# Since the /usr merge a file may be registered under /lib or /usr/lib, by either of its names.
candidates() {
    real=$(readlink -f "$1")
    for path in "$1" "$real"; do
        echo "$path"
        case "$path" in
            /usr/*) echo "${path#/usr}" ;;
            *) echo "/usr$path" ;;
        esac
    done
}
# One dpkg query for every name ("package[:arch][, other]: /path" per file found).
owners=$(for lib in $libs; do candidates "$lib"; done | sort -u | xargs dpkg -S 2>/dev/null || true)
packages=
for lib in $libs; do
    found=
    for path in $(candidates "$lib"); do
        found=$(printf '%s\n' "$owners" | awk -v p="$path" '{ i = index($0, ": /") } i && substr($0, i + 2) == p {
            split(substr($0, 1, i - 1), owners, ", "); sub(/:.*/, "", owners[1]); print owners[1]; exit }')
        [ -z "$found" ] || break
    done
    [ -n "$found" ] || { echo "runtime-packages.sh: no Debian package ships $lib" >&2; exit 1; }
    packages="$packages$found
"
done
printf '%s' "$packages" | sort -u
