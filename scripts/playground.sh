#!/usr/bin/env bash
# make playground: start the bot and Microsoft 365 Agents Playground, a local stand-in for Teams, then open
# http://localhost:56150 in a browser. Ctrl-C stops both. No Azure account and no outside connection needed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BOT_PORT=${PORT:-3978}
PLAYGROUND_PORT=${PLAYGROUND_PORT:-56150}
CLI=tests/js/node_modules/@microsoft/m365agentsplayground/cli.js

command -v node >/dev/null 2>&1 || { echo "Node.js is needed for the Playground (apt-get install nodejs npm)" >&2; exit 1; }
[ -f "$CLI" ] || npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

# The Playground's user is "Alex Wilber" (aadObjectId below); make them a project leader unless BOT_LEADERS is set,
# so the leader commands can be tried too. The Playground needs an unauthenticated bot: no app registration at all
# (a secret or tenant left from a production .env would otherwise be refused without its app id).
export BOT_LEADERS="${BOT_LEADERS:-00000000-0000-0000-0000-0000000000020}"
export MICROSOFT_APP_ID="" MICROSOFT_APP_PASSWORD="" MICROSOFT_APP_TYPE="" MICROSOFT_APP_TENANT_ID=""
export PORT="$BOT_PORT" HOST=127.0.0.1
mkdir -p data

healthy() { "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$BOT_PORT/healthz', timeout=1)" 2>/dev/null; }

# A bot already started with `make run` is used as it is (its start line points here); otherwise start one.
if healthy; then
  echo "Using the bot already running on port $BOT_PORT"
  BOT_PID=""
else
  "$PY" -m bot &
  BOT_PID=$!
fi
stop_bot() { if [ -n "$BOT_PID" ]; then kill "$BOT_PID" 2>/dev/null || true; wait "$BOT_PID" 2>/dev/null || true; fi; }
trap stop_bot EXIT INT TERM

for _ in $(seq 1 60); do
  if healthy; then
    break
  fi
  [ -z "$BOT_PID" ] || kill -0 "$BOT_PID" 2>/dev/null || { echo "the bot did not start" >&2; exit 1; }
  sleep 0.5
done

echo "Bot: http://127.0.0.1:$BOT_PORT/api/messages"
echo "Playground: open http://localhost:$PLAYGROUND_PORT and write 'hjelp' (Ctrl-C stops both)"
# Not `exec`: the shell stays to stop the bot when the Playground ends.
APPLICATION_INSIGHTS_NO_STATSBEAT=true TEAMSAPPTESTER_BROWSER=none \
  node "$CLI" -e "http://127.0.0.1:$BOT_PORT/api/messages" -c msteams -p "$PLAYGROUND_PORT" --disable-telemetry
