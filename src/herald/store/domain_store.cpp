// store::Store — sending domains and their DKIM key rows. Generating keys
// and writing key files is the caller's (cli); this file only records them.
#include <cctype>

#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

std::optional<std::int64_t> domain_id(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, "SELECT id FROM domains WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

base::Error no_such_domain(std::string_view name) {
  return base::make_error(
      base::ErrorKind::not_found,
      fmt::format("no sending domain '{}'; add it with 'herald domain add {} --account NAME'", name,
                  name));
}

}  // namespace

base::Result<std::string> normalize_domain(std::string_view domain) {
  std::string d(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bad = [&](std::string_view why) {
    return base::make_error(base::ErrorKind::invalid,
                            fmt::format("'{}' is not a valid domain name: {}", domain, why));
  };
  if (d.empty() || d.size() > 253) return bad("it must have 1 to 253 characters");
  std::size_t labels = 0, start = 0;
  while (start <= d.size()) {
    std::size_t dot = d.find('.', start);
    if (dot == std::string::npos) dot = d.size();
    std::string_view label(d.data() + start, dot - start);
    if (label.empty() || label.size() > 63) return bad("each label must have 1 to 63 characters");
    if (label.front() == '-' || label.back() == '-')
      return bad("a label may not start or end with '-'");
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return bad("only letters, digits and '-' are allowed (write IDNs as xn-- A-labels)");
      }
    }
    ++labels;
    start = dot + 1;
  }
  if (labels < 2) return bad("a sending domain has at least two labels, like example.com");
  return d;
}

base::Result<Domain> Store::add_domain(std::string_view name, std::string_view account) {
  auto normalized = normalize_domain(name);
  if (!normalized) return normalized.error();
  return impl_->run("adding a domain", [&]() -> base::Result<Domain> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto account_row = account_id(db, std::string(account));
    if (!account_row) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("account '{}' does not exist; create it with 'herald account add {}'",
                      account, account));
    }
    if (domain_id(db, *normalized)) {
      return base::make_error(
          base::ErrorKind::conflict,
          fmt::format("domain '{}' is already added; see 'herald domain dns {}'", *normalized,
                      *normalized));
    }
    Domain d{*normalized, std::string(account), unix_now()};
    SQLite::Statement ins(db,
                          "INSERT INTO domains (name, account_id, created_at) VALUES (?, ?, ?)");
    ins.bind(1, d.name);
    ins.bind(2, *account_row);
    ins.bind(3, d.created_at);
    ins.exec();
    tx.commit();
    return d;
  });
}

