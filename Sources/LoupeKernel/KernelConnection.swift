import Foundation
import LoupeFormats

/// The connection file a Jupyter front-end writes and passes as `-f`: where the five sockets listen
/// and the signing key.
/// `{"transport": "tcp", "ip": "127.0.0.1", "shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003,
///   "control_port": 5004, "hb_port": 5005, "key": "…", "signature_scheme": "hmac-sha256"}`
public struct KernelConnection: Sendable, Equatable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var hbPort: Int
    public var key: String
    public var signatureScheme: String

    /// Reads and checks a connection file; errors name the file and the field.
    public init(contentsOf url: URL) throws {
        let json: JSONValue
        do { json = try JSONValue.load(url) } catch {
            throw KernelError("cannot read the connection file \(url.path): \(error)")
        }
        try self.init(json: json, file: url.path)
    }

    public init(json: JSONValue, file: String) throws {
        func string(_ key: String, default value: String? = nil) throws -> String {
            if let s = json[key]?.string { return s }
            if let value, json[key] == nil || json[key] == .null { return value }
            throw KernelError("\(file): \"\(key)\" must be a string")
        }
        func port(_ key: String) throws -> Int {
            guard let p = json[key]?.int, (0...65535).contains(p) else {
                throw KernelError("\(file): \"\(key)\" must be a port number (0–65535)")
            }
            return p
        }
        transport = try string("transport", default: "tcp")
        guard transport == "tcp" || transport == "ipc" else {
            throw KernelError("\(file): transport \"\(transport)\" is not tcp or ipc")
        }
        ip = try string("ip", default: "127.0.0.1")
        shellPort = try port("shell_port")
        iopubPort = try port("iopub_port")
        stdinPort = try port("stdin_port")
        controlPort = try port("control_port")
        hbPort = try port("hb_port")
        key = try string("key", default: "")
        signatureScheme = try string("signature_scheme", default: "hmac-sha256")
    }

    /// The ZeroMQ endpoint for `port`: `tcp://ip:port`, or for ipc the file `ip-port`.
    public func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}

/// A kernel failure outside user code (a bad connection file, a socket that cannot bind).
public struct KernelError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
