// What the proxy's coroutine files (http_session, proxy, stream_io) share:
// the names they use for Asio and Beast, the completion token that returns
// (error, result) tuples instead of throwing, and one GCC 12 false positive
// silenced. Include it from .cpp files only, after their other includes.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

// GCC 12 reports -Wmismatched-new-delete for coroutine frames that use Asio's
// frame allocator (a false positive: Asio's awaitable_frame_base supplies both
// operator new and the matching sized delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace boost::beast {}

namespace gslb::lb {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
inline constexpr auto tok = asio::as_tuple(asio::use_awaitable);

}  // namespace gslb::lb
