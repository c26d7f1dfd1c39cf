# Sourced by tests/run.sh: throwaway PostgreSQL and Redis on loopback ports in a temporary directory, for the
# cluster-profile tests. A connection string given in the environment (ConnectionStrings__Postgres,
# ConnectionStrings__Redis) is used as it is and nothing is started for it.

services_dir=""
postgres_stop=()
redis_pidfile=""

# A TCP port on 127.0.0.1 that nothing answers on.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

install_missing_services() {
  local packages=()
  [ -n "${ConnectionStrings__Postgres:-}" ] || postgres_bin >/dev/null || packages+=(postgresql)
  [ -n "${ConnectionStrings__Redis:-}" ] || command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  if [ "${#packages[@]}" -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

# The directory of initdb/pg_ctl: on PATH, else the newest Debian postgresql-N.
postgres_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

# PostgreSQL refuses to run as root: run it as the postgres user (Debian's package creates it), else nobody.
as_postgres_user() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif id postgres >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    runuser -u nobody -- "$@"
  fi
}

start_postgres() {
  local bin port data
  bin="$(postgres_bin)"
  port="$(free_port)"
  data="$services_dir/postgres"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$(id -u postgres 2>/dev/null || id -u nobody)" "$services_dir"
  fi
  as_postgres_user "$bin/initdb" -D "$data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$services_dir/initdb.log" 2>&1 \
    || { cat "$services_dir/initdb.log" >&2; return 1; }
  # Test data only: no fsync; enough connections for several silo processes with their pools.
  as_postgres_user "$bin/pg_ctl" -D "$data" -l "$services_dir/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" >/dev/null \
    || { cat "$services_dir/postgres.log" >&2; return 1; }
  postgres_stop=("$bin/pg_ctl" -D "$data" -m fast -w stop)
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL for the tests on 127.0.0.1:$port"
}

start_redis() {
  local port dir
  port="$(free_port)"
  dir="$services_dir/redis"
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null || { cat "$dir/redis.log" >&2; return 1; }
  redis_pidfile="$dir/redis.pid"
  export ConnectionStrings__Redis="127.0.0.1:$port"
  echo "Redis for the tests on 127.0.0.1:$port"
}

start_test_services() {
  install_missing_services
  services_dir="$(mktemp -d -t opencode-services-XXXXXX)"
  chmod 755 "$services_dir"
  postgres_stop=()
  redis_pidfile=""
  [ -n "${ConnectionStrings__Postgres:-}" ] || start_postgres
  [ -n "${ConnectionStrings__Redis:-}" ] || start_redis
}

stop_test_services() {
  if [ "${#postgres_stop[@]}" -gt 0 ]; then
    as_postgres_user "${postgres_stop[@]}" >/dev/null 2>&1 || true
  fi
  if [ -n "$redis_pidfile" ] && [ -f "$redis_pidfile" ]; then
    kill "$(cat "$redis_pidfile")" 2>/dev/null || true
  fi
  [ -n "$services_dir" ] && rm -rf "$services_dir"
}
