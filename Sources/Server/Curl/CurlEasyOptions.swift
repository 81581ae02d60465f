import CCurl

/// Typed `curl_easy_setopt` calls on one easy handle, each failure a `CurlError` naming the option.
///
/// A plain wrapper around a handle it does not own; use it where the handle is used (the loop thread).
struct CurlEasyOptions {
    let easy: UnsafeMutableRawPointer

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(CurlError) {
        let rc = ccurl_easy_setopt_long(easy, option, value)
        guard rc == CURLE_OK else { throw .easy(rc, "curl_easy_setopt(\(name))") }
    }

    func set(_ option: CURLoption, _ value: String, _ name: String) throws(CurlError) {
        let rc = ccurl_easy_setopt_string(easy, option, value)
        guard rc == CURLE_OK else { throw .easy(rc, "curl_easy_setopt(\(name))") }
    }

    func setBlob(_ option: CURLoption, _ bytes: [UInt8], _ name: String) throws(CurlError) {
        let rc = bytes.withUnsafeBytes { ccurl_easy_setopt_blob(easy, option, $0.baseAddress, $0.count) }
        guard rc == CURLE_OK else { throw .easy(rc, "curl_easy_setopt(\(name))") }
    }

    /// Trust and client identity, as `CurlTransfer` sets them: skip verification, or a CA from memory or a
    /// file; a PEM client certificate and key from memory (`CURL_BLOB_COPY`: curl keeps its own copy).
    func applyTLS(_ tls: TLSOptions) throws(CurlError) {
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0, "CURLOPT_SSL_VERIFYPEER")
            try set(CURLOPT_SSL_VERIFYHOST, 0, "CURLOPT_SSL_VERIFYHOST")
        } else if let ca = tls.caData {
            try setBlob(CURLOPT_CAINFO_BLOB, ca, "CURLOPT_CAINFO_BLOB")
        } else if let file = tls.caFile {
            try set(CURLOPT_CAINFO, file, "CURLOPT_CAINFO")
        }
        if let certificate = tls.clientCertificate, let key = tls.clientKey {
            try set(CURLOPT_SSLCERTTYPE, "PEM", "CURLOPT_SSLCERTTYPE")
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate, "CURLOPT_SSLCERT_BLOB")
            try set(CURLOPT_SSLKEYTYPE, "PEM", "CURLOPT_SSLKEYTYPE")
            try setBlob(CURLOPT_SSLKEY_BLOB, key, "CURLOPT_SSLKEY_BLOB")
        }
    }
}
