-- mailsync-jdbc schema, version 1. Applied once per database by Schema.migrate, inside one
-- transaction (PostgreSQL's DDL is transactional), under an advisory lock. Never edit an applied
-- script: add V2__....sql instead (Schema refuses a script whose checksum changed).

-- One fenced lease per mailbox. Taking it increments epoch; every checkpoint and state write of
-- the holder is conditional on (mailbox, epoch) still being current and unexpired. Times come
-- from the database clock only. Renewals rewrite the row often: fillfactor leaves room for HOT
-- updates (expires_at is not indexed).
create table mailsync_lease (
    mailbox     text        primary key,
    epoch       bigint      not null,
    holder      text        not null,
    acquired_at timestamptz not null,
    expires_at  timestamptz not null
) with (fillfactor = 50);

-- Checkpoints: per store (a mailbox, or a mailbox and a pass kind) and folder-pair key, one
-- snapshot replaced whole, and the journal entries appended since it (dropped by the next save).
create table mailsync_checkpoint_snapshot (
    store    text        not null,
    key      text        not null,
    version  bigint      not null,
    data     bytea       not null,
    saved_at timestamptz not null default now(),
    primary key (store, key)
);

create table mailsync_checkpoint_journal (
    store   text   not null,
    key     text   not null,
    seq     bigint generated always as identity,
    version bigint not null,
    data    bytea  not null,
    primary key (store, key, seq)
);

-- Auto-migration's account states; version makes every update optimistic (compare and set).
create table mailsync_account_state (
    account          text        primary key,
    version          bigint      not null,
    domain           text        not null,
    legacy_login     text        not null,
    status           text        not null,
    reason           text        not null,
    provisioned      boolean     not null,
    password_set     boolean     not null,
    recent_pass_done boolean     not null,
    queued           boolean     not null,
    attempts         integer     not null,
    next_attempt_at  timestamptz,
    first_copy_at    timestamptz,
    last_pass_at     timestamptz,
    messages_copied  bigint      not null,
    updated_at       timestamptz not null
);

create index mailsync_account_state_status on mailsync_account_state (status);

-- Public keys secrets are sealed to; the private halves live only in the workers' key files.
create table mailsync_secret_key (
    key_id     text        primary key,
    algorithm  text        not null,
    public_key bytea       not null,
    created_at timestamptz not null default now()
);

-- Account secrets (passwords, master logins, OAuth tokens), sealed: never in clear.
create table mailsync_account_secret (
    account    text        not null,
    kind       text        not null,
    key_id     text        not null,
    sealed     bytea       not null,
    updated_at timestamptz not null default now(),
    primary key (account, kind)
);
