# fresh.mk - included by the Makefile: what the tests need beyond `make deps`
# (the CLI tests run Debian's /usr/bin/python3 with numpy and PIL), and
# `make check-fresh`, which runs README's two commands on a fresh Debian 12.

TEST_PACKAGES = python3 python3-numpy python3-pil

.PHONY: deps-test check-fresh

# `make deps` first: one apt-get at a time
deps-test: deps
	@scripts/deps.sh $(TEST_PACKAGES)

# make demo and make test in a debootstrap chroot (minbase + build-essential
# + git) of the committed tree; CHECK_FRESH_TIMEOUT bounds them (seconds).
check-fresh:
	scripts/check_fresh.sh
