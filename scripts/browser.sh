# Sourced by test.sh: Debian's Chromium for the browser tests. Playwright (a test dependency)
# drives it at /usr/bin/chromium; Playwright's own browser download is never used.
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian's chromium for the browser tests (once) ..." >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq && apt-get install -y -qq chromium; } >&2; then
            echo "Could not install chromium; the browser tests will say so." >&2
        fi
    else
        echo "No /usr/bin/chromium: install Debian's chromium package to run the browser tests" \
            "(they are skipped here, and fail under CI=true)." >&2
    fi
fi
