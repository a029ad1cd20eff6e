#include "error.hpp"

#include <cstring>

namespace isobench {

std::string Error::describe() const {
  if (errno_value != 0) return message + ": " + std::strerror(errno_value);
  switch (kind) {
    case ErrorKind::kTimeout: return message + ": timed out";
    case ErrorKind::kEndOfStream: return message + ": end of stream";
    case ErrorKind::kFailure: break;
  }
  return message;
}

}  // namespace isobench
