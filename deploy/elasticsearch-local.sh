#!/usr/bin/env bash
# A throwaway single-node Elasticsearch on 127.0.0.1, for the tests and for developers.
#   eval "$(deploy/elasticsearch-local.sh start [DIR] [PORT])"   # prints and exports SMESEARCH_ES_URL
#   deploy/elasticsearch-local.sh stop [DIR]
#   deploy/elasticsearch-local.sh useradd DIR USER PASSWORD ROLE
# Several nodes make a cluster on loopback: give each the same SMESEARCH_ES_SEEDS (their transport
# addresses, e.g. 127.0.0.1:9301,127.0.0.1:9302), its own SMESEARCH_ES_TRANSPORT_PORT and
# SMESEARCH_ES_NODE_NAME, and SMESEARCH_ES_MASTERS (the master-eligible node names) to the first
# start; SMESEARCH_ES_ROLES (e.g. data) limits what a node does.
# SMESEARCH_ES_SETTINGS holds more elasticsearch.yml lines (e.g. tiny thread pools for a test).
# SMESEARCH_ES_SECURITY=on starts a node as production runs one: https with a CA made for it, and
# the user `elastic` with SMESEARCH_ES_PASSWORD (random when unset); it prints the settings a
# client needs (SMESEARCH_ES_URL, _USERNAME, _PASSWORD, _CA_FILE).
# Elastic's integ-test distribution comes from Maven Central through `mvn dependency:copy` (so
# Maven's local repository caches it for the next run) and runs on the newest JDK in
# /usr/lib/jvm that is Java 21 or newer (Elasticsearch 9 needs it). Elasticsearch refuses to run
# as root, so under root it runs as `nobody`.
set -euo pipefail
action=${1:?start or stop}
dir=${2:-${TMPDIR:-/tmp}/smesearch-elasticsearch}
port=${3:-9200}
version=${SMESEARCH_ES_VERSION:-9.2.8}  # the newest 9.x the registry served on 2026-11-29
heap=${SMESEARCH_ES_HEAP:-512m}
artifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

java_home() {
  local best="" best_major=0 home major
  for home in /usr/lib/jvm/*/; do
    home=${home%/}
    [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$home best_major=$major
    fi
  done
  [ -n "$best" ] || { echo "no JDK 21 or newer in /usr/lib/jvm (Elasticsearch $version needs one)" >&2; exit 1; }
  echo "$best"
}

fetch() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/smesearch
  local zip=$cache/elasticsearch-$version.zip
  if [ ! -f "$zip" ]; then
    mkdir -p "$cache"
    mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$cache" -Dmdep.overWriteIfNewer=true >&2
  fi
  echo "$zip"
}

case "$action" in
  start)
    home=$(java_home)
    zip=$(fetch)
    mkdir -p "$dir"
    if [ ! -x "$dir/elasticsearch-$version/bin/elasticsearch" ]; then
      unzip -q -o "$zip" -d "$dir"
    fi
    es=$dir/elasticsearch-$version
    transport=${SMESEARCH_ES_TRANSPORT_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    if [ -n "${SMESEARCH_ES_SEEDS:-}" ]; then
      discovery="discovery.seed_hosts: [${SMESEARCH_ES_SEEDS}]"
      [ -n "${SMESEARCH_ES_MASTERS:-}" ] && discovery="$discovery
cluster.initial_master_nodes: [${SMESEARCH_ES_MASTERS}]"
    else
      discovery="discovery.type: single-node"
    fi
    scheme=http
    security="xpack.security.enabled: false"
    curl_auth=()
    if [ "${SMESEARCH_ES_SECURITY:-off}" = on ]; then
      scheme=https
      password=${SMESEARCH_ES_PASSWORD:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')}
      certs=$es/config/certs
      if [ ! -f "$certs/node/node.crt" ]; then
        mkdir -p "$certs"
        ES_JAVA_HOME="$home" "$es/bin/elasticsearch-certutil" ca --pem --silent --out "$dir/ca.zip" >&2
        unzip -q -o "$dir/ca.zip" -d "$certs"
        ES_JAVA_HOME="$home" "$es/bin/elasticsearch-certutil" cert --pem --silent --name node --ip 127.0.0.1 \
          --dns localhost --ca-cert "$certs/ca/ca.crt" --ca-key "$certs/ca/ca.key" --out "$dir/node.zip" >&2
        unzip -q -o "$dir/node.zip" -d "$certs"
        rm -f "$dir/ca.zip" "$dir/node.zip"
      fi
      rm -f "$es/config/elasticsearch.keystore"
      ES_JAVA_HOME="$home" "$es/bin/elasticsearch-keystore" create >/dev/null
      printf '%s' "$password" | ES_JAVA_HOME="$home" "$es/bin/elasticsearch-keystore" add -x -f bootstrap.password
      security="xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: certs/node/node.key
xpack.security.http.ssl.certificate: certs/node/node.crt
xpack.security.http.ssl.certificate_authorities: [certs/ca/ca.crt]"
      curl_auth=(--cacert "$certs/ca/ca.crt" -u "elastic:$password")
    fi
    roles=""
    [ -n "${SMESEARCH_ES_ROLES:-}" ] && roles="node.roles: [${SMESEARCH_ES_ROLES}]"
    cat > "$es/config/elasticsearch.yml" <<EOF
cluster.name: ${SMESEARCH_ES_CLUSTER_NAME:-smesearch-local}
node.name: ${SMESEARCH_ES_NODE_NAME:-local-1}
$discovery
$roles
network.host: 127.0.0.1
http.port: $port
transport.port: $transport
path.data: $dir/data
path.logs: $dir/logs
path.repo: [$dir/snapshots]
$security
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
${SMESEARCH_ES_SETTINGS:-}
EOF
    mkdir -p "$dir/data" "$dir/logs" "$dir/snapshots"  # snapshots: a filesystem repository may live there
    [ "$(id -u)" = 0 ] && chown -R nobody: "$dir"
    as_owner env ES_JAVA_HOME="$home" ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
      "$es/bin/elasticsearch" -d -p "$dir/elasticsearch.pid" >"$dir/start.log" 2>&1 || {
      cat "$dir/start.log" >&2; exit 1; }
    for _ in $(seq 1 180); do
      if curl -fsS -m 2 "${curl_auth[@]}" "$scheme://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" \
          >/dev/null 2>&1; then
        echo "export SMESEARCH_ES_URL=$scheme://127.0.0.1:$port"
        if [ "$scheme" = https ]; then
          echo "export SMESEARCH_ES_USERNAME=elastic"
          echo "export SMESEARCH_ES_PASSWORD=$password"
          echo "export SMESEARCH_ES_CA_FILE=$certs/ca/ca.crt"
        fi
        exit 0
      fi
      sleep 1
    done
    echo "Elasticsearch did not answer on port $port within 3 minutes; see $dir/logs" >&2
    exit 1
    ;;
  useradd)
    # deploy/elasticsearch-local.sh useradd DIR USER PASSWORD ROLE: a user in the node's file realm
    # (a secured node), e.g. one with the built-in read-only role `viewer`.
    as_owner env ES_JAVA_HOME="$(java_home)" "$dir/elasticsearch-$version/bin/elasticsearch-users" \
      useradd "${3:?user}" -p "${4:?password}" -r "${5:?role}"
    ;;
  stop)
    if [ -f "$dir/elasticsearch.pid" ]; then
      pid=$(cat "$dir/elasticsearch.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/elasticsearch.pid"
    fi
    ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT] | useradd DIR USER PASSWORD ROLE" >&2
    exit 2
    ;;
esac
