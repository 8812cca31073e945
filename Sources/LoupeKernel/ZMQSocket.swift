import CZeroMQ
import Foundation

/// A libzmq failure: what was being done and zmq's own message.
public struct ZMQError: Error, CustomStringConvertible {
    public var description: String
    init(_ action: String) {
        description = "\(action): \(String(cString: zmq_strerror(zmq_errno())))"
    }
}

/// One ZeroMQ context for the process; sockets are made from it.
final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() throws {
        guard let h = zmq_ctx_new() else { throw ZMQError("zmq_ctx_new") }
        handle = h
    }

    /// Ends the context: blocks until every socket is closed.
    func terminate() { zmq_ctx_term(handle) }
}

/// A ZeroMQ socket sending and receiving multipart messages (each part raw bytes). Not thread-safe, as
/// libzmq's sockets are not: each is used by one thread, or under `lock`.
final class ZMQSocket: @unchecked Sendable {
    enum Kind { case router, pub, rep, dealer, sub, req }

    let handle: UnsafeMutableRawPointer
    let lock = NSLock()

    init(_ context: ZMQContext, _ kind: Kind) throws {
        let type: Int32
        switch kind {
        case .router: type = ZMQ_ROUTER
        case .pub: type = ZMQ_PUB
        case .rep: type = ZMQ_REP
        case .dealer: type = ZMQ_DEALER
        case .sub: type = ZMQ_SUB
        case .req: type = ZMQ_REQ
        }
        guard let h = zmq_socket(context.handle, type) else { throw ZMQError("zmq_socket") }
        handle = h
        // Close without waiting for unsent messages to drain (a peer that went away must not hang shutdown).
        var linger: Int32 = 0
        zmq_setsockopt(h, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("cannot bind \(endpoint)") }
    }

    func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("cannot connect to \(endpoint)") }
    }

    func subscribeAll() {
        zmq_setsockopt(handle, ZMQ_SUBSCRIBE, "", 0)
    }

    func close() { zmq_close(handle) }

    /// Sends all parts as one multipart message; an interrupted call is retried.
    func send(_ parts: [[UInt8]]) throws {
        for (i, part) in parts.enumerated() {
            let flags = i == parts.count - 1 ? Int32(0) : ZMQ_SNDMORE
            while true {
                let rc = part.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                if zmq_errno() != EINTR { throw ZMQError("zmq_send") }
            }
        }
    }

    /// Receives one whole multipart message; blocks. An interrupted call is retried.
    func receive() throws -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let rc = zmq_msg_recv(&message, handle, 0)
            if rc < 0 {
                if zmq_errno() == EINTR { continue }
                throw ZMQError("zmq_msg_recv")
            }
            let size = zmq_msg_size(&message)
            let data = zmq_msg_data(&message)
            parts.append(data.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? [])
            if zmq_msg_more(&message) == 0 { return parts }
        }
    }

    /// Waits up to `milliseconds` for a message to read; false on timeout or a signal.
    func waitReadable(milliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let rc = zmq_poll(&item, 1, milliseconds)
        return rc > 0 && (item.revents & Int16(ZMQ_POLLIN)) != 0
    }
}
