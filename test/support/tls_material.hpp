// SPDX-License-Identifier: BSL-1.0
// Certificates for the TLS integration tests, made fresh at test time.
//
// Nothing is committed: a checked-in certificate expires one day and breaks the suite (dynalite's own
// bundled one expired in 2018 and has no subjectAltName), and a checked-in CA key would be trusted by
// nobody anyway.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dynalock::test {

struct tls_options {
    // OpenSSL subjectAltName syntax. The default fits "https://localhost:PORT" and "https://127.0.0.1:PORT";
    // e.g. {"DNS:wrong.example"} makes a certificate that chains fine but names another host.
    std::vector<std::string> subject_alt_names{"DNS:localhost", "IP:127.0.0.1"};
    // A server certificate whose validity ended yesterday (the CA stays valid).
    bool expired = false;
};

struct tls_material {
    std::filesystem::path ca_file;       // PEM: the CA that signed cert_file; trust this to connect
    std::filesystem::path other_ca_file; // PEM: an unrelated CA; verification against it must fail
    std::filesystem::path cert_file;     // PEM: the server certificate
    std::filesystem::path key_file;      // PEM: the server's private key (mode 0600)
};

// Creates `dir` if needed and writes a new CA, an unrelated CA, and a server certificate and key signed
// by the first CA into it (P-256 keys, SHA-256 signatures). Throws std::runtime_error with OpenSSL's
// reason on failure.
tls_material generate_tls_material(const std::filesystem::path& dir, const tls_options& options = {});

} // namespace dynalock::test
