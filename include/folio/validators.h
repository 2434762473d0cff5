// Django 3.2's validators for the text fields folio checks, and UTF-8.
#pragma once

#include <cstddef>
#include <string_view>

namespace folio {

// True when Django 3.2's EmailValidator accepts `value` (UTF-8). May throw
// std::bad_alloc (the IDNA step allocates).
bool is_valid_email(std::string_view value);
// True when Django 3.2's URLValidator (schemes http, https, ftp, ftps)
// accepts `value` (UTF-8). May throw std::bad_alloc.
bool is_valid_url(std::string_view value);
// Number of Unicode code points in UTF-8 text, as Python's len() counts them.
std::size_t code_point_count(std::string_view utf8) noexcept;
// True when `utf8` is well-formed UTF-8.
bool is_valid_utf8(std::string_view utf8) noexcept;

}  // namespace folio
