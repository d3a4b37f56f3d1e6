// SPDX-License-Identifier: BSL-1.0
#include "support/tls_material.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace dynalock::test {
namespace {

struct pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct x509_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct extension_deleter {
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct file_closer {
    void operator()(std::FILE* p) const noexcept { std::fclose(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

[[noreturn]] void throw_openssl(const std::string& what) {
    std::string message = "generate_tls_material: " + what;
    char buffer[256];
    while (unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, buffer, sizeof buffer);
        message += "; ";
        message += buffer;
    }
    throw std::runtime_error(message);
}

pkey_ptr make_key() {
    pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!key)
        throw_openssl("EC key generation failed");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, extension_deleter> ext{
        X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        throw_openssl("cannot add extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
}

struct validity {
    long not_before_s;
    long not_after_s;
};

// An unsigned certificate for `key`, issued by `issuer` (null: self-issued).
x509_ptr make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, validity valid) {
    x509_ptr cert{X509_new()};
    if (!cert)
        throw_openssl("X509_new failed");
    // Random serials: two runs' certificates must never look like the same certificate to a client
    // cache.
    std::uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1)
        throw_openssl("RAND_bytes failed");
    serial >>= 1; // positive
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(cert.get()), valid.not_before_s) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid.not_after_s) ||
        X509_set_pubkey(cert.get(), key) != 1)
        throw_openssl("cannot fill in the certificate");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                                   0) != 1)
        throw_openssl("cannot set the subject name");
    X509* signer = issuer != nullptr ? issuer : cert.get();
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1)
        throw_openssl("cannot set the issuer name");
    return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
    if (X509_sign(cert, key, EVP_sha256()) <= 0)
        throw_openssl("signing failed");
}

std::unique_ptr<std::FILE, file_closer> open_for_writing(const std::filesystem::path& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        throw std::runtime_error("generate_tls_material: cannot create " + path.string());
    std::unique_ptr<std::FILE, file_closer> file{::fdopen(fd, "w")};
    if (!file) {
        ::close(fd);
        throw std::runtime_error("generate_tls_material: cannot open " + path.string());
    }
    return file;
}

void write_certificate(const std::filesystem::path& path, X509* cert) {
    auto file = open_for_writing(path, 0644);
    if (PEM_write_X509(file.get(), cert) != 1)
        throw_openssl("cannot write " + path.string());
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
    auto file = open_for_writing(path, 0600);
    if (PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_openssl("cannot write " + path.string());
}

struct authority {
    pkey_ptr key;
    x509_ptr cert;
};

authority make_authority(const std::string& common_name) {
    constexpr long day = 24 * 3600;
    authority ca{make_key(), nullptr};
    ca.cert = make_certificate(ca.key.get(), common_name, nullptr, {-day, 7 * day});
    add_extension(ca.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.cert.get(), ca.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    sign(ca.cert.get(), ca.key.get());
    return ca;
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty())
            out += ',';
        out += name;
    }
    return out;
}

} // namespace

tls_material generate_tls_material(const std::filesystem::path& dir, const tls_options& options) {
    if (options.subject_alt_names.empty())
        throw std::invalid_argument("generate_tls_material: at least one subjectAltName is needed");
    std::filesystem::create_directories(dir);

    authority ca = make_authority("dynalock test CA");
    authority other_ca = make_authority("dynalock unrelated test CA");

    constexpr long day = 24 * 3600;
    const validity valid = options.expired ? validity{-2 * day, -day} : validity{-day, 2 * day};
    pkey_ptr key = make_key();
    // The common name is deliberately not a host name, so that a client falling back to the CN can
    // never mistake it for a match: only the subjectAltName decides.
    x509_ptr cert = make_certificate(key.get(), "dynalock test server", ca.cert.get(), valid);
    add_extension(cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca.cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ca.cert.get(), NID_subject_alt_name, join(options.subject_alt_names));
    add_extension(cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid");
    sign(cert.get(), ca.key.get());

    tls_material material{dir / "ca.pem", dir / "other-ca.pem", dir / "server.pem", dir / "server-key.pem"};
    write_certificate(material.ca_file, ca.cert.get());
    write_certificate(material.other_ca_file, other_ca.cert.get());
    write_certificate(material.cert_file, cert.get());
    write_key(material.key_file, key.get());
    return material;
}

} // namespace dynalock::test
