# The browser bundle of the sealed portal: typage (age-encryption) and the
# unlock code, built with esbuild from npm into one IIFE that the sealer
# inlines into every portal. Generated, not committed; embedded by themes.FS.
UNLOCK_DIR    := themes/default/unlock
UNLOCK_BUNDLE := $(UNLOCK_DIR)/dist/unlock.js
UNLOCK_SRC    := $(wildcard $(UNLOCK_DIR)/src/*.js)
NPM_STAMP     := node_modules/.package-lock.json
NPM_LOCK_MK   := package-lock.json package.json

.PHONY: bundle
bundle: $(UNLOCK_BUNDLE)

# npm ci writes node_modules/.package-lock.json; touch it so make compares
# against the install time even when npm leaves it unchanged.
$(NPM_STAMP): $(NPM_LOCK_MK)
	npm ci --no-audit --no-fund
	@touch $@

$(UNLOCK_BUNDLE): $(UNLOCK_SRC) $(NPM_STAMP)
	@mkdir -p $(@D)
	npx --no-install esbuild $(UNLOCK_DIR)/src/main.js --bundle --minify --format=iife \
		--target=es2020 --legal-comments=eof --log-level=warning --outfile=$@
