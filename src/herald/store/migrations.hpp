// store::migrate — the ordered list of schema changes, applied by version
// (PRAGMA user_version). Later features append a migration; they must never
// edit one that has shipped, since existing files have already run it.
#pragma once

#include "herald/base/result.hpp"

namespace SQLite {
class Database;
}

namespace herald::store {

// The version a fully migrated database has.
int latest_schema_version();

// Applies every migration above the file's user_version in one IMMEDIATE
// transaction, so two processes opening a new file cannot both migrate it.
// Refuses a file written by a newer herald.
base::Result<void> migrate(SQLite::Database& db);

}  // namespace herald::store
