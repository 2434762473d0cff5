// Helpers the format readers and writers share (not part of the API).
#pragma once

#include <string>
#include <string_view>

#include "folio/internal/loader.h"
#include "folio/internal/rows.h"

namespace folio::internal {

// A value quoted as Django's messages quote it: “9.9.9” (cut past 80 bytes).
std::string django_quoted(std::string_view s);
// The message for text that is not a decimal the column takes: Django's
// “x” value must be a decimal number, or the digit rule when the number
// has more digits than folio's Decimal holds.
std::string decimal_problem(const Column& column, std::string_view text);
// Django's message for text that is not a date and time.
std::string datetime_problem(std::string_view text);
// The message for an integer beyond what the column holds.
std::string integer_range_problem(const Column& column, bool negative);

}  // namespace folio::internal
