# Issue 13's parity checks: --compat opencv / skimage, numpy's dtype and
# coordinate rules, extreme values, --stats per format, automatic Canny on
# noise (scripts/crosscheck_compat.py; docs/compat.md).  The whole
# `make crosscheck` took 1 min 45 s on a 2-core machine.
.PHONY: crosscheck-compat
crosscheck: crosscheck-compat

crosscheck-compat: deps deps-python
	$(MAKE) all
	$(PYTHON) scripts/crosscheck_compat.py --imgrad $(BUILD)/imgrad \
	    assets/*.png $(wildcard $(HELDOUT))
