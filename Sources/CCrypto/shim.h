#pragma once
// OpenSSL's libcrypto (Debian's libssl-dev): SHA-256 for the shard manifests of `loupe run --shard`,
// HMAC-SHA256 for the Jupyter kernel's message signatures.
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
