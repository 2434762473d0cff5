// The Boost.Serialization binary archive that holds a snapshot's body. Boost
// writes and checks the archive's head (signature, library version, native
// sizes and byte order); the content is folio's columns, written with
// save_binary and read back in place by BodyReader (snapshot_columns.h).
#include <cstring>
#include <memory>
#include <streambuf>

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/basic_archive.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include "folio/error.h"
#include "snapshot_internal.h"

namespace folio::internal {
namespace {

constexpr auto kFlags = boost::archive::no_codecvt;

// Reads from memory it does not own; never writes to it.
class SpanBuf : public std::streambuf {
 public:
  explicit SpanBuf(std::span<const std::byte> bytes) {
    char* p = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(p, p, p + bytes.size());
  }
  std::size_t consumed() const noexcept {
    return static_cast<std::size_t>(gptr() - eback());
  }
};

// Keeps what is written to it (the archive's head is a few dozen bytes).
class StringBuf : public std::streambuf {
 public:
  std::string bytes;

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      bytes.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    bytes.append(s, static_cast<std::size_t>(n));
    return n;
  }
};

// The head this build's Boost writes.
const std::string& archive_head() {
  static const std::string head = [] {
    StringBuf buf;
    { boost::archive::binary_oarchive ar(buf, kFlags); }
    return buf.bytes;
  }();
  return head;
}

}  // namespace

std::size_t archive_head_bytes() { return archive_head().size(); }

std::size_t read_archive_head(std::span<const std::byte> body,
                              const std::string& name) {
  // Boost reads the signature as a length-prefixed string and allocates the
  // length it reads: check length and signature before Boost sees them.
  const std::size_t signature =
      sizeof(std::size_t) +
      std::strlen(boost::archive::BOOST_ARCHIVE_SIGNATURE());
  if (body.size() < signature + 1 ||
      std::memcmp(body.data(), archive_head().data(), signature) != 0) {
    throw CorruptBody("its body is not a Boost.Serialization binary archive");
  }
  SpanBuf buf(body);
  try {
    boost::archive::binary_iarchive ar(buf, kFlags);
  } catch (const boost::archive::archive_exception& e) {
    if (e.code == boost::archive::archive_exception::unsupported_version) {
      const auto version = static_cast<unsigned>(body[signature]);
      throw SnapshotError(SnapshotFault::kNewerFormat, name,
                          "its body was written by a newer Boost.Serialization "
                          "(archive version " +
                              std::to_string(version) +
                              "; this build reads versions up to " +
                              std::to_string(static_cast<unsigned>(
                                  boost::archive::BOOST_ARCHIVE_VERSION())) +
                              ")");
    }
    if (e.code ==
        boost::archive::archive_exception::incompatible_native_format) {
      throw CorruptBody(
          std::string("its body was written on a machine of another kind (") +
          e.what() + ")");
    }
    throw CorruptBody(std::string("its archive head is damaged (") + e.what() +
                      ")");
  }
  return buf.consumed();
}

bool write_archive(std::streambuf& out, const BodyPlan& plan) {
  try {
    boost::archive::binary_oarchive ar(out, kFlags);
    for (const BodyBytes& piece : plan.pieces()) {
      ar.save_binary(piece.data(), piece.size());
    }
  } catch (const boost::archive::archive_exception&) {
    return false;  // `out` failed; it knows why
  }
  return true;
}

}  // namespace folio::internal
