#pragma once
// OpenSSL's libcrypto (Debian's libssl-dev): SHA-256 for the shard manifests of `loupe run --shard`.
#include <openssl/sha.h>
