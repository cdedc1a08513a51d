# pictures.mk - included by the Makefile: the pictures of README.md and
# docs/ rebuilt from the commands the pages show, and the browser that the
# SVG test (tests/cli/test_cli_pictures.sh) renders with.

.PHONY: docs-pictures deps-browser

# Every indented `imgrad ...` command in README.md and docs/*.md that is
# followed by pictures (![...](docs/NAME.png)) is run again, and its
# outputs become those pictures: they cannot drift from the program.
# The browser page's screenshot comes from check-web's headless Chromium.
docs-pictures: deps $(BUILD)/imgrad check-web
	$(PYTHON) scripts/docs_pictures.py --imgrad $(BUILD)/imgrad README.md $(wildcard docs/*.md)

# Debian's chromium renders the SVG pictures headless in check-cli; when it
# cannot be installed (no archive, not root) the test says "skipped".
deps-browser:
	@scripts/deps.sh chromium || echo "imgrad: chromium is not installed: the SVG browser test will be skipped"

check-cli: deps-browser
