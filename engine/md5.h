// MD5, for the index names Django derives from it (not for security).
#pragma once

#include <string>
#include <string_view>

namespace folio::internal {

// The MD5 digest of `data` in lower-case hex, as Python's hexdigest().
std::string md5_hex(std::string_view data);

}  // namespace folio::internal
