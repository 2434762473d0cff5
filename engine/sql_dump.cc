// SQL that both the sqlite3 shell and PostgreSQL run, with the tables,
// columns and constraints Django's migration creates.
//
// Choices, each taken so that one text means the same in both engines:
// - Column types are PostgreSQL's names as Django uses them there (boolean,
//   timestamp with time zone, numeric(8, 2), varchar(N), smallint); SQLite
//   gives each the affinity Django's own SQLite types get.
// - Ids and foreign keys are `integer`: in SQLite the only type that makes
//   the id the rowid, as Django has it; in PostgreSQL that of Django's
//   AutoField (an id above 2147483647 is refused there, never cut).
//   AUTOINCREMENT (SQLite) and serial (PostgreSQL) have no common spelling:
//   the tables get no id generator.
// - Columns in the order of Django's initial migration: foreign keys last.
// - Foreign keys cascade on delete (ON DELETE CASCADE): the models declare
//   on_delete=CASCADE and folio deletes that way, so any client of the
//   database gets the same result; Django, which cascades in Python, finds
//   nothing left to cascade and works unchanged. DEFERRABLE INITIALLY
//   DEFERRED as in Django's schema.
// - Timestamps carry an explicit +00:00, so PostgreSQL does not read them
//   in the session's time zone. (Django's SQLite backend stores them
//   without the offset; it reads these as the same UTC times.)
// - Text holding CR LF is written as 'a\r' || '\nb': the sqlite3 shell drops
//   a CR at the end of an input line, inside a literal too.
// - Booleans are TRUE and FALSE (SQLite 3.23 and newer), decimals plain
//   numbers with their decimal places, text in single quotes with '' for a
//   quote (standard_conforming_strings, on by default in PostgreSQL).
#include <ostream>
#include <string>

#include "folio/interchange.h"
#include "md5.h"

namespace folio::internal {
namespace {

std::string quote_name(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The columns in the order of Django's initial migration: the fields in
// order, the foreign keys moved to the end.
std::vector<std::size_t> column_order(const ModelSchema& m) {
  std::vector<std::size_t> order;
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    if (m.columns[c].parent == kNone) order.push_back(c);
  }
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    if (m.columns[c].parent != kNone) order.push_back(c);
  }
  return order;
}

std::string integer_type(const Column& c) {
  if (!c.spec.sql_type.empty()) return std::string(c.spec.sql_type);
  if (c.spec.kind == FieldKind::kAutoId || c.spec.kind == FieldKind::kForeignKey) {
    return "integer";
  }
  if (c.type_min >= -32768 && c.type_max <= 32767) return "smallint";
  if (c.type_min >= -2147483648LL && c.type_max <= 2147483647LL) return "integer";
  return "bigint";
}

std::string column_type(const Column& c) {
  switch (c.spec.kind) {
    case FieldKind::kAutoId:
    case FieldKind::kForeignKey:
    case FieldKind::kInteger:
      return integer_type(c);
    case FieldKind::kChar:
    case FieldKind::kEmail:
    case FieldKind::kUrl:
      return c.spec.max_length > 0 ? "varchar(" + std::to_string(c.spec.max_length) + ")"
                                   : "text";
    case FieldKind::kText:
      return "text";
    case FieldKind::kBoolean:
      return "boolean";
    case FieldKind::kDateTime:
      return "timestamp with time zone";
    case FieldKind::kDecimal:
      return "numeric(" + std::to_string(c.spec.max_digits) + ", " +
             std::to_string(c.spec.decimal_places) + ")";
  }
  return "text";
}

// Django's name for the index on a foreign key: table_column_ and the first
// 8 hex digits of md5(table + column) (schema editor's _create_index_name).
std::string index_name(std::string_view table, std::string_view column) {
  std::string name = std::string(table) + "_" + std::string(column) + "_" +
                     md5_hex(std::string(table) + std::string(column)).substr(0, 8);
  return name;
}

void create_table(const Schema& schema, const ModelSchema& m, std::string& out) {
  out += "CREATE TABLE " + quote_name(m.info->table) + " (";
  bool first = true;
  for (std::size_t c : column_order(m)) {
    const Column& col = m.columns[c];
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += quote_name(col.column) + " " + column_type(col);
    out += col.nullable ? " NULL" : " NOT NULL";
    if (c == m.pk) out += " PRIMARY KEY";
    if (col.unique && c != m.pk) out += " UNIQUE";
    if (col.spec.kind == FieldKind::kInteger && col.spec.min_value >= 0) {
      out += " CHECK (" + quote_name(col.column) + " >= 0)";
    }
    if (col.parent != kNone) {
      const ModelSchema& parent = schema.models[col.parent];
      out += " REFERENCES " + quote_name(parent.info->table) + " (" +
             quote_name(parent.columns[parent.pk].column) +
             ") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED";
    }
  }
  for (const UniqueKey& u : m.uniques) {
    if (u.columns.size() < 2) continue;
    out += ",\n  CONSTRAINT " + quote_name(u.name) + " UNIQUE (";
    for (std::size_t i = 0; i < u.columns.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_name(m.columns[u.columns[i]].column);
    }
    out += ")";
  }
  out += "\n);\n";
  for (std::size_t c : column_order(m)) {
    const Column& col = m.columns[c];
    if (col.parent == kNone || col.unique) continue;
    out += "CREATE INDEX " + quote_name(index_name(m.info->table, col.column)) + " ON " +
           quote_name(m.info->table) + " (" + quote_name(col.column) + ");\n";
  }
}

void append_literal(std::string& out, const ModelSchema& m, const Column& column,
                    const Value& v, Id id) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "NULL";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "TRUE" : "FALSE";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (x.find('\0') != std::string::npos) {
            throw UsageError(std::string(m.info->table) + " id " + std::to_string(id) +
                             ", column " + std::string(column.column) +
                             ": the text holds a NUL character, which SQL text cannot");
          }
          out += '\'';
          for (std::size_t i = 0; i < x.size(); ++i) {
            const char c = x[i];
            if (c == '\'') out += '\'';
            out += c;
            // The sqlite3 shell drops a CR that ends an input line, even in a
            // literal: a CR before an LF ends one literal, the LF starts the
            // next, joined by || (text concatenation in both engines).
            if (c == '\r' && i + 1 < x.size() && x[i + 1] == '\n') out += "' || '";
          }
          out += '\'';
        } else if constexpr (std::is_same_v<T, Decimal>) {
          out += x.format(std::max(column.spec.decimal_places, x.decimal_places()));
        } else {
          out += '\'';
          out += x.to_sql();
          out += "+00:00'";
        }
      },
      v);
}

}  // namespace