base::Result<std::vector<Domain>> Store::list_domains() {
  return impl_->run("listing domains", [&]() -> base::Result<std::vector<Domain>> {
    SQLite::Statement q(impl_->db,
                        "SELECT d.name, a.name, d.created_at FROM domains d "
                        "JOIN accounts a ON a.id = d.account_id ORDER BY d.name");
    std::vector<Domain> out;
    while (q.executeStep()) {
      out.push_back(
          {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
    }
    return out;
  });
}

base::Result<std::optional<Domain>> Store::find_domain(std::string_view name) {
  auto normalized = normalize_domain(name);
  if (!normalized) return std::optional<Domain>{};
  return impl_->run("looking up a domain", [&]() -> base::Result<std::optional<Domain>> {
    SQLite::Statement q(impl_->db,
                        "SELECT d.name, a.name, d.created_at FROM domains d "
                        "JOIN accounts a ON a.id = d.account_id WHERE d.name = ?");
    q.bind(1, *normalized);
    if (!q.executeStep()) return std::optional<Domain>{};
    return std::optional<Domain>(
        Domain{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
  });
}

base::Result<void> Store::remove_domain(std::string_view name) {
  auto normalized = normalize_domain(name);
  if (!normalized) return normalized.error();
  return impl_->run("removing a domain", [&]() -> base::Result<void> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto id = domain_id(db, *normalized);
    if (!id) return no_such_domain(*normalized);
    SQLite::Statement keys(db, "DELETE FROM dkim_keys WHERE domain_id = ?");
    keys.bind(1, *id);
    keys.exec();
    SQLite::Statement del(db, "DELETE FROM domains WHERE id = ?");
    del.bind(1, *id);
    del.exec();
    tx.commit();
    return {};
  });
}

std::vector<std::string> read_account_domains(StatementCache& statements,
                                              const std::string& account) {
  // Walks up the parent chain to the nearest account that has domains of
  // its own: a sub-account inherits its parent's unless it sets its own.
  // The depth bound guards against a cycle in a hand-edited database.
  auto q = statements.get(
      "WITH RECURSIVE chain(id, depth) AS ("
      "  SELECT id, 0 FROM accounts WHERE name = ?"
      "  UNION ALL SELECT a.parent_id, c.depth + 1 FROM accounts a"
      "  JOIN chain c ON a.id = c.id WHERE a.parent_id IS NOT NULL AND c.depth < 16),"
      " owned(name, depth) AS ("
      "  SELECT d.name, c.depth FROM domains d JOIN chain c ON d.account_id = c.id)"
      "SELECT name FROM owned WHERE depth = (SELECT MIN(depth) FROM owned) "
      "ORDER BY name");
  q->bind(1, account);
  std::vector<std::string> out;
  while (q->executeStep()) out.push_back(q->getColumn(0).getString());
  return out;
}

base::Result<std::vector<std::string>> Store::account_domains(std::string_view account) {
  return impl_->run("listing an account's domains",
                    [&]() -> base::Result<std::vector<std::string>> {
                      return read_account_domains(impl_->statements, std::string(account));
                    });
}

base::Result<void> Store::add_dkim_key(const DkimKey& key) {
  return impl_->run("adding a DKIM key", [&]() -> base::Result<void> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto id = domain_id(db, key.domain);
    if (!id) return no_such_domain(key.domain);
    SQLite::Statement exists(db, "SELECT 1 FROM dkim_keys WHERE domain_id = ? AND selector = ?");
    exists.bind(1, *id);
    exists.bind(2, key.selector);
    if (exists.executeStep()) {
      return base::make_error(
          base::ErrorKind::conflict,
          fmt::format(
              "domain '{}' already has a key with selector '{}'; choose another with --selector",
              key.domain, key.selector));
    }
    SQLite::Statement ins(db,
                          "INSERT INTO dkim_keys (domain_id, selector, algorithm, key_file, "
                          "public_txt, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, *id);
    ins.bind(2, key.selector);
    ins.bind(3, key.algorithm);
    ins.bind(4, key.key_file);
    ins.bind(5, key.public_txt);
    ins.bind(6, key.state);
    ins.bind(7, key.created_at ? key.created_at : unix_now());
    ins.exec();
    tx.commit();
    return {};
  });
}

base::Result<std::vector<DkimKey>> Store::list_dkim_keys(std::string_view domain) {
  auto normalized = normalize_domain(domain);
  if (!normalized) return normalized.error();
  return impl_->run("listing DKIM keys", [&]() -> base::Result<std::vector<DkimKey>> {
    // Compiled once: the signing path reads this whenever the store changed.
    auto q = impl_->statements.get(
        "SELECT d.name, k.selector, k.algorithm, k.key_file, k.public_txt, "
        "k.state, k.created_at, k.retired_at FROM dkim_keys k "
        "JOIN domains d ON d.id = k.domain_id WHERE d.name = ? ORDER BY k.id");
    q->bind(1, *normalized);
    std::vector<DkimKey> out;
    while (q->executeStep()) {
      DkimKey k;
      k.domain = q->getColumn(0).getString();
      k.selector = q->getColumn(1).getString();
      k.algorithm = q->getColumn(2).getString();
      k.key_file = q->getColumn(3).getString();
      k.public_txt = q->getColumn(4).getString();
      k.state = q->getColumn(5).getString();
      k.created_at = q->getColumn(6).getInt64();
      if (!q->getColumn(7).isNull()) k.retired_at = q->getColumn(7).getInt64();
      out.push_back(std::move(k));
    }
    return out;
  });
}

base::Result<int> Store::set_dkim_key_states(std::string_view domain, std::string_view from,
                                             std::string_view to) {
  auto normalized = normalize_domain(domain);
  if (!normalized) return normalized.error();
  return impl_->run("changing DKIM key states", [&]() -> base::Result<int> {
    auto& db = impl_->db;
    auto id = domain_id(db, *normalized);
    if (!id) return no_such_domain(*normalized);
    SQLite::Statement up(db,
                         "UPDATE dkim_keys SET state = ?, retired_at = CASE WHEN ? = 'retired' "
                         "THEN ? ELSE retired_at END WHERE domain_id = ? AND state = ?");
    up.bind(1, std::string(to));
    up.bind(2, std::string(to));
    up.bind(3, unix_now());
    up.bind(4, *id);
    up.bind(5, std::string(from));
    return up.exec();
  });
}

}  // namespace herald::store
