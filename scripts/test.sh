#!/usr/bin/env bash
# Install everything the tests need into .venv (Synapse included, and Debian's chromium for the
# browser tests) and run the checks: ruff, ruff format, mypy --strict, the import contracts,
# then pytest. Extra arguments go to pytest, for example
#   bash scripts/test.sh tests/cogs/circles -k round
set -euo pipefail
CK_EXTRAS=test
source "$(dirname "$0")/venv.sh"
source "$(dirname "$0")/browser.sh"
cd "$root"

echo "== ruff" >&2
"$venv/bin/ruff" check .
echo "== ruff format" >&2
"$venv/bin/ruff" format --check .
echo "== mypy --strict (bot with its platforms, cogs; tests with unannotated helpers allowed)" >&2
"$venv/bin/mypy"
echo "== import contracts" >&2
"$venv/bin/lint-imports" --no-cache --no-logo
echo "== PostgreSQL for the storage tests" >&2
# The storage suites run on SQLite and on a real PostgreSQL; say up front which it will be.
pg_url="${CIRCLEKEEPER_TEST_PG:-postgresql://postgres@127.0.0.1:5432/test}"
if "$venv/bin/python" - "$pg_url" <<'PY' >&2
import asyncio, sys
import asyncpg
async def main() -> None:
    conn = await asyncpg.connect(sys.argv[1], timeout=5)
    await conn.close()
try:
    asyncio.run(main())
except Exception as error:
    print(f"PostgreSQL is not reachable at {sys.argv[1]} ({type(error).__name__}: {error}).")
    sys.exit(1)
print(f"PostgreSQL at {sys.argv[1]}: reachable; the storage suites run on it too.")
PY
then :
elif [ "${CI:-}" = "true" ]; then
    echo "CI=true: its tests will fail rather than skip. Start PostgreSQL or set CIRCLEKEEPER_TEST_PG." >&2
else
    echo "Its tests will be skipped (see SKIPPED in the summary); SQLite is tested as always." >&2
fi
echo "== pytest" >&2
status=0
"$venv/bin/python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    # pytest's 5 means "no tests were collected".
    if [ $# -gt 0 ]; then
        echo "No tests matched: $*" >&2
        exit 0
    fi
    echo "The suite collected no tests at all; that means a broken checkout, not a pass." >&2
    exit 1
fi
exit "$status"
