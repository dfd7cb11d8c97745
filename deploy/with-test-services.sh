#!/usr/bin/env bash
# Run a command (the test suite) with the servers the tests need on loopback, then stop them:
# PostgreSQL (database sources), a single-node Elasticsearch (the Elasticsearch backend) and
# Debian's Chromium (the widget and console tests).
# Where one cannot be started, its tests skip with the reason locally and fail under CI=true,
# so CI never passes without them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/smesearch-services.XXXXXX)
chmod 755 "$work"
stop_all() {
  "$here/local-postgres.sh" stop "$work/pg" || true
  "$here/elasticsearch-local.sh" stop "$work/es" || true
  rm -rf "$work"
}
trap stop_all EXIT

if services=$("$here/local-postgres.sh" start "$work/pg" "$(free_port)"); then
  eval "$services"
else
  echo "warning: PostgreSQL could not be started; the database-source tests will say so" >&2
fi
if services=$("$here/elasticsearch-local.sh" start "$work/es" "$(free_port)"); then
  eval "$services"
  export SMESEARCH_TEST_ES_URL=$SMESEARCH_ES_URL
  export SMESEARCH_TEST_ES_SNAPSHOT_DIR=$work/es/snapshots  # the node's path.repo
  unset SMESEARCH_ES_URL
else
  echo "warning: Elasticsearch could not be started; the Elasticsearch tests will say so" >&2
fi
if services=$("$here/browser.sh"); then
  export "$services"
else
  echo "warning: Chromium could not be installed; the browser tests will say so" >&2
fi

"$@"
