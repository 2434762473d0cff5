// Tables for people: aligned columns, as psql prints them.
#include <ostream>
#include <string>
#include <vector>

#include "folio/interchange.h"

namespace folio::internal {
namespace {

constexpr std::size_t kMaxWidth = 40;  // display columns a cell may take

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes read as
// U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  const std::size_t n = (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : 0;
  if (n == 0 || i + n >= s.size()) {
    ++i;
    return U'\uFFFD';
  }
  char32_t cp = b & (0x3F >> n);
  for (std::size_t k = 1; k <= n; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += n + 1;
  return cp;
}

// Terminal columns a code point takes: 0 for combining marks, 2 for East
// Asian wide and fullwidth characters and emoji, else 1.
int width_of(char32_t cp) {
  if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
      (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
      (cp >= 0x20D0 && cp <= 0x20FF)) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

struct Cell {
  std::string text;
  std::size_t width = 0;
};

// The cell for text: control characters escaped, cut with "…" past
// kMaxWidth columns.
Cell text_cell(std::string_view s) {
  Cell cell;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    char32_t cp = next_code_point(s, i);
    std::string piece;
    int w;
    if (cp < 0x20 || cp == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[4] = {'\\', 'x', kHex[cp >> 4], kHex[cp & 0xF]};
      piece = cp == '\n'   ? std::string("\\n")
              : cp == '\t' ? std::string("\\t")
              : cp == '\r' ? std::string("\\r")
                           : std::string(escaped, sizeof escaped);
      w = static_cast<int>(piece.size());
    } else {
      piece.assign(s.substr(start, i - start));
      w = width_of(cp);
    }
    if (cell.width + static_cast<std::size_t>(w) > kMaxWidth - 1 && i < s.size()) {
      cell.text += "\u2026";
      cell.width += 1;
      return cell;
    }
    cell.text += piece;
    cell.width += static_cast<std::size_t>(w);
  }
  return cell;
}

Cell value_cell(const Column& column, const Value& v) {
  return std::visit(
      [&](const auto& x) -> Cell {
        using T = std::decay_t<decltype(x)>;
        std::string s;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return Cell{};
        } else if constexpr (std::is_same_v<T, bool>) {
          s = x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          s = std::to_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return text_cell(x);
        } else if constexpr (std::is_same_v<T, Decimal>) {
          s = x.format(std::max(column.spec.decimal_places, x.decimal_places()));
        } else {
          s = x.to_sql();
        }
        return Cell{s, s.size()};
      },
      v);
}

bool right_aligned(const Column& c) {
  return c.type == ValueType::kInteger || c.type == ValueType::kDecimal;
}

void pad(std::string& out, std::size_t n) { out.append(n, ' '); }

}  // namespace

void write_table(const RowSource& source, std::ostream& out, const DumpSelection& sel) {
  const Schema& schema = source.schema();
  std::uint64_t total = 0, done = 0;
  for (std::size_t m = 0; m < schema.models.size(); ++m) {
    if (sel.model == kNone || sel.model == m) total += source.size(m);
  }
  bool first_table = true;
  for (std::size_t model = 0; model < schema.models.size(); ++model) {
    if (sel.model != kNone && sel.model != model) continue;
    const ModelSchema& m = schema.models[model];
    const std::size_t n = m.columns.size();
    // Two passes over the rows: the widths, then the text.
    std::vector<std::size_t> widths(n);
    for (std::size_t c = 0; c < n; ++c) widths[c] = text_cell(m.columns[c].column).width;
    source.scan(model, [&](const std::vector<Value>& values) {
      for (std::size_t c = 0; c < n; ++c) {
        widths[c] = std::max(widths[c], value_cell(m.columns[c], values[c]).width);
      }
    });
    std::string buf = first_table ? "" : "\n";
    first_table = false;
    const std::size_t count = source.size(model);
    buf += std::string(m.info->table) + " (" + std::to_string(count) +
           (count == 1 ? " row" : " rows") + "; times in UTC)\n";
    for (std::size_t c = 0; c < n; ++c) {
      Cell name = text_cell(m.columns[c].column);
      buf += c == 0 ? " " : " | ";
      buf += name.text;
      if (c + 1 < n) pad(buf, widths[c] - name.width);
    }
    buf += "\n";
    for (std::size_t c = 0; c < n; ++c) {
      if (c > 0) buf += '+';
      buf.append(widths[c] + 2, '-');
    }
    buf += "\n";
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    source.scan(model, [&](const std::vector<Value>& values) {
      buf.clear();
      for (std::size_t c = 0; c < n; ++c) {
        Cell cell = value_cell(m.columns[c], values[c]);
        buf += c == 0 ? " " : " | ";
        std::size_t gap = widths[c] - cell.width;
        if (right_aligned(m.columns[c])) {
          pad(buf, gap);
          buf += cell.text;
        } else {
          buf += cell.text;
          if (c + 1 < n) pad(buf, gap);
        }
      }
      while (!buf.empty() && buf.back() == ' ') buf.pop_back();
      buf += "\n";
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (sel.progress && ++done % 65536 == 0) sel.progress(done, total);
    });
  }
  if (sel.progress) sel.progress(total, total);
}

}  // namespace folio::internal
