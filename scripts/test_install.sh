#!/bin/bash
# make install into a staging folder, build README's example against it with
# pkg-config, run it, then make uninstall and check nothing is left.
SUITE=install
. "$(dirname "$0")/../tests/cli/testlib.sh"
cd "$(dirname "$0")/.." || exit 1
stage=$TMP/stage; prefix=/opt/imgrad-test
expect_status 0 "make install" make -s install DESTDIR="$stage" PREFIX="$prefix"
for f in bin/imgrad include/imgrad.h lib/libimgrad.a lib/libimgrad.so lib/pkgconfig/imgrad.pc \
         share/man/man1/imgrad.1; do expect_file "$stage$prefix/$f"; done
expect_grep "edge.*order" "$stage$prefix/share/man/man1/imgrad.1" "man page from --help"
# the example program in README, compiled against the staged install
sed -n '/^```c example/,/^```$/p' README.md | sed '1d;$d' > "$TMP/example.c"
expect_grep "imgrad_gradient" "$TMP/example.c" "README example extracted"
pc="$stage$prefix/lib/pkgconfig"
flags=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$stage pkg-config --cflags --libs --static imgrad)
expect_status 0 "example builds" cc -std=c99 "$TMP/example.c" -o "$TMP/example" $flags
expect_status 0 "example runs" env LD_LIBRARY_PATH="$stage$prefix/lib" "$TMP/example" assets/camera.png
expect_grep "largest magnitude" "$TMP/out" "example output"
expect_status 0 "make uninstall" make -s uninstall DESTDIR="$stage" PREFIX="$prefix"
n=$(find "$stage" -type f -o -type l | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "uninstall left $n files"; fi
finish
