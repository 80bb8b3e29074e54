#!/bin/sh
# mailsync provision template: creates a Dovecot user in a passwd-file (passdb and userdb), with
# the password hashed by doveadm. Run by `mailsync batch --provision-command` once per CSV line:
#
#   mailsync batch accounts.csv --source imaps://old.example --target imaps://new.example \
#       --provision-command 'sh /etc/mailsync/dovecot-passwd-file.sh'
#
# The account comes in environment variables, never on the command line:
#   MAILSYNC_PROVISION_MODE   check (batch --preflight: refuse what would fail, change nothing)
#                             or create
#   MAILSYNC_TARGET_USER, MAILSYNC_TARGET_PASSWORD
#   MAILSYNC_FIELD_DISPLAY_NAME  (a "display name" column; optional) -> the passwd-file's gecos
#   MAILSYNC_FIELD_QUOTA         (a "quota" column such as 2G; optional) -> userdb_quota_rule
# Aliases and forwarding addresses (other columns, MAILSYNC_FIELD_ALIASES ...) belong to the MTA
# (for Postfix a virtual alias map): add them below if this script should write that too.
#
# Settings of this script (the environment mailsync runs in):
#   DOVECOT_PASSWD_FILE   the passwd-file Dovecot's passdb and userdb read (required)
#   DOVECOT_CONFIG        the config of the instance, for doveadm -c (default: doveadm's own)
#   DOVECOT_HOME_BASE     where homes are made (default: /var/vmail)
#   DOVECOT_UID, DOVECOT_GID  owner of the mail (default: the owner of DOVECOT_HOME_BASE)
#   PASSWORD_SCHEME       default SHA512-CRYPT
#   PASSWORD_MIN_LENGTH   default 12
#   PASSWORD_MIN_CLASSES  of lower case, upper case, digits, others; default 3
#
# A refusal is one line on stderr and exit 1: mailsync shows that line as the account's reason
# (with the password replaced by ***), and goes on with the other accounts. A user who exists
# already is left as it is (exit 0): the batch may be run again.
set -eu

fail() {
    echo "$*" >&2
    exit 1
}

: "${DOVECOT_PASSWD_FILE:?set DOVECOT_PASSWD_FILE to the passwd-file}"
mode=${MAILSYNC_PROVISION_MODE:-create}
user=${MAILSYNC_TARGET_USER:?}
password=${MAILSYNC_TARGET_PASSWORD:?}
home_base=${DOVECOT_HOME_BASE:-/var/vmail}
scheme=${PASSWORD_SCHEME:-SHA512-CRYPT}
min_length=${PASSWORD_MIN_LENGTH:-12}
min_classes=${PASSWORD_MIN_CLASSES:-3}

# The passwd-file is ':'-separated, one user a line: a name must not break it.
case $user in
    "" | *[!A-Za-z0-9._@+-]* | .* ) fail "user name \"$user\" is not allowed here (letters, digits, . _ @ + - only)" ;;
esac

# The password policy, checked in both modes (check mode is how preflight lists weak passwords).
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
display=$(printf '%s' "${MAILSYNC_FIELD_DISPLAY_NAME:-}" | tr -d ':\r\n')
quota=${MAILSYNC_FIELD_QUOTA:-}
case $quota in
    "" | [0-9]*[0-9] | [0-9]*[0-9][kKmMgGtT]) ;;
    *) fail "quota \"$quota\" of $user is not a size such as 500M or 2G" ;;
esac

if [ "$mode" = check ]; then
    exit 0
fi
[ "$mode" = create ] || fail "unknown MAILSYNC_PROVISION_MODE \"$mode\""

# One writer at a time: mailsync runs several accounts at once.
exec 9>>"$DOVECOT_PASSWD_FILE.lock"
flock 9

if [ -f "$DOVECOT_PASSWD_FILE" ] && awk -F: -v u="$user" '$1 == u { found = 1 } END { exit !found }' "$DOVECOT_PASSWD_FILE"; then
    echo "$user exists already: left as it is"
    exit 0
fi

doveadm_() {
    if [ -n "${DOVECOT_CONFIG:-}" ]; then doveadm -c "$DOVECOT_CONFIG" "$@"; else doveadm "$@"; fi
}
# The password goes to doveadm on its input, never its command line.
hash=$(printf '%s\n%s\n' "$password" "$password" | doveadm_ pw -s "$scheme") || fail "doveadm pw failed for $user"

uid=${DOVECOT_UID:-$(stat -c %u "$home_base")}
gid=${DOVECOT_GID:-$(stat -c %g "$home_base")}
home=$home_base/$user
mkdir -p "$home"
chmod 0700 "$home"
if [ "$(id -u)" = 0 ]; then
    chown "$uid:$gid" "$home"
fi
extra=
if [ -n "$quota" ]; then
    extra="userdb_quota_rule=*:storage=$quota"
fi

# Dovecot re-reads a passwd-file when its modification time changes, counted in seconds: a line
# added within the same second as the last one could go unseen, so wait for the next second.
while [ "$(stat -c %Y "$DOVECOT_PASSWD_FILE" 2>/dev/null || echo 0)" -ge "$(date +%s)" ]; do
    sleep 0.2
done
printf '%s:%s:%s:%s:%s:%s::%s\n' "$user" "$hash" "$uid" "$gid" "$display" "$home" "$extra" >>"$DOVECOT_PASSWD_FILE"

# Dovecot must see the new user before mailsync logs in as it.
doveadm_ user "$user" >/dev/null 2>&1 || fail "Dovecot does not know $user after it was added to $DOVECOT_PASSWD_FILE"
echo "$user created"
