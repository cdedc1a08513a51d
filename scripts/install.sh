#!/bin/sh
# install.sh install|uninstall DESTDIR PREFIX BUILD SO_VERSION
# Installs the program, the header, both libraries, imgrad.pc and a man page
# generated from --help by help2man (so it never drifts from the program).
set -e
action=$1; destdir=$2; prefix=$3; build=$4; so=$5
bindir=$destdir$prefix/bin
incdir=$destdir$prefix/include
libdir=$destdir$prefix/lib
pcdir=$libdir/pkgconfig
mandir=$destdir$prefix/share/man/man1
version=$(sed -n 's/^#define IMGRAD_VERSION "\(.*\)"/\1/p' include/imgrad.h)

if [ "$action" = uninstall ]; then
    rm -f "$bindir/imgrad" "$incdir/imgrad.h" "$libdir/libimgrad.a" \
          "$libdir/libimgrad.so" "$libdir/libimgrad.so.$so" "$libdir/libimgrad.so.$version" \
          "$pcdir/imgrad.pc" "$mandir/imgrad.1"
    exit 0
fi

mkdir -p "$bindir" "$incdir" "$libdir" "$pcdir" "$mandir"
install -m 755 "$build/imgrad" "$bindir/imgrad"
install -m 644 include/imgrad.h "$incdir/imgrad.h"
install -m 644 "$build/libimgrad.a" "$libdir/libimgrad.a"
install -m 755 "$build/libimgrad.so" "$libdir/libimgrad.so.$version"
ln -sf "libimgrad.so.$version" "$libdir/libimgrad.so.$so"
ln -sf "libimgrad.so.$so" "$libdir/libimgrad.so"
cat > "$pcdir/imgrad.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: imgrad
Description: image gradients and edges (numpy.gradient-exact, OpenMP)
Version: $version
Libs: -L\${libdir} -limgrad
Libs.private: -ljpeg -lpng16 -ldeflate -ltiff -lwebp -lheif -lspng -lm -fopenmp
Cflags: -I\${includedir}
PC
# a real install (not staged): let the dynamic linker find the new soname
if [ -z "$destdir" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then
    ldconfig
fi
help2man --no-info --name="image gradients, magnitude, direction and edges" \
    --version-string="$version" "$build/imgrad" > "$mandir/imgrad.1"
