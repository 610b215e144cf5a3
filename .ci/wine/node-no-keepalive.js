// Preloaded into node.exe under Wine 8 by tests/it/windows_runtime_tools.rs
// (NODE_OPTIONS=--require): Wine 8 does not implement the TCP_KEEPALIVE socket option
// (`fixme:winsock:setsockopt Unknown IPPROTO_TCP optname 0x00000003`), which libuv
// sets when a socket asks for keep-alive, so every connection npm makes (its agent
// calls setKeepAlive(true, ...) on each socket before it connects) fails with
// "connect UNKNOWN". Keep-alive is an optimisation: here it is left off. Windows
// itself has the option; this file is for Wine alone and never shipped.
'use strict';
const net = require('net');
net.Socket.prototype.setKeepAlive = function setKeepAlive() {
  return this;
};
