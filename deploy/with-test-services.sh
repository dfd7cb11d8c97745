#!/usr/bin/env bash
# Run a command (the test suite) with the servers the tests need on loopback, then stop them.
# Today that is PostgreSQL; where it cannot be started, its tests skip with the reason locally and
# fail under CI=true, so CI never passes without them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

pg_dir=$(mktemp -d /tmp/smesearch-pg.XXXXXX)
chmod 755 "$pg_dir"
trap '"$here/local-postgres.sh" stop "$pg_dir/data"; rm -rf "$pg_dir"' EXIT
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if services=$("$here/local-postgres.sh" start "$pg_dir/data" "$pg_port"); then
  eval "$services"
else
  echo "warning: PostgreSQL could not be started; the database-source tests will say so" >&2
fi

"$@"
