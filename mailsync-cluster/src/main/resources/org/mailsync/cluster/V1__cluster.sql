-- mailsync-cluster's tables, version 1. Applied by ClusterSchema after mailsync-jdbc's schema, in one
-- transaction under an advisory lock, so that workers starting together apply it once.

-- db-scheduler's own table, as its documentation gives it for PostgreSQL (16.x, with the priority
-- column that enablePriority() needs). db-scheduler does not create it itself.
CREATE TABLE IF NOT EXISTS scheduled_tasks (
    task_name            text                     NOT NULL,
    task_instance        text                     NOT NULL,
    task_data            bytea,
    execution_time       timestamp with time zone NOT NULL,
    picked               boolean                  NOT NULL,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures int,
    last_heartbeat       timestamp with time zone,
    version              bigint                   NOT NULL,
    priority             smallint,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX IF NOT EXISTS execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX IF NOT EXISTS last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX IF NOT EXISTS priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);

-- One row per account to migrate: what to copy, why, and how far it got. Passwords are sealed with
-- the cluster's public key (mailsync-jdbc's SecretSealer); only workers hold the private key.
-- run_epoch is the lease epoch of the run that owns the row's progress: every update a run makes
-- is conditional on it, so a run whose lease moved on cannot overwrite its successor's figures.
CREATE TABLE cluster_accounts (
    account_id     text        PRIMARY KEY,
    source_uri     text        NOT NULL,
    source_user    text        NOT NULL,
    source_secret  bytea       NOT NULL,
    target_uri     text        NOT NULL,
    target_user    text        NOT NULL,
    target_secret  bytea       NOT NULL,
    legacy_host    text        NOT NULL,
    options        text        NOT NULL DEFAULT '',
    kind           text        NOT NULL CHECK (kind IN ('LOGIN', 'RESUME', 'DELTA', 'BULK')),
    state          text        NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
    reason         text        NOT NULL DEFAULT '',
    messages_done  bigint      NOT NULL DEFAULT 0,
    messages_total bigint      NOT NULL DEFAULT 0,
    bytes_done     bigint      NOT NULL DEFAULT 0,
    bytes_total    bigint      NOT NULL DEFAULT 0,
    attempts       int         NOT NULL DEFAULT 0,
    passes         int         NOT NULL DEFAULT 0,
    worker         text,
    run_epoch      bigint      NOT NULL DEFAULT 0,
    enqueued_at    timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    first_done_at  timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_accounts_state_idx ON cluster_accounts (state);

-- Cluster-wide connection caps per legacy host: a row per connection slot; a run holds its slots
-- by name until they expire (renewed with its lease), so a dead worker's slots free themselves.
CREATE TABLE cluster_host_caps (
    host            text PRIMARY KEY,
    max_connections int  NOT NULL CHECK (max_connections >= 1)
);
CREATE TABLE cluster_host_slots (
    host       text        NOT NULL REFERENCES cluster_host_caps (host) ON DELETE CASCADE,
    slot       int         NOT NULL,
    holder     text,
    expires_at timestamptz,
    PRIMARY KEY (host, slot)
);

-- Throughput history for the status page: messages and bytes copied per worker and minute.
CREATE TABLE cluster_throughput (
    minute        timestamptz NOT NULL,
    worker        text        NOT NULL,
    messages      bigint      NOT NULL DEFAULT 0,
    bytes         bigint      NOT NULL DEFAULT 0,
    accounts_done int         NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, worker)
);

-- What operators and tests need to see afterwards: takeovers, refused late writes, give-ups.
CREATE TABLE cluster_events (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    worker     text        NOT NULL,
    account_id text,
    kind       text        NOT NULL,
    detail     text        NOT NULL DEFAULT ''
);
CREATE INDEX cluster_events_kind_idx ON cluster_events (kind, at);
