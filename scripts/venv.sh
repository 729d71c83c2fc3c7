# Sourced by run.sh and test.sh: find Python >= 3.11, make .venv (or $CK_VENV), and install
# the project (with the extras named in $CK_EXTRAS) only when pyproject.toml changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${CK_VENV:-$root/.venv}"

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Circlekeeper needs Python 3.11 or newer, and none was found on PATH." >&2
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    python=$(find_python)
    echo "Creating a virtual environment in ${venv#"$root"/} with $python ..." >&2
    "$python" -m venv "$venv"
fi

spec="$root${CK_EXTRAS:+[$CK_EXTRAS]}"
stamp="$venv/.installed-${CK_EXTRAS:-base}"
fingerprint=$(cat "$root/pyproject.toml" | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
    echo "Installing Circlekeeper${CK_EXTRAS:+ with [$CK_EXTRAS]} into ${venv#"$root"/} (first time takes a minute) ..." >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" >&2
    echo "$fingerprint" > "$stamp"
fi
