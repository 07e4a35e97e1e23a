# tests/lib-pg.sh: a throwaway PostgreSQL cluster for tool tests (source it after tests/lib.sh).
# pg_start makes a cluster in a temp dir (initdb; as the postgres user when run as root, since initdb
# refuses root), listening on a free TCP port of 127.0.0.1 with TLS (a self-signed certificate) and on a
# unix socket in the temp dir, logging every statement. It exports PGHOST (the socket dir), PGPORT, PGUSER
# (the superuser, trusted on the socket) and PGDATABASE; TCP logins need a SCRAM password. The cluster is
# stopped and removed when the script ends.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_as() { # CMD...: run as the cluster's owner
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	[ -x "$PG_BIN/initdb" ] || fail "PostgreSQL server binaries not found (Debian package postgresql)"
	PG_DIR=$(mktemp -d /tmp/sti-pg.XXXXXX)
	on_exit "rm -rf '$PG_DIR'"
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	PG_PORT=$(free_port)
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
		>"$OUT/initdb.log" 2>&1 || { cat "$OUT/initdb.log"; fail "initdb failed"; }
	pg_as openssl req -new -x509 -days 2 -nodes -subj /CN=localhost \
		-keyout "$PG_DIR/data/server.key" -out "$PG_DIR/data/server.crt" >/dev/null 2>&1
	pg_as chmod 600 "$PG_DIR/data/server.key"
	pg_as tee -a "$PG_DIR/data/postgresql.conf" >/dev/null <<-CONF
		listen_addresses = '127.0.0.1'
		port = $PG_PORT
		unix_socket_directories = '$PG_DIR'
		ssl = on
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		password_encryption = 'scram-sha-256'
		log_statement = 'all'
		log_connections = on
		log_min_error_statement = 'error'
	CONF
	pg_as tee "$PG_DIR/data/pg_hba.conf" >/dev/null <<-HBA
		local all postgres trust
		local all all scram-sha-256
		host all all 127.0.0.1/32 scram-sha-256
	HBA
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null ||
		{ cat "$PG_DIR/server.log"; fail "the PostgreSQL server did not start"; }
	on_exit "pg_stop"
	export PGHOST=$PG_DIR PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
	unset PGPASSWORD PGPASSFILE PGSSLMODE PGSERVICE WRDS_USERNAME WRDS_PASSWORD WRDS_PASSWORD_FILE
}

pg_stop() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
}

# pg_sql [psql options...]: run SQL from stdin (or -c/-f) as the superuser over the socket; stop on errors.
pg_sql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres "$@"
}

# pg_log: the server's log so far.
pg_log() { cat "$PG_DIR/server.log"; }
