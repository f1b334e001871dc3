#!/usr/bin/env bash
# Development environment for smart_dunning: Odoo 19.0 source, a virtualenv, a private PostgreSQL
# cluster and the databases. Each step checks what is there first, so a second run takes seconds.
#
#   tools/dev.sh setup | demo | test [pytest args] | lint | shell | bench [args] | i18n
#                | db-start | db-stop | clean
set -euo pipefail
# runuser and useradd (PostgreSQL as root) live in sbin, which a minimal PATH leaves out.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=$ROOT/.run
VENV=$ROOT/.venv
CACHE=${SMART_DUNNING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smart_dunning}
ODOO_CACHE=$CACHE/odoo-19.0
# Official 19.0 source archives, tried in order when no local source is found.
ODOO_URLS=(
    "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
    "https://github.com/odoo/odoo/archive/refs/heads/19.0.tar.gz"
)
PG_PORT=${SMART_DUNNING_PG_PORT:-5432}
PG_ROLE=odoo
# Several checkouts (git worktrees) can share one cluster, each with its own database names.
DB_PREFIX=${SMART_DUNNING_DB_PREFIX:-smart_dunning}
DB_DEMO=${DB_PREFIX}_demo
DB_TEST=${DB_PREFIX}_test
DB_TEST_DEMO=${DB_PREFIX}_test_demo
DB_TEST_SALE=${DB_PREFIX}_test_sale
# Modules the addon needs, installed once into template databases that test runs copy.
# payment_demo: a payment provider, so that the portal's "Pay online" works in tests and the demo.
BASE_MODULES=account,contacts,mail,payment_demo
# The demo (and the test of the demo) is a Belgian company on the Belgian chart of accounts.
DEMO_MODULES=$BASE_MODULES,l10n_be
# The customers' languages; smart_dunning's nl.po and fr.po load into them.
LANGS=nl_BE,fr_BE,nl_NL,fr_FR

log() { printf '\033[1m[smart_dunning]\033[0m %s\n' "$*" >&2; }
die() { printf '[smart_dunning] error: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------------------------
# Odoo source: $ODOO_SRC, else the cache folder, else a download into the cache folder.
is_odoo19() { [ -f "$1/odoo-bin" ] && grep -q "version_info = (19, 0" "$1/odoo/release.py" 2>/dev/null; }

ensure_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo19 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 19.0 source tree (no odoo-bin or wrong version)."
        ODOO=$(cd "$ODOO_SRC" && pwd)
        return
    fi
    if ! is_odoo19 "$ODOO_CACHE"; then
        download_odoo || die "no Odoo 19.0 source: set ODOO_SRC=/path/to/odoo-19.0, or unpack the 19.0 source into $ODOO_CACHE"
    fi
    ODOO=$ODOO_CACHE
}

