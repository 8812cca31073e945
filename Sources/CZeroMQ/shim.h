#pragma once
// Debian's libzmq (libzmq3-dev): the sockets the Jupyter kernel speaks on (see Sources/LoupeKernel).
#include <zmq.h>