void write_sql(const RowSource& source, std::ostream& out, const DumpSelection& sel) {
  const Schema& schema = source.schema();
  std::string buf = "-- folio SQL dump:";
  std::uint64_t total = 0, done = 0;
  for (std::size_t model = 0; model < schema.models.size(); ++model) {
    if (sel.model != kNone && sel.model != model) continue;
    total += source.size(model);
    buf += (buf.back() == ':' ? " " : ", ") + std::string(schema.models[model].info->table) +
           " (" + std::to_string(source.size(model)) + " rows)";
  }
  buf +=
      ".\n"
      "-- For the sqlite3 shell and PostgreSQL: the tables, columns and constraints of\n"
      "-- Django's migration; foreign keys cascade on delete. Ids are integer and have\n"
      "-- no generator (reset sequences before Django inserts into PostgreSQL).\n"
      "BEGIN;\n";
  for (std::size_t model = 0; model < schema.models.size(); ++model) {
    if (sel.model == kNone || sel.model == model) create_table(schema, schema.models[model], buf);
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  for (std::size_t model = 0; model < schema.models.size(); ++model) {
    if (sel.model != kNone && sel.model != model) continue;
    const ModelSchema& m = schema.models[model];
    const std::vector<std::size_t> order = column_order(m);
    std::string head = "INSERT INTO " + quote_name(m.info->table) + " (";
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i > 0) head += ", ";
      head += quote_name(m.columns[order[i]].column);
    }
    head += ") VALUES (";
    source.scan(model, [&](const std::vector<Value>& values) {
      Id id = m.pk != kNone ? std::get<std::int64_t>(values[m.pk]) : 0;
      buf = head;
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (i > 0) buf += ", ";
        append_literal(buf, m, m.columns[order[i]], values[order[i]], id);
      }
      buf += ");\n";
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (sel.progress && ++done % 65536 == 0) sel.progress(done, total);
    });
  }
  out << "COMMIT;\n";
  if (sel.progress) sel.progress(total, total);
}

}  // namespace folio::internal
