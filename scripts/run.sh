#!/usr/bin/env bash
# Install Circlekeeper into .venv (once) and run it.
#   bash scripts/run.sh                 run the bot; with no credentials, the local sandbox
#   bash scripts/run.sh demo            play the scripted demo
#   bash scripts/run.sh check-config    any other circlekeeper subcommand works too
set -euo pipefail
CK_EXTRAS=${CK_EXTRAS:-}
source "$(dirname "$0")/venv.sh"
if [ $# -eq 0 ]; then
    set -- run
fi
exec "$venv/bin/circlekeeper" "$@"