download_odoo() {
    local tmp url
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/download.XXXXXX")
    for url in "${ODOO_URLS[@]}"; do
        log "downloading Odoo 19.0 source from $url"
        if curl -fsSL --connect-timeout 15 --max-time 900 "$url" | tar -xz -C "$tmp" --strip-components=1 2>/dev/null \
            && is_odoo19 "$tmp"; then
            rm -rf "$ODOO_CACHE"
            mv "$tmp" "$ODOO_CACHE"
            return 0
        fi
        rm -rf "${tmp:?}"/* 2>/dev/null || true
    done
    rm -rf "$tmp"
    return 1
}

# --------------------------------------------------------------------------------------------
# Virtualenv with Odoo's requirements (python-ldap left out) and Odoo installed editable.
ensure_venv() {
    local py=${PYTHON:-python3} stamp
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
        || die "Python 3.10 or newer is needed ($py is older or missing): install python3 and python3-venv"
    stamp=$( { "$py" --version; echo "$ODOO"; cat "$ODOO/requirements.txt" "$ROOT/tools/requirements-dev.txt" \
        "$ROOT/tools/constraints.txt"; } 2>&1 | sha256sum | cut -c1-16)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    log "building $VENV (Odoo requirements, a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV" || die "cannot create a virtualenv: apt-get install python3-venv"
    # cbor2 5.4.2 (pinned by Odoo) imports pkg_resources in its build: setuptools<81 everywhere.
    # Upgraded, not just kept: the pkg_resources of an old venv's setuptools cannot find
    # normalised dist-info names (zope_interface), and Odoo's gevent process then dies at start.
    export PIP_CONSTRAINT=$ROOT/tools/constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/pip" install -q -U 'setuptools>=70,<81' wheel
    grep -vi '^python-ldap' "$ODOO/requirements.txt" >"$VENV/odoo-requirements.txt"
    "$VENV/bin/pip" install -q -r "$VENV/odoo-requirements.txt" -r "$ROOT/tools/requirements-dev.txt"
    if ! "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e "$ODOO" 2>/dev/null; then
        # A read-only source tree cannot take the egg-info: put it on the path instead.
        "$VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])' \
            | xargs -I{} sh -c "echo '$ODOO' > {}/odoo-src.pth"
    fi
    echo "$stamp" >"$VENV/.stamp"
}

# --------------------------------------------------------------------------------------------
# PostgreSQL: a private cluster under .run/pg, Unix socket only, left running between commands.
find_pg_bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin /usr/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
    done
    die "PostgreSQL server binaries not found: sudo apt-get install -y postgresql"
}

# The server refuses to run as root: as root, run it as an unprivileged system user.
pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

setup_pg_paths() {
    PG_BIN=$(find_pg_bindir)
    PG_DIR=$RUN/pg
    PG_OS_USER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        PG_OS_USER=postgres
        id -u postgres >/dev/null 2>&1 || PG_OS_USER=smartdunning
        id -u "$PG_OS_USER" >/dev/null 2>&1 \
            || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    mkdir -p "$RUN"
    # A socket path is limited to ~107 bytes, and as root the checkout may sit where the server's
    # user cannot enter (e.g. a mktemp -d folder): then the cluster lives in /var/tmp, linked here.
    if [ ! -e "$PG_DIR" ]; then
        local alt
        alt=/var/tmp/smart_dunning-pg-$(echo "$ROOT" | sha256sum | cut -c1-12)
        if [ ${#PG_DIR} -gt 80 ] || ! pg_as test -x "$RUN"; then
            mkdir -p "$alt"
            ln -s "$alt" "$PG_DIR"
        else
            mkdir -p "$PG_DIR"
        fi
    fi
    PG_SOCK=$(cd "$PG_DIR" && pwd -P)
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PG_SOCK"
    chmod 700 "$PG_SOCK" 2>/dev/null || true
    [ "$(id -u)" = 0 ] && chmod 755 "$PG_SOCK"   # root's clients must reach the socket
    export PGHOST=$PG_SOCK PGPORT=$PG_PORT PGUSER=$PG_ROLE PGDATABASE=postgres PGOPTIONS='-c client_min_messages=warning'
}

ensure_pg() {
    setup_pg_paths
    local data=$PG_SOCK/data
    if [ ! -f "$data/PG_VERSION" ]; then
        log "creating a PostgreSQL cluster in $data"
        pg_as "$PG_BIN/initdb" -D "$data" -U "$PG_ROLE" -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
        # A disposable development cluster: durability traded for speed.
        cat >>"$data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$PG_SOCK'
port = $PG_PORT
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 32MB
max_connections = 200
EOF
    fi
    if ! pg_as "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # With fsync off, a cluster that was not shut down cleanly (the machine stopped under
        # it) may hold damaged databases: sequences behind their tables were seen after one.
        local crashed=
        pg_as "$PG_BIN/pg_controldata" -D "$data" 2>/dev/null \
            | grep -q "^Database cluster state: *shut down" || crashed=1
        log "starting PostgreSQL (socket in $PG_SOCK)"
        pg_as "$PG_BIN/pg_ctl" -D "$data" -l "$PG_SOCK/server.log" -w -t 60 start >/dev/null \
            || die "PostgreSQL did not start; see $PG_SOCK/server.log"
        if [ -n "$crashed" ]; then drop_untrusted_databases; fi
    fi
}

drop_untrusted_databases() {
    local db
    log "PostgreSQL was not shut down cleanly: its databases cannot be trusted (fsync is off)"
    for db in $(psql_q -c "SELECT datname FROM pg_database
                           WHERE datname NOT IN ('postgres', 'template0', 'template1')"); do
        log "  dropping $db (the demo and the test templates are built again when needed)"
        psql_q -c "DROP DATABASE \"$db\" WITH (FORCE)"
    done
    rm -f "$RUN"/*.stamp
}

# --------------------------------------------------------------------------------------------
# wkhtmltopdf renders the PDF letters; Chromium runs the browser tour. The suite needs both.
SYSTEM_PACKAGES=(wkhtmltopdf chromium)

ensure_system_tools() {
    local missing=() pkg
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} = 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]} (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
            || die "could not install ${missing[*]}: sudo apt-get install -y ${missing[*]}"
    else
        die "missing ${missing[*]}: sudo apt-get install -y ${missing[*]}"
    fi
}

# --------------------------------------------------------------------------------------------
write_odoo_conf() {
    mkdir -p "$RUN/data"
    cat >"$RUN/odoo.conf" <<EOF
[options]
addons_path = $ODOO/addons,$ROOT
data_dir = $RUN/data
db_host = $PG_SOCK
db_port = $PG_PORT
db_user = $PG_ROLE
pg_path = $PG_BIN
admin_passwd = admin
http_port = ${SMART_DUNNING_HTTP_PORT:-8069}
http_interface = ${SMART_DUNNING_HTTP_INTERFACE:-127.0.0.1}
max_cron_threads = 0
EOF
}

setup() {
    ensure_odoo_src
    ensure_venv
    ensure_pg
    write_odoo_conf
}

odoo() { "$VENV/bin/python" "$ODOO/odoo-bin" -c "$RUN/odoo.conf" "$@"; }
psql_q() { "$PG_BIN/psql" -X -qtA -v ON_ERROR_STOP=1 "$@"; }
db_exists() { [ "$(psql_q -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }
module_installed() {
    db_exists "$1" && [ "$(psql_q -d "$1" -c "SELECT state FROM ir_module_module WHERE name = '$2'" 2>/dev/null)" = installed ]
}
drop_db() {
    psql_q -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    rm -rf "$RUN/data/filestore/$1"
}
copy_db() {  # copy_db TEMPLATE NEW: database and filestore
    drop_db "$2"
    psql_q -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\""
    if [ -d "$RUN/data/filestore/$1" ]; then
        mkdir -p "$RUN/data/filestore" && cp -a "$RUN/data/filestore/$1" "$RUN/data/filestore/$2"
    fi
}

# A template database with Odoo's own modules installed, keyed on the Odoo source and options, so
# that a test run only installs smart_dunning on a copy of it.
template_db() {  # template_db with_demo(0|1) [modules] -> prints the template name
    local key name modules=${2:-$BASE_MODULES}
    key=$( { cat "$ODOO/odoo/release.py"; git -C "$ODOO" rev-parse HEAD 2>/dev/null || stat -c %Y "$ODOO/odoo"; \
        echo "$modules $1 $LANGS"; } | sha256sum | cut -c1-10)
    name=sd_tpl_$1_$key
    # Checkouts sharing the cluster (worktrees) wait for each other instead of dropping a
    # template that another one is still building.
    exec 9>"$PG_SOCK/$name.lock"
    flock 9
    if ! module_installed "$name" account; then
        log "building template database $name ($modules, demo=$1); once per Odoo source"
        drop_db "$name"
        local demo_flag=--without-demo
        [ "$1" = 1 ] && demo_flag=--with-demo
        odoo -d "$name" -i "$modules" $demo_flag --load-language="$LANGS" --stop-after-init --log-level=warn \
            || die "installing $modules failed"
        psql_q -c "ALTER DATABASE \"$name\" WITH is_template TRUE" >/dev/null
    fi
    exec 9>&-
    echo "$name"
}

install_addon() {  # install_addon DB TEMPLATE [extra modules]: fresh copy of TEMPLATE + smart_dunning
    copy_db "$2" "$1"
    odoo -d "$1" -i "smart_dunning${3:+,$3}" --with-demo --stop-after-init --log-level=warn \
        || die "installing smart_dunning into $1 failed"
}

# The addon as OCA users install it: a wheel built by whool (smart_dunning/pyproject.toml),
# installed outside the checkout and found by Odoo through the odoo.addons namespace only.
check_wheel() {
    local dir=$RUN/wheel db=${DB_PREFIX}_test_wheel path
    rm -rf "$dir" && mkdir -p "$dir/site"
    PIP_CONSTRAINT=$ROOT/tools/constraints.txt "$VENV/bin/pip" wheel --no-deps -q -w "$dir" \
        "$ROOT/smart_dunning" 2>&1 | grep -v "^WARNING: Location" >&2 || true
    ls "$dir"/odoo_addon_smart_dunning-*.whl >/dev/null 2>&1 || die "building the wheel failed"
    "$VENV/bin/pip" install -q --no-deps --target "$dir/site" "$dir"/odoo_addon_smart_dunning-*.whl \
        2>&1 | grep -v "^WARNING: Location" >&2 || true
    sed "s#^addons_path = .*#addons_path = $ODOO/addons#" "$RUN/odoo.conf" >"$dir/odoo.conf"
    copy_db "$(template_db 0)" "$db"
    PYTHONPATH=$dir/site "$VENV/bin/python" "$ODOO/odoo-bin" -c "$dir/odoo.conf" -d "$db" \
        -i smart_dunning --without-demo --stop-after-init --log-level=warn \
        || die "installing smart_dunning from its wheel failed"
    path=$(PYTHONPATH=$dir/site "$VENV/bin/python" -c "import odoo.addons.smart_dunning as m; print(m.__file__)")
    case "$path" in "$dir/site/"*) ;; *) die "the wheel check loaded smart_dunning from $path" ;; esac
    [ "$(psql_q -d "$db" -c "SELECT state FROM ir_module_module WHERE name = 'smart_dunning'")" = installed ] \
        && [ "$(psql_q -d "$db" -c "SELECT count(*) > 0 FROM dunning_policy")" = t ] \
        || die "smart_dunning from its wheel is not installed with its policies"
    drop_db "$db"
    log "wheel $(basename "$dir"/odoo_addon_smart_dunning-*.whl) installs into a fresh database"
}

# --------------------------------------------------------------------------------------------
cmd_demo() {
    setup
    local stamp
    stamp=$(cd "$ROOT" && find smart_dunning -type f ! -name '*.pyc' -print0 | sort -z \
        | xargs -0 sha256sum | sha256sum | cut -c1-16)
    if ! module_installed "$DB_DEMO" smart_dunning; then
        log "creating database $DB_DEMO with smart_dunning and demo data (a few minutes, once)"
        install_addon "$DB_DEMO" "$(template_db 1 "$DEMO_MODULES")"
    elif [ "$(cat "$RUN/$DB_DEMO.stamp" 2>/dev/null)" != "$stamp" ]; then
        # The addon changed since the demo was made: its tables follow the code.
        log "updating smart_dunning in $DB_DEMO"
        odoo -d "$DB_DEMO" -u smart_dunning --stop-after-init --log-level=warn \
            || die "updating smart_dunning in $DB_DEMO failed"
    fi
    echo "$stamp" >"$RUN/$DB_DEMO.stamp"
    log "Odoo on http://localhost:${SMART_DUNNING_HTTP_PORT:-8069}  (login admin / password admin; Ctrl-C stops)"
    exec "$VENV/bin/python" "$ODOO/odoo-bin" -c "$RUN/odoo.conf" -d "$DB_DEMO" --db-filter="^$DB_DEMO\$" \
        --max-cron-threads=1
}

cmd_test() {
    setup
    ensure_system_tools
    local t0=$SECONDS pids=() status=0 main=1 sale=0
    # tests_sale/ (the sale bridge) runs on its own database, with the sale app installed.
    [ -d "$ROOT/tests_sale" ] && sale=1
    if [ $# -gt 0 ]; then
        case " $* " in *tests_sale*) main=0 ;; *) sale=0 ;; esac
    fi
    log "installing smart_dunning into fresh test databases"
    if [ $main = 1 ]; then
        # The wheel check copies the same template: after it exists.
        { install_addon "$DB_TEST" "$(template_db 0)" && check_wheel; } & pids+=($!)
        install_addon "$DB_TEST_DEMO" "$(template_db 1 "$DEMO_MODULES")" & pids+=($!)
    fi
    if [ $sale = 1 ]; then
        install_addon "$DB_TEST_SALE" "$(template_db 0 "$BASE_MODULES,sale_management")" & pids+=($!)
    fi
    for pid in "${pids[@]}"; do wait "$pid" || die "installing smart_dunning (or its wheel) failed"; done
    log "databases ready in $((SECONDS - t0)) s; running the suite"
    cd "$ROOT"
    # --odoo-http serves Odoo during the session, for the browser tour.
    if [ $main = 1 ]; then
        SMART_DUNNING_DEMO_DB=$DB_TEST_DEMO "$VENV/bin/pytest" --odoo-http \
            --odoo-config="$RUN/odoo.conf" --odoo-database="$DB_TEST" --odoo-log-level=warn \
            "${@:-tests}" || status=$?
    fi
    if [ $sale = 1 ]; then
        "$VENV/bin/pytest" --odoo-config="$RUN/odoo.conf" --odoo-database="$DB_TEST_SALE" \
            --odoo-log-level=warn "${@:-tests_sale}" || status=$?
    fi
    return $status
}

cmd_lint() {
    ensure_odoo_src
    ensure_venv
    cd "$ROOT"
    "$VENV/bin/pre-commit" run --all-files
}

cmd_shell() {
    setup
    module_installed "$DB_DEMO" smart_dunning || die "no demo database yet: run make demo once"
    exec "$VENV/bin/python" "$ODOO/odoo-bin" shell -c "$RUN/odoo.conf" -d "$DB_DEMO" --no-http
}

cmd_bench() {
    setup
    cd "$ROOT"
    # OCA credit control is the baseline of the benchmarks, never a dependency of the addon.
    "$VENV/bin/python" -c "import odoo.addons.account_credit_control" 2>/dev/null \
        || "$VENV/bin/pip" install -q --no-deps -r "$ROOT/bench/requirements.txt"
    export SMART_DUNNING_ODOO=$ODOO SMART_DUNNING_CONF=$RUN/odoo.conf
    SMART_DUNNING_TEMPLATE=$(template_db 0)
    export SMART_DUNNING_TEMPLATE
    exec "$VENV/bin/python" -m bench "$@"
}

cmd_i18n() {
    setup
    local db=${DB_PREFIX}_i18n
    install_addon "$db" "$(template_db 0)"
    "$VENV/bin/python" "$ODOO/odoo-bin" i18n export -c "$RUN/odoo.conf" -d "$db" smart_dunning \
        -o "$ROOT/smart_dunning/i18n/smart_dunning.pot"
    "$VENV/bin/python" "$ROOT/tools/po_merge.py" "$ROOT/smart_dunning/i18n"
    drop_db "$db"
    # The sale bridge installs itself next to sale: export it from such a database.
    install_addon "$db" "$(template_db 0 "$BASE_MODULES,sale_management")"
    "$VENV/bin/python" "$ODOO/odoo-bin" i18n export -c "$RUN/odoo.conf" -d "$db" \
        smart_dunning_sale -o "$ROOT/smart_dunning_sale/i18n/smart_dunning_sale.pot"
    "$VENV/bin/python" "$ROOT/tools/po_merge.py" "$ROOT/smart_dunning_sale/i18n"
    drop_db "$db"
}

cmd_db_stop() {
    setup_pg_paths
    pg_as "$PG_BIN/pg_ctl" -D "$PG_SOCK/data" status >/dev/null 2>&1 \
        && pg_as "$PG_BIN/pg_ctl" -D "$PG_SOCK/data" -m fast stop >/dev/null
    log "PostgreSQL stopped"
}

cmd_clean() {
    cmd_db_stop || true
    rm -rf "$(readlink -f "$RUN/pg")" "$RUN" "$VENV"
}

case "${1:-}" in
    setup) setup ;;
    demo) cmd_demo ;;
    test) shift; cmd_test "$@" ;;
    lint) cmd_lint ;;
    shell) cmd_shell ;;
    bench) shift; cmd_bench "$@" ;;
    i18n) cmd_i18n ;;
    db-start) setup ;;
    wheel) setup; check_wheel ;;
    templates) setup; template_db 0; template_db 1 "$DEMO_MODULES"; template_db 0 "$BASE_MODULES,sale_management" ;;
    db-stop) cmd_db_stop ;;
    clean) cmd_clean ;;
    *) echo "usage: $0 setup|demo|test|lint|shell|bench|i18n|db-start|db-stop|clean" >&2; exit 2 ;;
esac
