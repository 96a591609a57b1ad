// What an HTTP stream's limits and clocks are. A server's connections share one with their
// listener and see it change while they live: Node reads server.headersTimeout, requestTimeout
// and keepAliveTimeout at each check, so a value set after listen() (the way most apps tune
// them) applies to the connections already open. A client connection has its own.
#pragma once

#include <cstddef>
#include <cstdint>

#include "parser/http_parser.h"

namespace uvhttp {

struct StreamSettings {
  ParserLimits limits;
  // Node's headersTimeout and requestTimeout (servers): how long a client may take to send a
  // whole head, and a whole message, from its first byte (or from the accept, for the first
  // one). 0: none.
  uint64_t headers_timeout_ms = 0;
  uint64_t request_timeout_ms = 0;
  // How often those two are checked (Node's connectionsCheckingInterval).
  uint64_t connections_checking_interval_ms = 30000;
  // How long a server connection may sit idle between requests (keepAliveTimeout plus Node's
  // one second buffer; 0: no limit). Idle means nothing moves: no input, and no output taken.
  uint64_t keep_alive_timeout_ms = 0;
  // Queued output past which a server connection stops taking requests until the peer reads
  // (the socket's writableHighWaterMark).
  size_t output_high_water = 16 * 1024;
};

}  // namespace uvhttp
