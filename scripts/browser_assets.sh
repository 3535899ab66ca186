# Sourced by scripts/test: the browser tests' assets that come from a registry at install time.
#
# axe-core (the npm registry package) is injected into pages by tests/e2e to audit
# accessibility; it goes into the gitignored node_modules/, never into the repository.
AXE_CORE_VERSION=4.14.1
if [ ! -f node_modules/axe-core/axe.min.js ] \
    || ! grep -q "\"version\": \"$AXE_CORE_VERSION\"" node_modules/axe-core/package.json; then
    if command -v npm >/dev/null 2>&1; then
        echo "==> installing axe-core $AXE_CORE_VERSION into node_modules/"
        npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
            --prefix . "axe-core@$AXE_CORE_VERSION"
    else
        echo "==> npm is missing: the accessibility audits will be skipped (.ci/run installs it)"
    fi
fi
:
