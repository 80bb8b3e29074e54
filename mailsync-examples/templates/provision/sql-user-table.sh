#!/bin/sh
# mailsync provision template: adds the account to a generic SQL user table (PostgreSQL, psql),
# as mail servers with an SQL passdb read it (Dovecot's passdb sql, Postfix's pgsql maps):
#
#   CREATE EXTENSION IF NOT EXISTS pgcrypto;
#   CREATE TABLE mail_users (
#       username     text PRIMARY KEY,
#       password     text NOT NULL,      -- '{BLF-CRYPT}' || bcrypt hash: Dovecot reads it as is
#       display_name text NOT NULL DEFAULT '',
#       quota        text NOT NULL DEFAULT '',
#       aliases      text NOT NULL DEFAULT '',
#       forward_to   text NOT NULL DEFAULT '');
#
#   mailsync batch accounts.csv --source imaps://old.example --target imaps://new.example \
#       --provision-command 'sh /etc/mailsync/sql-user-table.sh'
#
# The account comes in environment variables, never on a command line (psql reads them with
# \getenv, so the password is not in the process list either):
#   MAILSYNC_PROVISION_MODE   check (batch --preflight: refuse what would fail, write nothing) or create
#   MAILSYNC_TARGET_USER, MAILSYNC_TARGET_PASSWORD
#   MAILSYNC_FIELD_DISPLAY_NAME, MAILSYNC_FIELD_QUOTA, MAILSYNC_FIELD_ALIASES,
#   MAILSYNC_FIELD_FORWARDING_ADDRESS   (CSV columns of those names; each optional)
# The database: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD (or ~/.pgpass).
# Settings: MAIL_USERS_TABLE (default mail_users), PASSWORD_MIN_LENGTH (default 12),
# PASSWORD_MIN_CLASSES (default 3 of lower case, upper case, digits, others).
#
# A refusal is one line on stderr and exit 1; mailsync shows it as the account's reason (the
# password replaced by ***). A user that exists already is left as it is: the batch may run again.
set -eu

fail() {
    echo "$*" >&2
    exit 1
}

mode=${MAILSYNC_PROVISION_MODE:-create}
user=${MAILSYNC_TARGET_USER:?}
password=${MAILSYNC_TARGET_PASSWORD:?}
min_length=${PASSWORD_MIN_LENGTH:-12}
min_classes=${PASSWORD_MIN_CLASSES:-3}
table=${MAIL_USERS_TABLE:-mail_users}
case $table in
    "" | *[!A-Za-z0-9_]*) fail "MAIL_USERS_TABLE \"$table\" is not a plain table name" ;;
esac

length=$(printf '%s' "$password" | wc -m)
if [ "$length" -lt "$min_length" ]; then
    fail "password of $user refused: $length characters, the policy asks for at least $min_length"
fi
classes=0
case $password in *[a-z]*) classes=$((classes + 1)) ;; esac
case $password in *[A-Z]*) classes=$((classes + 1)) ;; esac
case $password in *[0-9]*) classes=$((classes + 1)) ;; esac
case $password in *[!a-zA-Z0-9]*) classes=$((classes + 1)) ;; esac
if [ "$classes" -lt "$min_classes" ]; then
    fail "password of $user refused: $classes kinds of characters, the policy asks for $min_classes of lower case, upper case, digits, others"
fi

# Optional columns: empty when the CSV has none (psql's \getenv leaves a variable unset otherwise).
export MAILSYNC_FIELD_DISPLAY_NAME="${MAILSYNC_FIELD_DISPLAY_NAME:-}"
export MAILSYNC_FIELD_QUOTA="${MAILSYNC_FIELD_QUOTA:-}"
export MAILSYNC_FIELD_ALIASES="${MAILSYNC_FIELD_ALIASES:-}"
export MAILSYNC_FIELD_FORWARDING_ADDRESS="${MAILSYNC_FIELD_FORWARDING_ADDRESS:-}"

if [ "$mode" = check ]; then
    # The policy held; the table must be there and reachable for the real run.
    if ! err=$(psql -X -q -t -v ON_ERROR_STOP=1 -c "SELECT 1 FROM $table LIMIT 0" 2>&1 >/dev/null); then
        fail "user table $table not usable: $(printf '%s\n' "$err" | head -n 1)"
    fi
    exit 0
fi
[ "$mode" = create ] || fail "unknown MAILSYNC_PROVISION_MODE \"$mode\""

# Values go in as psql variables (:'name' quotes them as literals): no SQL is built from them.
# VERBOSITY=terse: an error names no statement text (which would hold the password).
psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -v table="$table" <<'SQL'
\getenv user MAILSYNC_TARGET_USER
\getenv password MAILSYNC_TARGET_PASSWORD
\getenv display MAILSYNC_FIELD_DISPLAY_NAME
\getenv quota MAILSYNC_FIELD_QUOTA
\getenv aliases MAILSYNC_FIELD_ALIASES
\getenv forward MAILSYNC_FIELD_FORWARDING_ADDRESS
INSERT INTO :"table" (username, password, display_name, quota, aliases, forward_to)
VALUES (:'user', '{BLF-CRYPT}' || crypt(:'password', gen_salt('bf', 10)), :'display', :'quota', :'aliases', :'forward')
ON CONFLICT (username) DO NOTHING;
SQL
echo "$user provisioned in $table"
