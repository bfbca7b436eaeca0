#!/bin/sh
# Development aid: builds the `range-base/busybox:1` image by hand, the same base that
# `range images build` provides: the host's static busybox with one symlink per applet,
# /etc/passwd (root, nobody 65534), /etc/group and a 1777 /tmp, imported with
# `docker import` (no registry). Usage: tools/make-base.sh [TAG]
set -eu
tag="${1:-range-base/busybox:1}"
bb=/bin/busybox
if ! [ -x "$bb" ] || ! "$bb" --list-full >/dev/null 2>&1; then
    echo "make-base.sh: $bb missing: install busybox-static" >&2
    exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" "$root/tmp"
cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . | docker import - "$tag" >/dev/null
echo "$tag"
