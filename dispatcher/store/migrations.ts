/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction;
 * PRAGMA user_version records how far a database has come. Never edit a shipped entry:
 * add a new one.
 */
export const MIGRATIONS: string[] = [
  /* 1: the core model */ `
  CREATE TABLE grid_nodes (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES grid_nodes(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('city','district','street','community','grid','building','floor','unit')),
    path TEXT NOT NULL UNIQUE,
    escalate_after_s INTEGER,
    time_zone TEXT,
    UNIQUE (parent_id, name)
  );
  CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    grid_id INTEGER NOT NULL REFERENCES grid_nodes(id),
    address TEXT NOT NULL,
    access_note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    name TEXT NOT NULL, age INTEGER, phone TEXT NOT NULL DEFAULT '', medical_note TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    name TEXT NOT NULL, relation TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('mqtt-button','pendant','rf-button')),
    household_id INTEGER REFERENCES households(id),
    secret_hash TEXT,
    heartbeat_s INTEGER NOT NULL DEFAULT 60,
    online INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER,
    battery INTEGER, rssi INTEGER, fw TEXT,
    last_test_at INTEGER,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX devices_household ON devices(household_id);
  CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff','leader','admin')),
    scope_node_id INTEGER REFERENCES grid_nodes(id),
    phone TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE roster_shifts (
    id INTEGER PRIMARY KEY,
    node_id INTEGER NOT NULL REFERENCES grid_nodes(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440)
  );
  CREATE INDEX roster_shifts_node ON roster_shifts(node_id);
  CREATE TABLE roster_overrides (
    id INTEGER PRIMARY KEY,
    node_id INTEGER NOT NULL REFERENCES grid_nodes(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    on_duty INTEGER NOT NULL CHECK (on_duty IN (0,1)),
    CHECK (ends_at > starts_at)
  );
  CREATE INDEX roster_overrides_node ON roster_overrides(node_id, ends_at);
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('call','technical')),
    reason TEXT NOT NULL,
    device_id TEXT,
    household_id INTEGER,
    grid_id INTEGER NOT NULL REFERENCES grid_nodes(id),
    grid_path TEXT NOT NULL,
    state TEXT NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    level_node_id INTEGER,
    presses INTEGER NOT NULL DEFAULT 1,
    is_test INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    raised_at INTEGER NOT NULL,
    accepted_at INTEGER, accepted_by INTEGER,
    on_site_at INTEGER,
    resolved_at INTEGER, resolved_by INTEGER,
    cancelled_at INTEGER,
    outcome TEXT, note TEXT,
    deadline_at INTEGER, deadline_kind TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX alerts_open ON alerts(state) WHERE state NOT IN ('resolved','closed');
  CREATE INDEX alerts_device_open ON alerts(device_id, state);
  CREATE INDEX alerts_raised ON alerts(grid_path, raised_at);
  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    staff_id INTEGER,
    data TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX alert_events_alert ON alert_events(alert_id, id);
  CREATE TRIGGER alert_events_append_only_u BEFORE UPDATE ON alert_events BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END;
  CREATE TRIGGER alert_events_append_only_d BEFORE DELETE ON alert_events BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END;
  CREATE TABLE device_events (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER,
    type TEXT NOT NULL,
    device_ts INTEGER,
    received_at INTEGER NOT NULL,
    via TEXT NOT NULL,
    alert_id TEXT,
    detail TEXT
  );
  CREATE UNIQUE INDEX device_events_dedupe ON device_events(device_id, seq) WHERE seq IS NOT NULL;
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    grid_path TEXT NOT NULL,
    at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX changes_at ON changes(at);
  `,
  /* 2: hub liveness, for honest offline detection after a crash */ `
  CREATE TABLE hub_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
  /* 3: RF panic buttons heard by serial receivers (issue 5) */ `
  CREATE TABLE rf_codes (
    address INTEGER NOT NULL CHECK (address BETWEEN 0 AND 1048575),
    key INTEGER NOT NULL CHECK (key BETWEEN 0 AND 15),
    device_id TEXT NOT NULL REFERENCES devices(id),
    action TEXT NOT NULL CHECK (action IN ('press','cancel','test')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (address, key)
  );
  CREATE INDEX rf_codes_device ON rf_codes(device_id);
  CREATE TABLE unknown_transmitters (
    receiver TEXT NOT NULL,
    address INTEGER NOT NULL,
    key INTEGER NOT NULL,
    first_heard INTEGER NOT NULL,
    last_heard INTEGER NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (receiver, address, key)
  );
  CREATE TABLE rf_learn_sessions (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    opened_by INTEGER REFERENCES staff(id),
    opened_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    closed_at INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('open','bound','expired','cancelled')),
    device_id TEXT, address INTEGER, key INTEGER, receiver TEXT
  );
  `,
  /* 4: a covering index for response-time reports (a year of a street office in one range scan) */ `
  DROP INDEX IF EXISTS alerts_raised;
  CREATE INDEX alerts_report ON alerts(grid_path, raised_at, kind, is_test, grid_id, household_id, accepted_at, accepted_by, on_site_at, resolved_at, outcome, id);
  `,
  /* 5: the append-only, hash-chained audit log (dispatcher/audit/audit-log.ts) */ `
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_at ON audit_log(at);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  /* 6: the live timeline skips repeat presses through an index, so a much-pressed call stays cheap */ `
  CREATE INDEX alert_events_type ON alert_events(alert_id, type, id);
  `,
  /* 7: alert_events_type also serves every lookup by alert; a second index keyed by alert id was one more
     scattered page to write per press in each group commit (issue 6) */ `
  DROP INDEX alert_events_alert;
  `,
  /* 8: the next deadline after every commit in O(log n): before, a scan of every open alert (6.5 % of the
     hub's time with 2,000 unaccepted calls open, issue 6 profile) */ `
  CREATE INDEX alerts_deadline ON alerts(deadline_at) WHERE deadline_at IS NOT NULL AND state IN ('raised','accepted','on_site','cancelled');
  `,
  /* 9: a change row is a number and an alert id, no longer the alert's whole view (~1.5 KB per change, written
     and serialized even when no console was listening: 30 % of the hub's time per alarm, issue 6). A console that
     resumes gets the current state of each alert changed since its number. */ `
  CREATE TABLE changes_v9 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    grid_path TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  INSERT INTO changes_v9 (seq, alert_id, grid_path, at) SELECT seq, alert_id, grid_path, at FROM changes;
  DELETE FROM sqlite_sequence WHERE name = 'changes_v9';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'changes_v9', seq FROM sqlite_sequence WHERE name = 'changes';
  DROP TABLE changes;
  ALTER TABLE changes_v9 RENAME TO changes;
  CREATE INDEX changes_at ON changes(at);
  `,
  /* 10: a repeat press is no longer an alert_events row (each press is already a device_events row): the
     row and its scattered index entry were two thirds of the log written per alarm (issue 6). The alert keeps
     the time of its latest repeat press for the live view. */ `
  ALTER TABLE alerts ADD COLUMN last_press_at INTEGER;
  UPDATE alerts SET last_press_at = (SELECT max(at) FROM alert_events e WHERE e.alert_id = alerts.id AND e.type = 'repeat_press')
    WHERE presses > 1;
  `,
  /* 11: the de-duplication index covers every row, not only those with a seq (NULLs stay distinct, RF presses
     have none), so SQLite uses it for a device's highest seq (asked once per device after each start) and for a
     call's presses in the timeline export: with the partial index both scanned the whole table, ~9 ms per
     300,000 events, on the event loop */ `
  DROP INDEX device_events_dedupe;
  CREATE UNIQUE INDEX device_events_dedupe ON device_events(device_id, seq);
  `,
  /* 12: the most recent alerts (GET /api/alerts?state=all) by index: before, every request sorted every alert
     ever raised on the event loop */ `
  CREATE INDEX alerts_recent ON alerts(raised_at);
  `,
  /* 13: the health sweep's three reads by index, every 5 s: each scanned every device, 10 ms at 10,000
     devices and 70 ms (up to 187 ms) at 50,000 on the event loop (issue 6, bench/sweep-cost.ts). The
     sweep's queries repeat each index's expression and condition word for word, or SQLite ignores it.
     Only low batteries are indexed: every heartbeat rewrites the battery column, and a healthy one left
     out of the index costs no index write (an index of every battery added 0.5 ms per 100 heartbeats). */ `
  CREATE INDEX devices_silent_due ON devices(last_seen + 2000 * heartbeat_s)
    WHERE revoked_at IS NULL AND kind != 'rf-button' AND last_seen IS NOT NULL;
  CREATE INDEX devices_battery_low ON devices(battery) WHERE revoked_at IS NULL AND battery < 50;
  CREATE INDEX devices_test_due ON devices(coalesce(last_test_at, created_at)) WHERE revoked_at IS NULL;
  `,
  /* 14: a household's residents and contacts by index. A household not yet in the hub's memory (its first
     call since start-up; each offline alert of a power cut) read both tables in full, inside the call's
     transaction on the event loop; so did the foreign-key check of every household deleted (issue 6,
     bench/household-cost.ts). */ `
  CREATE INDEX residents_household ON residents(household_id, id);
  CREATE INDEX contacts_household ON contacts(household_id, id);
  `,
  /* 15: device logins remembered across restarts (store/login-memo-repo.ts). After a restart every device
     with a scrypt-hashed secret paid one scrypt check, 54 ms on two lanes: 2,000 such devices needed 48 s to
     be back, and presses made meanwhile waited 12.5 s at the median (issue 6, bench/restart-storm.ts). */ `
  CREATE TABLE device_login_memo (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    mac BLOB NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 16: the open technical alerts by reason and device, for the health sweep (store/health-repo.ts): which
     devices already have an alert, and which alerts' devices recovered, without reading the alerts
     themselves. Calls are not in it, so it costs them nothing. */ `
  CREATE INDEX alerts_technical_open ON alerts(reason, device_id, id) WHERE kind = 'technical' AND state IN ('raised','accepted');
  `,
  /* 17: the open alerts under a grid path by index, for a console's snapshot and GET /api/alerts (the same
     set as before, keyed by grid_path instead of state). Each console read every open alert and dropped
     those outside its grid: with 1,000 open calls, 1.5 ms for each of a street office's 596 consoles
     reconnecting at once, 0.9 s of the event loop in all (issue 6, bench/street-office-consoles.ts). The
     health sweep's reads by state have alerts_technical_open (16). */ `
  DROP INDEX alerts_open;
  CREATE INDEX alerts_open ON alerts(grid_path) WHERE state NOT IN ('resolved','closed');
  `,
  /* 18: the RF buttons by id (store/device-repo.ts rfButtons). Every open RF view asks for them every 5 s;
     they were found by reading every device, 20,000 in a street office, on the event loop (issue 6). */ `
  CREATE INDEX devices_rf ON devices(id) WHERE kind = 'rf-button';
  `,
  /* 19: households by grid and address (store/household-repo.ts idAt): an import of a street office's
     households checks each row against those already registered, which without it read every household. */ `
  CREATE INDEX households_grid_address ON households(grid_id, address);
  `,
  /* 20: a password someone else set (a leader creating a worker's account, a reset) is the holder's
     to replace: until they do, the hub takes no change from them but the calls (security/first-password.ts). */ `
  ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
  `,
];
